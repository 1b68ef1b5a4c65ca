package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Fan;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMActivations;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDataFormat;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDirectionMode;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMLayerConfig;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.weights.LSTMLayerWeights;

import java.util.List;

/**
 * {@code lstm}: a unidirectional long short-term memory layer over batch-first sequences, PyTorch's
 * {@code nn.LSTM(batch_first=True)} with one layer.
 *
 * <p>Input one example {@code [T, F]} (time steps, features). Output {@code [T, units]}, the hidden
 * state after every step, with {@code return-sequences: true} (the default), or {@code [units]}, the
 * hidden state after the last step, with {@code false}. The initial hidden and cell states are zero.
 * Per step, with {@code z = x_t W + h_{t-1} R + b} split into four blocks of {@code units} columns in the
 * gate order <b>i, f, g, o</b> (input, forget, cell candidate, output; PyTorch's and Keras' order):
 * <pre>
 * i = sigmoid(z_i)   f = sigmoid(z_f)   g = tanh(z_g)   o = sigmoid(z_o)
 * c_t = f * c_{t-1} + i * g            h_t = o * tanh(c_t)
 * </pre>
 *
 * <p>Parameters, stored for {@code x W} products (the transpose of PyTorch's):
 * <ul>
 *   <li>{@code W} {@code [F, 4 * units]}, role {@link ParamRole#WEIGHT}, {@code weight-init} (default
 *       {@code xavier-uniform} over fan {@code F, 4 * units}); PyTorch's {@code weight_ih_l0.T};</li>
 *   <li>{@code R} {@code [units, 4 * units]}, role {@link ParamRole#WEIGHT}, {@code recurrent-init}
 *       (default {@code orthogonal}, as Keras); PyTorch's {@code weight_hh_l0.T};</li>
 *   <li>{@code b} {@code [4 * units]}, role {@link ParamRole#BIAS}, {@code bias-init} (default
 *       {@code zeros}); PyTorch's {@code bias_ih_l0 + bias_hh_l0}.</li>
 * </ul>
 *
 * <p>It runs ND4J's fused {@code rnn.lstmLayer} (NTS format), whose gradients pass the float64 check.
 * With {@code units: 1} that op fails in its forward pass in 1.0.0-M2.1, so one unit runs as two
 * units of which the second has zero weights and stays exactly zero (identical results). A cell
 * composed from {@code mmul}, {@code sigmoid} and {@code tanh} and unrolled over the steps was measured
 * ten times slower, and its gate slicing lost gradients for batches of one.
 */
public final class LstmProvider implements LayerProvider<LstmProvider.Config> {

    /** Options of {@code lstm}. */
    public record Config(
            @Doc("size of the hidden state") int units,
            @Doc("true: the hidden state of every step [T, units]; false: of the last step [units]")
            @Default("true") boolean returnSequences,
            @Doc("initializer of the input weights W [features, 4 * units]") @Default("xavier-uniform") InitSpec weightInit,
            @Doc("initializer of the recurrent weights R [units, 4 * units]") @Default("orthogonal") InitSpec recurrentInit,
            @Doc("initializer of the bias b [4 * units]") @Default("zeros") InitSpec biasInit) {
        public Config {
            if (units <= 0) {
                throw new IllegalArgumentException("units must be a positive integer, got " + units);
            }
            Ids.requireInit("weight-init", weightInit);
            Ids.requireInit("recurrent-init", recurrentInit);
            Ids.requireInit("bias-init", biasInit);
        }

        /** {@code units} units, returning sequences, default initializers. */
        public static Config of(int units) {
            return new Config(units, true, InitSpec.of("xavier-uniform"), InitSpec.of("orthogonal"), InitSpec.of("zeros"));
        }
    }

    public LstmProvider() {
    }

