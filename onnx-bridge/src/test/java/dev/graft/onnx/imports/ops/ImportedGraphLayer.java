package dev.graft.onnx.imports.ops;

import dev.graft.api.Mode;
import dev.graft.api.PluginKind;
import dev.graft.api.Shape;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.plugin.PluginRegistry;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole imported model (its IR) as one {@link Layer}, so that the testkit's {@code GradientCheck}
 * can check its gradients in float64: every node's layer is created from the IR as the runtime does,
 * its parameters are re-declared under short names {@code p0, p1, ...} ({@link #paramName} maps them
 * back to {@code node.param}), and {@link #forward} builds the nodes in order, each with a context that
 * hands it its own parameters and input shapes. Models with one input only.
 */
final class ImportedGraphLayer implements Layer {
    private final ModelIR ir;
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final Map<String, String> fullNames = new LinkedHashMap<>();   // short -> node.param
    private final Map<String, String> shortNames = new HashMap<>();        // node.param -> short

    @SuppressWarnings({"unchecked", "rawtypes"})
    ImportedGraphLayer(ModelIR ir, PluginRegistry registry) {
        if (!ir.extraInputs().isEmpty()) {
            throw new IllegalArgumentException("models with one input only");
        }
        this.ir = ir;
        for (ModelIR.NodeIR n : ir.nodes()) {
            LayerProvider provider = registry.get(PluginKind.LAYER, n.plugin(), n.name());
            Record cfg = RecordBinder.bind(provider.configType(), n.config(), n.name(), n.plugin());
            layers.put(n.name(), provider.create(cfg));
        }
    }

    /** The per-example shape of every node (and {@code input}) for an input of per-example shape {@code input}. */
    private Map<String, Shape> shapes(Shape input) {
        Map<String, Shape> shapes = new HashMap<>();
        shapes.put(Network.INPUT, input);
        for (ModelIR.NodeIR n : ir.nodes()) {
            shapes.put(n.name(), layers.get(n.name()).outputShape(n.inputs().stream().map(shapes::get).toList()));
        }
        return shapes;
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return shapes(inputs.get(0)).get(ir.output());
    }

    @Override
    public List<ParamSpec> params(List<Shape> inputs) {
        Map<String, Shape> shapes = shapes(inputs.get(0));
        List<ParamSpec> out = new ArrayList<>();
        for (ModelIR.NodeIR n : ir.nodes()) {
            for (ParamSpec p : layers.get(n.name()).params(n.inputs().stream().map(shapes::get).toList())) {
                String s = "p" + out.size();
                fullNames.put(s, n.name() + "." + p.name());
                shortNames.put(n.name() + "." + p.name(), s);
                out.add(new ParamSpec(s, p.role(), p.shape(), p.init(), p.fan(), p.trainable()));
            }
        }
        return out;
    }

    /** The runtime's name ({@code node.param}) of a short parameter name. */
    String paramName(String shortName) {
        return fullNames.get(shortName);
    }

    @Override
    public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
        Map<String, Shape> shapes = shapes(ctx.inputShapes().get(0));
        if (shortNames.isEmpty()) {
            params(ctx.inputShapes());
        }
        Map<String, SDVariable> vars = new HashMap<>();
        vars.put(Network.INPUT, inputs.get(0));
        for (ModelIR.NodeIR n : ir.nodes()) {
            List<Shape> in = n.inputs().stream().map(shapes::get).toList();
            vars.put(n.name(), layers.get(n.name()).forward(new NodeContext(ctx, n.name(), in), n.inputs().stream().map(vars::get).toList()));
        }
        return vars.get(ir.output());
    }

    /** What one node sees: the outer context's graph and mode, its own parameters and input shapes. */
    private final class NodeContext implements LayerContext {
        private final LayerContext outer;
        private final String node;
        private final List<Shape> inputShapes;

        NodeContext(LayerContext outer, String node, List<Shape> inputShapes) {
            this.outer = outer;
            this.node = node;
            this.inputShapes = inputShapes;
        }

        @Override
        public SameDiff sd() {
            return outer.sd();
        }

        @Override
        public String nodeName() {
            return node;
        }

        @Override
        public List<Shape> inputShapes() {
            return inputShapes;
        }

        @Override
        public Mode mode() {
            return outer.mode();
        }

        @Override
        public SDVariable param(String name) {
            return outer.param(shortNames.get(node + "." + name));
        }

        @Override
        public SDVariable bernoulliMask(String key, Shape shape, double keepProbability) {
            return outer.bernoulliMask(node + "_" + key, shape, keepProbability);
        }

        @Override
        public void updateState(String param, SDVariable newValue) {
            outer.updateState(shortNames.get(node + "." + param), newValue);
        }
    }
}
