package dev.graft.cli.bench;

import dev.graft.api.PluginKind;
import dev.graft.api.data.Examples;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.runtime.ExperimentBuilder;
import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.NodeConfig;
import dev.graft.runtime.config.PluginRef;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.plugin.PluginRegistry;
import dev.graft.runtime.train.Metrics;
import dev.graft.runtime.train.ParamGroups;
import dev.graft.runtime.train.Trainer;
import dev.graft.runtime.train.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The standard benchmark workloads, defined exactly as the PyTorch reference defines them
 * ({@code shared/bench/README.md}, {@code torch_reference.py}): float32 input {@code batch x 1 x 28 x 28},
 * ten classes, softmax cross-entropy, SGD with learning rate 0.01.
 * <ul>
 *   <li>{@code mlp}: flatten, dense 784-256, relu, dense 256-128, relu, dense 128-10;</li>
 *   <li>{@code cnn}: conv 1-6 k5 pad 2, relu, max-pool 2; conv 6-16 k5, relu, max-pool 2; flatten;
 *   dense 400-120, relu, dense 120-84, relu, dense 84-10.</li>
 * </ul>
 * A training run built here goes through the product's own path: the experiment is parsed and its
 * plugins bound as a config file's would be, the {@link Network} compiled from the model IR, and the
 * {@link Trainer} runs the steps (batch selection, forward, loss, backward, optimizer update,
 * listeners). Only the data is synthetic, as in the reference: uniform [0, 1) features and uniformly
 * drawn class labels.
 */
public final class Workloads {
    /** Names of the training workloads. */
    public static final List<String> TRAINING = List.of("mlp", "cnn");

    private Workloads() {
    }

    /** The experiment of a training workload (no dataset: the data are synthetic). */
    public static Experiment experiment(String workload, int batch, int epochs) {
        ExperimentBuilder b = ExperimentBuilder.create("bench-" + workload).dataset("synthetic");
        switch (workload) {
            case "mlp" -> b.layer("flatten")
                    .layer("dense", Map.of("units", 256)).layer("relu")
                    .layer("dense", Map.of("units", 128)).layer("relu")
                    .layer("dense", Map.of("units", 10));
            case "cnn" -> b.layer("conv2d", Map.of("filters", 6, "kernel", 5, "padding", 2)).layer("relu")
                    .layer("max-pool2d", Map.of("kernel", 2))
                    .layer("conv2d", Map.of("filters", 16, "kernel", 5)).layer("relu")
                    .layer("max-pool2d", Map.of("kernel", 2))
                    .layer("flatten")
                    .layer("dense", Map.of("units", 120)).layer("relu")
                    .layer("dense", Map.of("units", 84)).layer("relu")
                    .layer("dense", Map.of("units", 10));
            default -> throw new GraftException(GraftException.Code.USAGE, "unknown training workload '" + workload + "'; known: " + TRAINING);
        }
        return b.loss("softmax-cross-entropy")
                .optimizer("sgd", Map.of("lr", 0.01))
                .training(Map.of("epochs", epochs, "batch-size", batch, "seed", 0, "validation-split", 0.0, "progress", "none"))
                .build();
    }

    /** Synthetic examples as the reference makes them: uniform [0, 1) images and uniform class labels, seeded. */
    public static Examples data(long n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 1, 28, 28);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] y = new float[(int) n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(10);
        }
        return new Examples(x, Nd4j.createFromArray(y));
    }

    /** A compiled network, its trainer and the pieces in between, ready to {@link #fit}. */
    public record Training(Experiment experiment, Network network, Trainer trainer) {
        /** Runs the trainer over {@code train} (no validation split). */
        public Trainer.Result fit(Examples train) {
            INDArray noX = Nd4j.create(DataType.FLOAT, 0, 1, 28, 28);
            return trainer.fit(train, new Examples(noX, Nd4j.create(DataType.FLOAT, 0)));
        }
    }

    /**
     * Compiles a training workload the way {@code Graft.prepare} compiles an experiment: plugins
     * bound from the config tree, the model IR, the network initialised from the seed, parameter
     * groups, optimizer, metrics and the trainer.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Training training(Graft graft, String workload, int batch, int epochs, List<TrainingListener> listeners) {
        Experiment exp = experiment(workload, batch, epochs);
        PluginRegistry reg = graft.plugins();
        List<ModelIR.NodeIR> nodes = new ArrayList<>();
        for (NodeConfig n : exp.nodes()) {
            nodes.add(new ModelIR.NodeIR(n.name(), n.layer().id(), version(reg, PluginKind.LAYER, n.layer()),
                    RecordBinder.unbind(bind(reg, PluginKind.LAYER, n.layer())), n.inputs()));
        }
        PluginRef lossRef = exp.loss();
        ModelIR.PluginIR loss = new ModelIR.PluginIR(lossRef.id(), version(reg, PluginKind.LOSS, lossRef),
                RecordBinder.unbind(bind(reg, PluginKind.LOSS, lossRef)));
        List<String> classes = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
        ModelIR ir = new ModelIR(ModelIR.FORMAT, new ModelIR.InputIR(Network.INPUT, List.of(1L, 28L, 28L), null), nodes, exp.output(), loss,
                new ModelIR.TargetIR("classes", classes, null), List.of());
        Network net = new Network(ir, reg, Map.of());
        net.initialize(exp.training().seed());
        OptimizerProvider op = reg.get(PluginKind.OPTIMIZER, exp.optimizer().id(), "optimizer");
        Optimizer opt = op.create(bind(reg, PluginKind.OPTIMIZER, exp.optimizer()));
        ParamGroups groups = new ParamGroups(exp.groups(), net.paramSpecs());
        Metrics metrics = Metrics.resolve(reg, net.target(), exp.training().metrics());
        Trainer trainer = new Trainer(net, opt, null, groups, exp.nodes(), metrics, exp.training(), exp.early(), List.of(), null, listeners);
        return new Training(exp, net, trainer);
    }

    private static String version(PluginRegistry reg, PluginKind<?> kind, PluginRef ref) {
        return reg.get(kind, ref.id(), ref.path()).version();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Record bind(PluginRegistry reg, PluginKind<?> kind, PluginRef ref) {
        dev.graft.api.Plugin<?> p = reg.get(kind, ref.id(), ref.path().isEmpty() ? kind.name() : ref.path());
        return RecordBinder.bind((Class) p.configType(), ref.options(), ref.path(), kind.name() + " '" + p.id() + "'");
    }
}