    @Override
    public String id() {
        return "lstm";
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String description() {
        return "LSTM over [time, features] sequences, gate order i, f, g, o; all steps or the last";
    }

    @Override
    public Layer create(Config config) {
        return new Lstm(config);
    }

    private static final class Lstm implements Layer {
        private final Config config;

        Lstm(Config config) {
            this.config = config;
        }

        private static Shape check(List<Shape> inputs) {
            Shape in = inputs.get(0);
            if (in.rank() != 2) {
                throw new IllegalArgumentException("lstm expects a sequence [time steps, features], got " + in);
            }
            return in;
        }

        @Override
        public Shape outputShape(List<Shape> inputs) {
            Shape in = check(inputs);
            return config.returnSequences() ? Shape.of(in.dim(0), config.units()) : Shape.of(config.units());
        }

        @Override
        public List<ParamSpec> params(List<Shape> inputs) {
            long features = check(inputs).dim(1);
            long units = config.units();
            return List.of(
                    ParamSpec.of("W", ParamRole.WEIGHT, config.weightInit(), new Fan(features, 4 * units), features, 4 * units),
                    ParamSpec.of("R", ParamRole.WEIGHT, config.recurrentInit(), new Fan(units, 4 * units), units, 4 * units),
                    ParamSpec.of("b", ParamRole.BIAS, config.biasInit(), new Fan(features, 4 * units), 4 * units));
        }

        @Override
        public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
            Shape in = check(ctx.inputShapes());
            SDVariable w = ctx.param("W");
            SDVariable r = ctx.param("R");
            SDVariable b = ctx.param("b");
            if (config.units() == 1) {
                return oneUnit(ctx, inputs.get(0), in.dim(0), w, r, b);
            }
            return lstmLayer(ctx.sd(), inputs.get(0), w, r, b);
        }

        private SDVariable lstmLayer(SameDiff sd, SDVariable x, SDVariable w, SDVariable r, SDVariable b) {
            LSTMLayerConfig cfg = LSTMLayerConfig.builder()
                    .lstmdataformat(LSTMDataFormat.NTS).directionMode(LSTMDirectionMode.FWD)
                    .gateAct(LSTMActivations.SIGMOID).cellAct(LSTMActivations.TANH).outAct(LSTMActivations.TANH)
                    .retFullSequence(config.returnSequences()).retLastH(!config.returnSequences()).retLastC(false)
                    .build();
            LSTMLayerWeights weights = LSTMLayerWeights.builder().weights(w).rWeights(r).bias(b).build();
            return sd.rnn().lstmLayer(x, weights, cfg)[0];
        }

        /**
         * One unit, which {@code lstmLayer} cannot run: a two-unit {@code lstmLayer} whose second unit has
         * all-zero weights and bias. That unit's gates are {@code i = f = o = 1/2} and {@code g = 0}, so its
         * cell and hidden state stay exactly 0 and it never feeds the first unit: the first unit computes
         * exactly the one-unit LSTM. The two-unit weights are linear maps (0/1 matrices) of the declared
         * ones, so the gradients flow back through {@code mmul}.
         */
        private SDVariable oneUnit(LayerContext ctx, SDVariable x, long steps, SDVariable w, SDVariable r, SDVariable b) {
            SameDiff sd = ctx.sd();
            org.nd4j.linalg.api.buffer.DataType type = w.dataType();
            // spread: gate k of the one-unit layout to column 2k of the two-unit layout
            double[][] spread = new double[4][8];
            for (int k = 0; k < 4; k++) {
                spread[k][2 * k] = 1;
            }
            SDVariable p = sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray(spread).castTo(type));
            // first: the first of two units; as a [2, 1] matrix it also picks unit 0 of the outputs
            SDVariable first = sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray(new double[][] {{1}, {0}}).castTo(type));
            SDVariable w2 = w.mmul(p);
            SDVariable r2 = first.mmul(r.mmul(p));
            SDVariable b2 = b.reshape(1, 4).mmul(p).reshape(8);
            SDVariable h = lstmLayer(sd, x, w2, r2, b2);
            if (!config.returnSequences()) {
                return h.mmul(first);
            }
            return h.reshape(-1, 2).mmul(first).reshape(-1, steps, 1);
        }
    }
}
