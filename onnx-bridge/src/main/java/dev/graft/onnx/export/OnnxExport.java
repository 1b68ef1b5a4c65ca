package dev.graft.onnx.export;

import dev.graft.api.Plugin;
import dev.graft.api.PluginKind;
import dev.graft.api.Shape;
import dev.graft.api.data.Target;
import dev.graft.onnx.ort.OrtEngine;
import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.plugin.PluginRegistry;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Exports a Graft model to an ONNX file that ONNX Runtime (or any ONNX consumer) runs.
 *
 * <p>The file takes the model's <em>raw</em> features: the fitted feature transforms
 * ({@code standardize}, {@code min-max}, {@code one-hot}) are written as operators in front of the
 * layers, so ONNX Runtime on raw features gives what {@link TrainedModel#predict} gives. By default the
 * loss's prediction function follows the last layer (softmax probabilities for
 * {@code softmax-cross-entropy}, sigmoid for {@code binary-cross-entropy}, nothing for {@code mse}),
 * again like {@code predict}; {@link Options#rawOutput()} leaves it out and exports the last layer's
 * output (the logits). Inputs are named as in the model ({@code input}, plus the extra inputs of
 * imported multi-input models) and the output {@code output}; each has a symbolic first dimension
 * {@code batch} and the model's fixed per-example shape.
 *
 * <p>Every part is written by a plugin: layers by {@link OnnxLayerExporter}s (kind
 * {@code onnx-export}, keyed by layer id), transforms by {@link OnnxTransformExporter}s and the
 * prediction function by {@link OnnxPredictionExporter}s. The built-in ones cover every layer of the
 * plugins module and the {@code onnx-*} layers the importer creates, so an imported model, fine-tuned,
 * exports again. A model with parts no exporter handles fails with one error listing all of them,
 * before anything is written. The file is written to a temporary file beside the target and moved
 * into place, so a failed export never leaves a partial file or replaces an existing one.
 *
 * <pre>{@code
 * Graft graft = Graft.create();
 * TrainedModel model = graft.load(Path.of("runs/mlp"));
 * OnnxExport.Result r = OnnxExport.export(model, graft.plugins(), Path.of("mlp.onnx"), OnnxExport.Options.DEFAULT);
 * }</pre>
 */
public final class OnnxExport {
    /** The plugin kind of layer exporters. */
    public static final PluginKind<OnnxLayerExporter> LAYER_EXPORTERS = PluginKind.of("onnx-export", OnnxLayerExporter.class);
    /** The plugin kind of transform exporters. */
    public static final PluginKind<OnnxTransformExporter> TRANSFORM_EXPORTERS = PluginKind.of("onnx-export-transform", OnnxTransformExporter.class);
    /** The plugin kind of prediction-function exporters (keyed by loss id). */
    public static final PluginKind<OnnxPredictionExporter> PREDICTION_EXPORTERS = PluginKind.of("onnx-export-loss", OnnxPredictionExporter.class);

    /** The oldest opset written: opset 13 is where Softmax, Squeeze, Unsqueeze and ReduceSum took their current form. */
    public static final int MIN_OPSET = 13;
    /** The newest opset written: what ONNX Runtime 1.19 runs. */
    public static final int MAX_OPSET = 21;
    /** The default opset. */
    public static final int DEFAULT_OPSET = 17;
    /** The symbolic name of the batch dimension. */
    public static final String BATCH = "batch";
    /** The name of the output. */
    public static final String OUTPUT = "output";
    /** Protobuf cannot write a message of 2 GiB or more; tensors in external files are not written yet. */
    static final long MAX_BYTES = Integer.MAX_VALUE - (16L << 20);

    private OnnxExport() {
    }

    /**
     * Export options.
     *
     * @param opset     the ai.onnx opset to write, {@value OnnxExport#MIN_OPSET} to {@value OnnxExport#MAX_OPSET}
     * @param rawOutput true: the last layer's output; false: the loss's predictions, as
     *                  {@link TrainedModel#predict} returns them (the same for models without a loss)
     */
    public record Options(int opset, boolean rawOutput) {
        /** Opset {@value OnnxExport#DEFAULT_OPSET}, predictions as {@code predict} gives them. */
        public static final Options DEFAULT = new Options(DEFAULT_OPSET, false);

        public Options {
            if (opset < MIN_OPSET || opset > MAX_OPSET) {
                throw new GraftException(GraftException.Code.USAGE, "cannot export to ONNX opset " + opset + ": Graft writes opsets "
                        + MIN_OPSET + " to " + MAX_OPSET + " (default " + DEFAULT_OPSET + ")");
            }
        }

        public Options withOpset(int opset) {
            return new Options(opset, rawOutput);
        }

        public Options withRawOutput(boolean raw) {
            return new Options(opset, raw);
        }
    }

    /**
     * What an export wrote.
     *
     * @param file        the ONNX file
     * @param bytes       its size
     * @param opset       the opset written
     * @param nodes       the number of ONNX nodes
     * @param inputs      the input names
     * @param output      the output name
     * @param outputShape the per-example output shape
     * @param predictions whether the loss's prediction function is part of the graph
     * @param check       how the file agreed with the native model, or null when it was not checked
     */
    public record Result(Path file, long bytes, int opset, int nodes, List<String> inputs, String output, Shape outputShape,
                         boolean predictions, Check check) {
    }

    /** Exports a trained or loaded model, its fitted transforms included. */
    public static Result export(TrainedModel model, PluginRegistry registry, Path out, Options options) {
        Onnx.ModelProto proto = toModel(model, registry, options);
        return written(proto, out, model.network(), options, null);
    }

    /**
     * Exports like {@link #export(TrainedModel, PluginRegistry, Path, Options)}, and before the file
     * takes its place runs it with ONNX Runtime on {@code examples} random examples against the native
     * model ({@link #check}). If they differ by more than {@code atol + rtol * max |native output|} the
     * export fails (code {@code MODEL}) and {@code out} is left as it was.
     */
    public static Result exportChecked(TrainedModel model, PluginRegistry registry, Path out, Options options, int examples,
                                       double atol, double rtol) {
        Onnx.ModelProto proto = toModel(model, registry, options);
        Check[] check = new Check[1];
        Result r = written(proto, out, model.network(), options, tmp -> {
            Check c = check(model, tmp, registry, options, examples, 20240601L);
            if (!c.within(atol, rtol)) {
                throw new GraftException(GraftException.Code.MODEL, "the ONNX export of the model disagrees with the native model: ONNX"
                        + " Runtime differs by up to " + c.maxAbsDiff() + " on " + examples + " random examples (allowed " + atol + " + "
                        + rtol + " x " + c.maxAbs() + "): an exporter writes ops that do not compute its layer, or the graph amplifies rounding"
                        + " differences; " + out + " was not written");
            }
            check[0] = c;
        });
        return new Result(r.file(), r.bytes(), r.opset(), r.nodes(), r.inputs(), r.output(), r.outputShape(), r.predictions(), check[0]);
    }

    /**
     * Exports a model given as its IR and parameter values (an imported model, for instance). A model
     * with feature transforms needs their fitted state: export its {@link TrainedModel} instead.
     *
     * @param origin names the model in messages
     */
    public static Result export(ModelIR ir, Map<String, INDArray> params, PluginRegistry registry, Path out, Options options, String origin) {
        Network net = network(ir, params, registry, origin);
        Onnx.ModelProto proto = build(net, List.of(), registry, options, origin);
        return written(proto, out, net, options, null);
    }

    /** The ONNX model of a trained or loaded model, without writing it. */
    public static Onnx.ModelProto toModel(TrainedModel model, PluginRegistry registry, Options options) {
        return build(model.network(), model.transforms(), registry, options, "the model");
    }

    /** The ONNX model of an IR and its parameters (no feature transforms), without writing it. */
    public static Onnx.ModelProto toModel(ModelIR ir, Map<String, INDArray> params, PluginRegistry registry, Options options, String origin) {
        return build(network(ir, params, registry, origin), List.of(), registry, options, origin);
    }

    private static Network network(ModelIR ir, Map<String, INDArray> params, PluginRegistry registry, String origin) {
        if (!ir.transforms().isEmpty()) {
            throw new GraftException(GraftException.Code.USAGE, origin + " has " + ir.transforms().size()
                    + " feature transform(s) whose fitted state is not part of the IR; export the TrainedModel (graft.load(dir)) instead");
        }
        Network net = new Network(ir, registry, Map.of());
        net.setParams(params, origin);
        return net;
    }

    private static Result written(Onnx.ModelProto proto, Path out, Network net, Options options, java.util.function.Consumer<Path> beforeMove) {
        long bytes = write(proto, out, beforeMove);
        List<String> inputs = proto.getGraph().getInputList().stream().map(Onnx.ValueInfoProto::getName).toList();
        boolean predictions = !options.rawOutput() && net.loss() != null;
        return new Result(out.toAbsolutePath().normalize(), bytes, options.opset(), proto.getGraph().getNodeCount(), inputs, OUTPUT,
                net.shapes().get(net.ir().output()), predictions, null);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static Onnx.ModelProto build(Network net, List<Graft.FittedTransform> transforms, PluginRegistry registry, Options options,
                                         String origin) {
        ModelIR ir = net.ir();
        boolean predictions = !options.rawOutput() && ir.loss() != null;
        Map<String, OnnxLayerExporter> layerExporters = registry.providers(LAYER_EXPORTERS);
        Map<String, OnnxTransformExporter> transformExporters = registry.providers(TRANSFORM_EXPORTERS);
        Map<String, OnnxPredictionExporter> predictionExporters = registry.providers(PREDICTION_EXPORTERS);

        List<String> missing = new ArrayList<>();
        for (int i = 0; i < transforms.size(); i++) {
            String id = transforms.get(i).ir().plugin();
            if (!transformExporters.containsKey(id)) {
                missing.add("transform " + i + " '" + id + "' (no plugin of kind " + TRANSFORM_EXPORTERS + " with id '" + id + "')");
            }
        }
        for (ModelIR.NodeIR node : ir.nodes()) {
            if (!layerExporters.containsKey(node.plugin())) {
                missing.add("node '" + node.name() + "' (layer '" + node.plugin() + "')");
            }
        }
        if (predictions && !predictionExporters.containsKey(ir.loss().plugin())) {
            missing.add("the prediction function of loss '" + ir.loss().plugin() + "' (no plugin of kind " + PREDICTION_EXPORTERS
                    + "; export the raw output instead)");
        }
        if (!missing.isEmpty()) {
            throw new GraftException(GraftException.Code.MODEL, "cannot export " + origin + " to ONNX: " + missing.size() + " part"
                    + (missing.size() == 1 ? " has" : "s have") + " no ONNX exporter (exporters are plugins of kind " + LAYER_EXPORTERS
                    + ", keyed by layer id; a jar that adds a layer can add one):", missing, null);
        }
        long bytes = net.params().values().stream().mapToLong(a -> 4 * a.length()).sum();
        if (bytes > MAX_BYTES) {
            throw new GraftException(GraftException.Code.MODEL, "cannot export " + origin + " to ONNX: its parameters take "
                    + bytes / (1 << 20) + " MiB, and a single ONNX file (without external tensor data, which Graft does not write yet)"
                    + " is limited to 2 GiB");
        }

        GraphBuilder g = new GraphBuilder(options.opset());
        g.reserve(OUTPUT);
        Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName("graft");
        Shape raw = rawShape(net);
        graph.addInput(valueInfo(Network.INPUT, raw));
        g.reserve(Network.INPUT);
        Map<String, String> values = new HashMap<>();
        for (ModelIR.InputIR extra : ir.extraInputs()) {
            graph.addInput(valueInfo(extra.name(), net.shapes().get(extra.name())));
            g.reserve(extra.name());
            values.put(extra.name(), extra.name());
        }

        String x = Network.INPUT;
        Shape shape = raw;
        for (int i = 0; i < transforms.size(); i++) {
            Graft.FittedTransform t = transforms.get(i);
            Shape after = shapeAfter(t, shape);
            g.scope("transform" + i + "_" + t.ir().plugin());
            TransformCtx ctx = new TransformCtx(g, i, t, config(registry, PluginKind.TRANSFORM, t.ir(), "transforms[" + i + "]"), x, shape, after);
            try {
                x = checked(transformExporters.get(t.ir().plugin()).export(ctx), g, "transform " + i);
            } catch (IllegalArgumentException e) {
                throw new GraftException(GraftException.Code.MODEL, "cannot export " + origin + " to ONNX: transform " + i + " ('"
                        + t.ir().plugin() + "'): " + e.getMessage(), e);
            }
            shape = after;
        }
        if (!shape.equals(net.inputShape())) {
            throw new GraftException(GraftException.Code.MODEL, "cannot export " + origin + ": its transforms turn " + raw + " into "
                    + shape + " but the first layer takes " + net.inputShape());
        }
        values.put(Network.INPUT, x);

        for (ModelIR.NodeIR node : ir.nodes()) {
            g.scope(node.name());
            LayerCtx ctx = new LayerCtx(g, net, node, registry, values);
            try {
                values.put(node.name(), checked(layerExporters.get(node.plugin()).export(ctx), g, "node '" + node.name() + "'"));
            } catch (IllegalArgumentException e) {
                throw new GraftException(GraftException.Code.MODEL, "cannot export " + origin + " to ONNX: node '" + node.name()
                        + "' (layer '" + node.plugin() + "'): " + e.getMessage(), e);
            }
        }
        String out = values.get(ir.output());
        Shape outShape = net.shapes().get(ir.output());
        if (predictions) {
            g.scope("predictions");
            PredictionCtx ctx = new PredictionCtx(g, ir.loss(), config(registry, PluginKind.LOSS, ir.loss(), "loss"), out, outShape);
            try {
                out = checked(predictionExporters.get(ir.loss().plugin()).export(ctx), g, "the prediction function");
            } catch (IllegalArgumentException e) {
                throw new GraftException(GraftException.Code.MODEL, "cannot export " + origin + " to ONNX: the prediction function of loss '"
                        + ir.loss().plugin() + "': " + e.getMessage(), e);
            }
        }
        g.scope("");
        if (!g.renameComputed(out, OUTPUT)) {
            // the output is an input or a constant: an Identity gives it its own name
            g.renameComputed(g.op("Identity").input(out).output(), OUTPUT);
        }
        graph.addOutput(valueInfo(OUTPUT, outShape));
        g.into(graph);

        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder()
                .setIrVersion(irVersion(options.opset()))
                .setProducerName("graft")
                .setProducerVersion(producerVersion())
                .setGraph(graph)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()));
        metadata(model, "graft.output", predictions ? "predictions of loss " + ir.loss().plugin() : "raw output of node " + ir.output());
        if (net.target() instanceof Target.Classes c) {
            try {
                metadata(model, "graft.classes", dev.graft.runtime.model.ModelJson.mapper().writer()
                        .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(c.names()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot write class names", e);
            }
        }
        return model.build();
    }

    private static String checked(String value, GraphBuilder g, String what) {
        if (value == null || value.isEmpty() || value.equals(OUTPUT) || !g.known(value)) {
            throw new IllegalStateException("the exporter of " + what + " returned '" + value
                    + "', which is not a value of the graph (an input, a constant or an output of a node it wrote)");
        }
        return value;
    }

    private static void metadata(Onnx.ModelProto.Builder m, String key, String value) {
        m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }

    private static String producerVersion() {
        Package p = OnnxExport.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "" : v;
    }

    /** The IR version that goes with an opset (onnx/docs/Versioning.md). */
    static long irVersion(int opset) {
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }

    private static Shape rawShape(Network net) {
        List<Long> raw = net.ir().input().rawShape();
        return raw == null ? net.inputShape() : Shape.of(raw.stream().mapToLong(Long::longValue).toArray());
    }

    private static Shape shapeAfter(Graft.FittedTransform t, Shape in) {
        INDArray probe = t.fitted().apply(Nd4j.zeros(DataType.FLOAT, in.withBatch(1)));
        long[] s = probe.shape();
        return Shape.of(java.util.Arrays.copyOfRange(s, 1, s.length));
    }

    static Onnx.ValueInfoProto valueInfo(String name, Shape shape) {
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        for (long d : shape.dims()) {
            s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Record bind(PluginRegistry registry, PluginKind<?> kind, ModelIR.PluginIR ref, String where) {
        Plugin<?> p = registry.get((PluginKind) kind, ref.plugin(), where);
        return RecordBinder.bind((Class) p.configType(), ref.config() == null ? Map.of() : ref.config(), where, kind + " '" + ref.plugin() + "'");
    }

    private static Map<String, Object> config(PluginRegistry registry, PluginKind<?> kind, ModelIR.PluginIR ref, String where) {
        return java.util.Collections.unmodifiableMap(RecordBinder.unbind(bind(registry, kind, ref, where)));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Writes {@code model} to {@code out} through a temporary file in the same directory; returns the bytes written. */
    public static long write(Onnx.ModelProto model, Path out) {
        return write(model, out, null);
    }

    /**
     * Writes {@code model} to a temporary file beside {@code out}, hands it to {@code beforeMove} (which
     * may throw to abandon the export), then moves it to {@code out}.
     */
    static long write(Onnx.ModelProto model, Path out, java.util.function.Consumer<Path> beforeMove) {
        Path abs = out.toAbsolutePath().normalize();
        String where = "cannot write the ONNX model to " + abs + ": ";
        if (Files.isDirectory(abs)) {
            throw new GraftException(GraftException.Code.IO, where + "it is a directory; give a file name such as model.onnx");
        }
        Path dir = abs.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, where + "cannot create the directory " + dir + " (" + reason(e) + ")");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".part");
            try (OutputStream os = Files.newOutputStream(tmp)) {
                model.writeTo(os);
            }
            long bytes = Files.size(tmp);
            if (beforeMove != null) {
                beforeMove.accept(tmp);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            return bytes;
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, where + reason(e));
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the target
                }
            }
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException) {
            return "a file is in the way at " + e.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied on " + e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + e.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * How an exported file agrees with the native model.
     *
     * @param examples   how many examples were compared
     * @param maxAbsDiff the largest absolute difference of an output element
     * @param maxAbs     the largest absolute value of a native output element (to judge the difference)
     */
    public record Check(int examples, double maxAbsDiff, double maxAbs) {
        /** Whether the difference is within {@code atol + rtol * maxAbs}. */
        public boolean within(double atol, double rtol) {
            return maxAbsDiff <= atol + rtol * maxAbs;
        }
    }

    /**
     * Runs an exported file with ONNX Runtime on {@code examples} random examples and compares it with
     * the native model ({@link TrainedModel#predict}, or the raw output with {@link Options#rawOutput()}).
     * Inputs are standard normal, except those that feed an {@code embedding} layer directly, which get
     * token ids below its vocabulary size.
     */
    public static Check check(TrainedModel model, Path file, PluginRegistry registry, Options options, int examples, long seed) {
        Network net = model.network();
        ModelIR ir = net.ir();
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, INDArray> feed = new LinkedHashMap<>();
        feed.put(Network.INPUT, sample(ir, Network.INPUT, model.rawInputShape(), examples, rng, model.transforms().isEmpty()));
        for (ModelIR.InputIR extra : ir.extraInputs()) {
            feed.put(extra.name(), sample(ir, extra.name(), net.shapes().get(extra.name()), examples, rng, true));
        }
        INDArray expected;
        boolean raw = options.rawOutput() && ir.loss() != null;
        if (!raw && ir.extraInputs().isEmpty()) {
            expected = model.predict(feed.get(Network.INPUT));
        } else {
            Network plain = raw ? withoutLoss(net, registry) : net;
            Map<String, INDArray> in = new LinkedHashMap<>(feed);
            in.put(Network.INPUT, model.transform(feed.get(Network.INPUT)));
            expected = ir.extraInputs().isEmpty() ? plain.predict(in.get(Network.INPUT), 512) : plain.predict(in, 512);
        }
        INDArray actual;
        try (OrtEngine ort = OrtEngine.open(file)) {
            actual = ort.run(feed).get(OUTPUT);
        }
        if (actual == null || !java.util.Arrays.equals(actual.shape(), expected.shape())) {
            throw new GraftException(GraftException.Code.MODEL, file + ": ONNX Runtime gives an output of shape "
                    + (actual == null ? "none" : java.util.Arrays.toString(actual.shape())) + ", the native model "
                    + java.util.Arrays.toString(expected.shape()));
        }
        INDArray e = expected.castTo(DataType.DOUBLE);
        double diff = actual.castTo(DataType.DOUBLE).sub(e).amaxNumber().doubleValue();
        return new Check(examples, diff, e.amaxNumber().doubleValue());
    }

    private static Network withoutLoss(Network net, PluginRegistry registry) {
        ModelIR ir = net.ir();
        ModelIR plain = new ModelIR(ir.format(), ir.input(), ir.nodes(), ir.output(), null, null, ir.transforms(), ir.extraInputs());
        Network n = new Network(plain, registry, Map.of());
        n.setParams(net.params(), "the model");
        return n;
    }

    private static INDArray sample(ModelIR ir, String input, Shape shape, int n, SplittableRandom rng, boolean direct) {
        long vocab = 0;
        if (direct) {
            for (ModelIR.NodeIR node : ir.nodes()) {
                if (node.plugin().equals("embedding") && node.inputs().contains(input) && node.config().get("vocab-size") instanceof Number v) {
                    vocab = vocab == 0 ? v.longValue() : Math.min(vocab, v.longValue());
                }
            }
        }
        float[] v = new float[Math.toIntExact(n * shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = vocab > 0 ? rng.nextLong(vocab) : (float) gaussian(rng);
        }
        return Nd4j.createFromArray(v).reshape('c', shape.withBatch(n));
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** The graph, delegated: what every context offers. */
    private abstract static class GraphCtx implements OnnxGraph {
        final GraphBuilder g;

        GraphCtx(GraphBuilder g) {
            this.g = g;
        }

        @Override
        public int opset() {
            return g.opset();
        }

        @Override
        public Node op(String opType) {
            return g.op(opType);
        }

        @Override
        public String constant(String hint, INDArray value) {
            return g.constant(hint, value);
        }

        @Override
        public String longs(String hint, long... values) {
            return g.longs(hint, values);
        }

        @Override
        public String floats(String hint, long[] shape, float... values) {
            return g.floats(hint, shape, values);
        }

        @Override
        public String scalar(String hint, double value) {
            return g.scalar(hint, value);
        }
    }

    private static final class LayerCtx extends GraphCtx implements OnnxLayerExporter.Context {
        private final Network net;
        private final ModelIR.NodeIR node;
        private final Record record;
        private final Map<String, Object> config;
        private final List<String> inputs;
        private final Map<String, String> paramNames = new HashMap<>();

        LayerCtx(GraphBuilder g, Network net, ModelIR.NodeIR node, PluginRegistry registry, Map<String, String> values) {
            super(g);
            this.net = net;
            this.node = node;
            this.record = bind(registry, PluginKind.LAYER, new ModelIR.PluginIR(node.plugin(), node.version(), node.config()),
                    "node '" + node.name() + "'");
            this.config = java.util.Collections.unmodifiableMap(RecordBinder.unbind(record));
            this.inputs = node.inputs().stream().map(values::get).toList();
        }

        @Override
        public String nodeName() {
            return node.name();
        }

        @Override
        public String layer() {
            return node.plugin();
        }

        @Override
        public Map<String, Object> config() {
            return config;
        }

        @Override
        public <R extends Record> R config(Class<R> type) {
            if (!type.isInstance(record)) {
                throw new IllegalArgumentException("the config of layer '" + node.plugin() + "' is a " + record.getClass().getName()
                        + ", not a " + type.getName());
            }
            return type.cast(record);
        }

        @Override
        public List<String> inputs() {
            return inputs;
        }

        @Override
        public List<Shape> inputShapes() {
            return node.inputs().stream().map(net.shapes()::get).toList();
        }

        @Override
        public Shape outputShape() {
            return net.shapes().get(node.name());
        }

        private String full(String name) {
            String full = node.name() + "." + name;
            if (!net.params().containsKey(full)) {
                throw new IllegalArgumentException("the exporter asked for parameter '" + name + "', which the layer does not have (it has "
                        + net.paramSpecs().keySet().stream().filter(k -> node.name().equals(net.nodeOf(k)))
                        .map(k -> k.substring(node.name().length() + 1)).toList() + ")");
            }
            return full;
        }

        @Override
        public String param(String name) {
            String full = full(name);
            return paramNames.computeIfAbsent(full, f -> g.initializer(f, net.params().get(f)));
        }

        @Override
        public INDArray paramValue(String name) {
            return net.params().get(full(name)).dup();
        }
    }

    private static final class TransformCtx extends GraphCtx implements OnnxTransformExporter.Context {
        private final int index;
        private final Graft.FittedTransform t;
        private final Map<String, Object> config;
        private final String input;
        private final Shape in;
        private final Shape out;

        TransformCtx(GraphBuilder g, int index, Graft.FittedTransform t, Map<String, Object> config, String input, Shape in, Shape out) {
            super(g);
            this.index = index;
            this.t = t;
            this.config = config;
            this.input = input;
            this.in = in;
            this.out = out;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public String transform() {
            return t.ir().plugin();
        }

        @Override
        public Map<String, Object> config() {
            return config;
        }

        @Override
        public Map<String, INDArray> state() {
            return java.util.Collections.unmodifiableMap(t.fitted().state());
        }

        @Override
        public String input() {
            return input;
        }

        @Override
        public Shape inputShape() {
            return in;
        }

        @Override
        public Shape outputShape() {
            return out;
        }
    }

    private static final class PredictionCtx extends GraphCtx implements OnnxPredictionExporter.Context {
        private final ModelIR.PluginIR loss;
        private final Map<String, Object> config;
        private final String input;
        private final Shape shape;

        PredictionCtx(GraphBuilder g, ModelIR.PluginIR loss, Map<String, Object> config, String input, Shape shape) {
            super(g);
            this.loss = loss;
            this.config = config;
            this.input = input;
            this.shape = shape;
        }

        @Override
        public String loss() {
            return loss.plugin();
        }

        @Override
        public Map<String, Object> config() {
            return config;
        }

        @Override
        public String input() {
            return input;
        }

        @Override
        public Shape shape() {
            return shape;
        }
    }
}
