package dev.graft.onnx.export;

import dev.graft.api.Shape;
import dev.graft.onnx.ort.OrtEngine;
import dev.graft.runtime.Graft;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/** Small native models built from nodes, for the export tests. */
final class Fixtures {
    private static Graft graft;

    private Fixtures() {
    }

    static synchronized Graft graft() {
        if (graft == null) {
            graft = Graft.builder().useEnvironment(false).build();
        }
        return graft;
    }

    /** Input values: standard normal by default. */
    interface Values extends BiFunction<long[], SplittableRandom, INDArray> {
    }

    static final Values NORMAL = (shape, rng) -> fill(shape, rng, r -> gaussian(r));

    static Values uniform(double lo, double hi) {
        return (shape, rng) -> fill(shape, rng, r -> lo + (hi - lo) * r.nextDouble());
    }

    /** Values drawn from a few choices (so that comparisons find equal elements). */
    static Values choice(double... choices) {
        return (shape, rng) -> fill(shape, rng, r -> choices[r.nextInt(choices.length)]);
    }

    static INDArray fill(long[] shape, SplittableRandom rng, java.util.function.ToDoubleFunction<SplittableRandom> f) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) f.applyAsDouble(rng);
        }
        return Nd4j.createFromArray(v).reshape('c', shape);
    }

    static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** A model under construction: input shape, nodes, and how to fill inputs. */
    static final class Spec {
        final String name;
        final long[] input;
        final List<ModelIR.NodeIR> nodes = new ArrayList<>();
        final Map<String, long[]> extra = new LinkedHashMap<>();
        Values values = NORMAL;
        final Map<String, INDArray> fixedParams = new LinkedHashMap<>();
        int trainSteps;
        ModelIR.PluginIR loss;
        ModelIR.TargetIR target;

        Spec(String name, long[] input) {
            this.name = name;
            this.input = input;
        }

        /** Adds a node; without inputs it reads the previous node (or the input). */
        Spec node(String name, String plugin, Map<String, Object> config, String... inputs) {
            List<String> in = inputs.length > 0 ? List.of(inputs)
                    : List.of(nodes.isEmpty() ? Network.INPUT : nodes.get(nodes.size() - 1).name());
            nodes.add(new ModelIR.NodeIR(name, plugin, "1.0.0", config, in));
            return this;
        }

        Spec node(String name, String plugin) {
            return node(name, plugin, Map.of());
        }

        Spec values(Values v) {
            this.values = v;
            return this;
        }

        /**
         * Sets a parameter ({@code node.name}) after initialisation: for the fixed operands of the
         * {@code onnx-*} layers, which start as zeros.
         */
        Spec param(String key, long[] shape, double... values) {
            fixedParams.put(key, Nd4j.createFromArray(values).castTo(DataType.FLOAT).reshape('c', shape));
            return this;
        }

        /** A second model input (imported models have them). */
        Spec extraInput(String name, long... shape) {
            extra.put(name, shape);
            return this;
        }

        /** Trains this many SGD steps (mse on random targets) so running statistics move. */
        Spec train(int steps) {
            this.trainSteps = steps;
            return this;
        }

        /** A classifier: softmax-cross-entropy over the output's classes. */
        Spec classes(int count) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                names.add("c" + i);
            }
            loss = new ModelIR.PluginIR("softmax-cross-entropy", "1.0.0", Map.of());
            target = new ModelIR.TargetIR("classes", names, null);
            return this;
        }

        Spec loss(String id, Map<String, Object> config) {
            loss = new ModelIR.PluginIR(id, "1.0.0", config);
            return this;
        }

        String output() {
            return nodes.get(nodes.size() - 1).name();
        }

        ModelIR ir(ModelIR.PluginIR loss, ModelIR.TargetIR target) {
            List<ModelIR.InputIR> extras = new ArrayList<>();
            extra.forEach((k, v) -> extras.add(new ModelIR.InputIR(k, Arrays.stream(v).boxed().toList())));
            return new ModelIR(ModelIR.FORMAT, new ModelIR.InputIR(Network.INPUT, Arrays.stream(input).boxed().toList()), nodes, output(),
                    loss, target, List.of(), extras);
        }

        /** Builds, initialises (and trains) the model. */
        TrainedModel build(long seed) {
            return build(seed, graft());
        }

        /** Builds with the plugins of {@code g}. */
        TrainedModel build(long seed, Graft g) {
            ModelIR plain = ir(null, null);
            Shape out = new Network(plain, g.plugins(), Map.of()).shapes().get(output());
            ModelIR.PluginIR l = loss != null ? loss : new ModelIR.PluginIR("mse", "1.0.0", Map.of());
            ModelIR.TargetIR t = loss != null && target != null ? target
                    : new ModelIR.TargetIR("regression", null, Arrays.stream(out.dims()).boxed().toList());
            ModelIR ir = ir(l, t);
            Network net = new Network(ir, g.plugins(), Map.of());
            net.initialize(seed);
            fixedParams.forEach((k, v) -> {
                INDArray p = net.params().get(k);
                if (p == null || !Arrays.equals(p.shape(), v.shape())) {
                    throw new IllegalArgumentException("no parameter " + k + Arrays.toString(v.shape()) + " in " + net.params().keySet());
                }
                p.assign(v);
            });
            SplittableRandom rng = new SplittableRandom(seed * 7 + 1);
            for (int s = 0; s < trainSteps; s++) {
                INDArray x = values.apply(Shape.of(input).withBatch(8), rng);
                INDArray y = target != null && target.kind().equals("classes")
                        ? Nd4j.eye(target.classes().size()).castTo(DataType.FLOAT).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1))
                        .repeat(0, 8)
                        : fill(out.withBatch(8), rng, Fixtures::gaussian);
                List<String> wrt = net.paramSpecs().entrySet().stream().filter(e -> e.getValue().trainable()).map(Map.Entry::getKey).toList();
                Network.StepResult r = net.gradients(x, y, wrt);
                for (String p : wrt) {
                    net.params().get(p).subi(r.gradients().get(p).mul(0.05));
                }
            }
            return TrainedModel.of(g, loss != null ? ir : plain, net.params(), name);
        }

        /** Random inputs for {@code batch} examples, by input name. */
        Map<String, INDArray> inputs(int batch, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            Map<String, INDArray> in = new LinkedHashMap<>();
            in.put(Network.INPUT, values.apply(Shape.of(input).withBatch(batch), rng));
            extra.forEach((k, v) -> in.put(k, NORMAL.apply(Shape.of(v).withBatch(batch), rng)));
            return in;
        }
    }

    static Spec spec(String name, long... input) {
        return new Spec(name, input);
    }

    /** The native predictions for inputs by name. */
    static INDArray nativePredict(TrainedModel m, Map<String, INDArray> in) {
        return in.size() == 1 ? m.predict(in.get(Network.INPUT)) : m.network().predict(in, 512);
    }

    /** ONNX Runtime's output for inputs by name. */
    static INDArray ort(Path file, Map<String, INDArray> in) {
        try (OrtEngine e = OrtEngine.open(file)) {
            return e.run(in).get(OnnxExport.OUTPUT);
        }
    }

    static double maxDiff(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new AssertionError("shapes differ: " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        }
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }
}
