package dev.graft.bench;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

/** The DL4J peer is the reference's model: same parameter count (PyTorch's) and output shape. */
class Dl4jPeerTest {
    @Test
    void peersHaveTheReferenceArchitecture() {
        // torch_reference.py: sum(p.numel() for p in mlp().parameters()) = 235146, cnn() = 61706
        assertThat(net("mlp").numParams()).isEqualTo(235_146);
        assertThat(net("cnn").numParams()).isEqualTo(61_706);
        for (String w : new String[] {"mlp", "cnn"}) {
            INDArray out = net(w).output(Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28), false);
            assertThat(out.shape()).containsExactly(3, 10);
        }
    }

    @Test
    void printsOneJsonLineWithTheReferenceKeys() {
        String line = Dl4jPeer.run("mlp", 4, 2, 1);
        assertThat(line).startsWith("{").endsWith("}")
                .contains("\"workload\": \"mlp\"", "\"batch\": 4", "\"train_ms_per_step_median\": ", "\"infer_ms_per_batch_median\": ",
                        "\"peak_rss_mb\": ");
    }

    private static MultiLayerNetwork net(String workload) {
        MultiLayerNetwork n = new MultiLayerNetwork(Dl4jPeer.config(workload));
        n.init();
        return n;
    }
}
