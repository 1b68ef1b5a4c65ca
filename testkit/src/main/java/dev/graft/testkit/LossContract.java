package dev.graft.testkit;

import dev.graft.api.Shape;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import dev.graft.runtime.config.RecordBinder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The shared contract every loss plugin passes, as one call in a test.
 *
 * <pre>{@code
 * @Test
 * void myLossFollowsTheContract() {
 *     LossContract.check(new FocalLossProvider(), new FocalLossProvider.Config(2.0),
 *             Shape.of(4), new Target.Classes(List.of("a", "b", "c", "d")));
 *     LossContract.check(new FocalLossProvider(), new FocalLossProvider.Config(0.5),
 *             Shape.of(1), new Target.Classes(List.of("no", "yes")),
 *             check -> check.predictionValues(ValueGenerator.uniform(-20, 20)));
 * }
 * }</pre>
 * {@link #check(LossProvider, Record, Shape, Target)} verifies, and reports every failure with the
 * provider's id and the config:
 * <ol>
 *   <li>the provider itself follows {@link ProviderContract} (id, version, API version, documented
 *       config record, constructor);</li>
 *   <li>the config round-trips through the experiment-file binder: {@link RecordBinder#unbind} turns
 *       it into config values and {@link RecordBinder#bind} builds an equal record from them, so a
 *       saved model re-creates the same loss (records with array components never compare equal:
 *       use {@code List} components);</li>
 *   <li>{@link Loss#checkTarget} accepts the target (returns null);</li>
 *   <li>the loss passes {@link GradientCheck#loss(Loss) GradientCheck.loss} in float64 for a model
 *       output of {@code outputShape} and that target.</li>
 * </ol>
 *
 * <h2>Labels in the gradient check</h2>
 * For a {@link Target.Regression} target the labels are random values of the output's shape; for a
 * {@link Target.Classes} target they are random classes in the {@linkplain Loss#labelFormat() form the
 * loss asks for}:
 * <ul>
 *   <li>{@link Loss.LabelFormat#ONE_HOT}: one-hot rows; the output shape must be {@code [classes]};</li>
 *   <li>{@link Loss.LabelFormat#INDEX} with an output of {@code [classes]}: class indices
 *       {@code [batch]}, the argmax of the one-hot rows {@link GradientCheck} draws;</li>
 *   <li>{@link Loss.LabelFormat#INDEX} with any other output holding one value per example (such as a
 *       single logit {@code [1]} for two classes): class indices {@code [batch]} drawn uniformly from
 *       {@code 0 .. classes-1}.</li>
 * </ul>
 * The index labels are handed to the loss as a constant of the output's data type, as Graft feeds
 * them. Use the overload with a {@code tune} function to change the gradient check's settings, e.g.
 * the prediction or label values.
 */
public final class LossContract {

    private LossContract() {
    }

    /**
     * Runs the whole contract with the gradient check's default settings.
     *
     * @param provider    the loss provider
     * @param config      a valid config for it
     * @param outputShape the shape of one example of the model output, without the batch dimension
     * @param target      a target the loss must accept
     * @throws AssertionError naming the provider, the config and what failed
     */
    public static <C extends Record> void check(LossProvider<C> provider, C config, Shape outputShape, Target target) {
        check(provider, config, outputShape, target, UnaryOperator.identity());
    }

    /**
     * Runs the whole contract; {@code tune} adjusts the gradient check before it runs (batch, seed,
     * value generators, tolerances).
     *
     * @throws AssertionError naming the provider, the config and what failed
     */
    public static <C extends Record> void check(LossProvider<C> provider, C config, Shape outputShape, Target target,
                                                UnaryOperator<GradientCheck.LossCheck> tune) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(outputShape, "outputShape");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(tune, "tune");
        String what = "loss '" + provider.id() + "' with " + config;
        ProviderContract.check(provider);
        checkRoundTrip(provider, config, what);

        Loss loss;
        try {
            loss = provider.create(config);
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": create(config) threw " + e, e);
        }
        if (loss == null) {
            throw new AssertionError(what + ": create(config) returned null");
        }
        String rejected = loss.checkTarget(target);
        if (rejected != null) {
            throw new AssertionError(what + ": checkTarget rejects " + target + ": " + rejected);
        }
        try {
            gradientCheck(loss, outputShape, target, tune).check();
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
    }

    private static <C extends Record> void checkRoundTrip(LossProvider<C> provider, C config, String what) {
        if (!provider.configType().isInstance(config)) {
            throw new AssertionError(what + ": the config is a " + config.getClass().getName() + ", the provider's config type is "
                    + provider.configType().getName());
        }
        Map<String, Object> values;
        C bound;
        try {
            values = RecordBinder.unbind(config);
            bound = RecordBinder.bind(provider.configType(), values, "", "x");
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": the config does not round-trip through the config binder: " + e.getMessage(), e);
        }
        if (!config.equals(bound)) {
            throw new AssertionError(what + ": the config does not round-trip through the config binder: " + config
                    + " was written as " + values + " and read back as " + bound
                    + (hasArrayComponent(config) ? " (array components compare by identity; use List)" : ""));
        }
    }

    private static boolean hasArrayComponent(Record r) {
        for (var c : r.getClass().getRecordComponents()) {
            if (c.getType().isArray()) {
                return true;
            }
        }
        return false;
    }

    private static GradientCheck.LossCheck gradientCheck(Loss loss, Shape outputShape, Target target,
                                                         UnaryOperator<GradientCheck.LossCheck> tune) {
        if (!(target instanceof Target.Classes classes) || loss.labelFormat() == Loss.LabelFormat.ONE_HOT) {
            return tune.apply(GradientCheck.loss(loss).output(outputShape).target(target));
        }
        if (outputShape.rank() == 1 && outputShape.dim(0) == classes.count()) {
            // GradientCheck draws one-hot rows; hand the loss their argmax
            return tune.apply(GradientCheck.loss(new IndexLabels(loss, target, false)).output(outputShape).target(target));
        }
        if (outputShape.size() != 1) {
            throw new AssertionError("a loss with index labels for " + classes.count() + " classes needs an output of ["
                    + classes.count() + "] or one value per example, got " + outputShape);
        }
        // one value per example (a single logit): draw class indices as "regression" labels of the output's shape
        int count = classes.count();
        GradientCheck.LossCheck check = GradientCheck.loss(new IndexLabels(loss, target, true)).output(outputShape)
                .target(new Target.Regression(outputShape));
        return tune.apply(check).labelValues(rng -> rng.nextInt(count));
    }

    /**
     * Presents a loss that takes class indices to {@link GradientCheck}, which draws one-hot rows (or,
     * for a single output unit, index values of the output's shape): it turns those into {@code [batch]}
     * indices and delegates everything else.
     */
    private static final class IndexLabels implements Loss {
        private final Loss loss;
        private final Target target;
        private final boolean alreadyIndices;

        IndexLabels(Loss loss, Target target, boolean alreadyIndices) {
            this.loss = loss;
            this.target = target;
            this.alreadyIndices = alreadyIndices;
        }

        @Override
        public LabelFormat labelFormat() {
            return LabelFormat.ONE_HOT;
        }

        @Override
        public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
            INDArray given = labels.getArr();
            INDArray indices = alreadyIndices ? given.reshape(given.size(0)) : given.argMax(1);
            SDVariable idx = sd.constant("labels_index", indices.castTo(output.dataType()).reshape(given.size(0)));
            return loss.compute(sd, output, idx);
        }

        @Override
        public SDVariable predictions(SameDiff sd, SDVariable output) {
            return loss.predictions(sd, output);
        }

        /** The check sees the real target, whatever GradientCheck passes (it passes a stand-in for one-unit outputs). */
        @Override
        public String checkTarget(Target ignored) {
            return loss.checkTarget(target);
        }

        @Override
        public String toString() {
            return loss.toString();
        }
    }
}
