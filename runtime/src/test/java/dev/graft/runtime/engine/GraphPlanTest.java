package dev.graft.runtime.engine;

import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GraphPlanTest {

    /** x [n, 5] . W [5, 3] + b, relu, mean: a dense layer and a loss, with its gradient function. */
    private static SameDiff dense() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 5);
        SDVariable w = sd.var("W", Nd4j.rand(DataType.FLOAT, 5, 3).subi(0.5));
        SDVariable b = sd.var("b", Nd4j.rand(DataType.FLOAT, 3).subi(0.5));
        sd.nn().relu(x.mmul(w).add(b), 0).mean().rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        return sd;
    }

    private static List<String> gradOutputs(SameDiff sd) {
        return List.of("loss", sd.getVariable("W").getGradient().name(), sd.getVariable("b").getGradient().name());
    }

    private static void assertClose(INDArray got, INDArray want) {
        assertThat(got.shape()).containsExactly(want.shape());
        assertThat(got.sub(want).amaxNumber().doubleValue()).isLessThan(1e-6);
    }

    @Test
    void givesSameDiffsGradientsOnEveryRunAndReadsTheLiveParameters() {
        SameDiff sd = dense();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5).subi(0.5);
        Map<String, INDArray> want = sd.calculateGradients(Map.of("x", x), "W", "b");
        SameDiff grad = sd.getFunction("grad");
        try (GraphPlan plan = new GraphPlan(grad, Map.of("x", x), gradOutputs(sd))) {
            assertClose(plan.outputs().get(gradOutputs(sd).get(1)), want.get("W"));
            assertClose(plan.outputs().get(gradOutputs(sd).get(2)), want.get("b"));
            // an optimizer changes the parameters in place; the next run must see it
            sd.getArrForVarName("W").muli(-2);
            Map<String, INDArray> again = sd.calculateGradients(Map.of("x", x), "W", "b");
            Map<String, INDArray> got = plan.run(Map.of("x", x));
            assertClose(got.get(gradOutputs(sd).get(1)), again.get("W"));
            assertClose(got.get(gradOutputs(sd).get(2)), again.get("b"));
            assertThat(plan.fits(Map.of("x", x))).isTrue();
            assertThat(plan.fits(Map.of("x", Nd4j.rand(DataType.FLOAT, 3, 5)))).isFalse();
        }
    }

    @Test
    void theCacheBuildsOnePlanPerBatchShape() {
        SameDiff sd = dense();
        GraphPlan.Cache cache = new GraphPlan.Cache("test");
        for (int n : new int[] {4, 2, 4}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, n, 5);
            INDArray want = sd.calculateGradients(Map.of("x", x), "W").get("W");
            Map<String, INDArray> got = cache.run(sd.getFunction("grad"), Map.of("x", x), gradOutputs(sd));
            assertThat(got).isNotNull();
            assertClose(got.get(gradOutputs(sd).get(1)), want);
        }
        cache.close();
    }

    @Test
    void aGraphWithARandomOpIsNotPlannedAndTheCacheSaysSo() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
        x.add(sd.random().normal(0, 1, DataType.FLOAT, 2, 3)).rename("y");
        assertThat(GraphPlan.unsupported(sd, List.of("y"))).contains("op '");
        assertThat(new GraphPlan.Cache("test").run(sd, Map.of("x", Nd4j.rand(DataType.FLOAT, 2, 3)), List.of("y"))).isNull();
    }

    @Test
    void anUnknownExecutorIsAConfigError() {
        String old = System.getProperty(GraphPlan.EXECUTOR_PROPERTY);
        try {
            System.setProperty(GraphPlan.EXECUTOR_PROPERTY, "fast");
            assertThatThrownBy(GraphPlan::enabled).isInstanceOf(GraftException.class).hasMessageContaining("'fast'")
                    .hasMessageContaining("plan").hasMessageContaining("samediff");
            System.setProperty(GraphPlan.EXECUTOR_PROPERTY, "samediff");
            assertThat(GraphPlan.enabled()).isFalse();
        } finally {
            if (old == null) {
                System.clearProperty(GraphPlan.EXECUTOR_PROPERTY);
            } else {
                System.setProperty(GraphPlan.EXECUTOR_PROPERTY, old);
            }
        }
    }
}
