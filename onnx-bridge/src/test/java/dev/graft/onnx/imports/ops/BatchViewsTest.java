package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.OnnxImporter;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;

import static dev.graft.onnx.imports.ops.OrtCheck.input;
import static dev.graft.onnx.imports.ops.OrtCheck.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Graphs that move the batch axis away from the front and back (as PyTorch's multi-head attention
 * does), checked against ONNX Runtime, and the messages for what native import cannot follow.
 */
class BatchViewsTest {
    @TempDir
    Path tmp;

    List<String> check(String name, Onnx.ModelProto m, INDArray x) {
        return OrtCheck.check(tmp, name, m, x);
    }

    static OnnxImporter.Imported importGraph(Onnx.ModelProto m) {
        return OnnxImporter.importModel(m, Models.graft().plugins(), "test.onnx", null);
    }

    @Test
    void aTransposeThereAndBackIsBookkeeping() {
        Onnx.ModelProto m = Graphs.of(13, 4, 6)
                .node("Transpose", "there", List.of("x"), List.of("t"), "perm", new long[] {1, 0, 2})
                .node("Mul", "scale", List.of("t", "w"), List.of("s"))
                .node("Transpose", "back", List.of("s"), List.of("y"), "perm", new long[] {1, 0, 2})
                .floats("w", values(1, 6), 6).build();
        assertThat(check("there_and_back", m, input(2, 3, 4, 6))).containsExactly("onnx-binary");
    }

    @Test
    void mergingTheBatchIntoRowsForALinearLayer() {
        // x.reshape(-1, 6) @ W + b, then back to [N, 4, 3] with the batch size from Shape
        Onnx.ModelProto m = Graphs.of(13, 4, 6)
                .node("Shape", "shape", List.of("x"), List.of("s"))
                .node("Gather", "n", List.of("s", "zero"), List.of("n"), "axis", 0L)
                .node("Unsqueeze", "n1", List.of("n", "axis0"), List.of("n1"))
                .node("Concat", "target", List.of("n1", "rest"), List.of("t"), "axis", 0L)
                .node("Reshape", "rows", List.of("x", "minus1_6"), List.of("r"))
                .node("Gemm", "linear", List.of("r", "w", "b"), List.of("g"), "transB", 1L)
                .node("Reshape", "back", List.of("g", "t"), List.of("y"))
                .longs("zero", new long[] {0}).longs("axis0", new long[] {0}, 1).longs("rest", new long[] {4, 3}, 2)
                .longs("minus1_6", new long[] {-1, 6}, 2).floats("w", values(3, 18), 3, 6).floats("b", values(4, 3), 3).build();
        assertThat(check("merged_rows", m, input(5, 3, 4, 6))).containsExactly("onnx-matmul");
    }

    @Test
    void headsFoldedIntoTheBatchAsInMultiHeadAttention() {
        // [N, L, E] -> [L, N, E] -> [L, N*H, E/H] -> [N*H, L, E/H]; scores q k^T, softmax, times v, and back to [N, L, E]
        Onnx.ModelProto m = Graphs.of(14, 3, 8)
                .node("Transpose", "tq", List.of("x"), List.of("lne"), "perm", new long[] {1, 0, 2})
                .node("Shape", "shape", List.of("lne"), List.of("s"))
                .node("Gather", "batch", List.of("s", "one"), List.of("n"), "axis", 0L)
                .node("Mul", "nh", List.of("n", "heads"), List.of("nh"))
                .node("Unsqueeze", "u_nh", List.of("nh", "axis0"), List.of("nh1"))
                .node("Concat", "split_target", List.of("len", "nh1", "hd"), List.of("t1"), "axis", 0L)
                .node("Reshape", "split_heads", List.of("lne", "t1"), List.of("h"))
                .node("Transpose", "heads_first", List.of("h"), List.of("q"), "perm", new long[] {1, 0, 2})
                .node("Transpose", "keys", List.of("h"), List.of("kt"), "perm", new long[] {1, 2, 0})
                .node("MatMul", "scores", List.of("q", "kt"), List.of("sc"))
                .node("Softmax", "softmax", List.of("sc"), List.of("p"), "axis", -1L)
                .node("MatMul", "mix", List.of("p", "q"), List.of("o"))
                .node("Transpose", "seq_first", List.of("o"), List.of("o2"), "perm", new long[] {1, 0, 2})
                .node("Mul", "ln", List.of("n", "len_scalar"), List.of("ln"))
                .node("Unsqueeze", "u_ln", List.of("ln", "axis0"), List.of("ln1"))
                .node("Concat", "rows_target", List.of("ln1", "e"), List.of("t2"), "axis", 0L)
                .node("Reshape", "rows", List.of("o2", "t2"), List.of("r"))
                .node("Gemm", "out_proj", List.of("r", "w", "b"), List.of("g"), "transB", 1L)
                .node("Concat", "back_target", List.of("len", "n1", "e"), List.of("t3"), "axis", 0L)
                .node("Unsqueeze", "u_n", List.of("n", "axis0"), List.of("n1"))
                .node("Reshape", "unrows", List.of("g", "t3"), List.of("g3"))
                .node("Transpose", "batch_first", List.of("g3"), List.of("y"), "perm", new long[] {1, 0, 2})
                .longs("one", new long[] {1}).longs("heads", new long[] {2}).longs("axis0", new long[] {0}, 1)
                .longs("len", new long[] {3}, 1).longs("hd", new long[] {4}, 1).longs("len_scalar", new long[] {3}).longs("e", new long[] {8}, 1)
                .floats("w", values(6, 64), 8, 8).floats("b", values(7, 8), 8).build();
        // the Unsqueeze of n must come before the Concat that reads it
        Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        Onnx.NodeProto unsq = g.getNode(19);
        g.removeNode(19);
        g.addNode(18, unsq);
        Onnx.ModelProto ordered = m.toBuilder().setGraph(g).build();
        List<String> plugins = check("attention", ordered, input(8, 3, 3, 8));
        assertThat(plugins).contains("onnx-matmul", "softmax").doesNotContain("onnx-unary");
        check("attention_one", ordered, input(9, 1, 3, 8));
    }

    @Test
    void splitAndSliceOfAValueWhoseBatchIsNotFirst() {
        Onnx.ModelProto m = Graphs.of(13, 4, 6)
                .node("Transpose", "t", List.of("x"), List.of("t"), "perm", new long[] {1, 0, 2})
                .node("Split", "split", List.of("t"), List.of("a", "b"), "axis", 2L)
                .node("Slice", "slice", List.of("a", "s0", "s1", "s2"), List.of("a2"))
                .node("Add", "add", List.of("a2", "b2"), List.of("ab"))
                .node("Slice", "slice_b", List.of("b", "s0", "s1", "s2"), List.of("b2"))
                .node("Transpose", "back", List.of("ab"), List.of("y"), "perm", new long[] {1, 0, 2})
                .longs("s0", new long[] {1}, 1).longs("s1", new long[] {4}, 1).longs("s2", new long[] {0}, 1).build();
        Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        Onnx.NodeProto sliceB = g.getNode(4);
        g.removeNode(4);
        g.addNode(3, sliceB);
        check("split_view", m.toBuilder().setGraph(g).build(), input(10, 3, 4, 6));
    }

    @Test
    void opsThatCannotFollowAMovedBatchSaySo() {
        Onnx.ModelProto relu = Graphs.of(13, 4, 6)
                .node("Transpose", "t", List.of("x"), List.of("t"), "perm", new long[] {1, 0, 2})
                .node("Relu", "relu_on_moved", List.of("t"), List.of("r"))
                .node("Transpose", "back", List.of("r"), List.of("y"), "perm", new long[] {1, 0, 2}).build();
        assertThatThrownBy(() -> importGraph(relu)).hasMessageContaining("relu_on_moved").hasMessageContaining("batch axis is not first")
                .hasMessageContaining("[4, batch, 6]");
        Onnx.ModelProto output = Graphs.of(13, 4, 6)
                .node("Transpose", "t", List.of("x"), List.of("y"), "perm", new long[] {1, 0, 2}).build();
        assertThatThrownBy(() -> importGraph(output)).hasMessageContaining("output 'y'").hasMessageContaining("batch axis is not first");
        Onnx.ModelProto mix = Graphs.of(13, 4, 6)
                .node("Reshape", "mix", List.of("x", "target"), List.of("y"))
                .longs("target", new long[] {4, -1}, 2).build();
        assertThatThrownBy(() -> importGraph(mix)).hasMessageContaining("mix").hasMessageContaining("batch");
        Onnx.ModelProto add = Graphs.of(13, 4)
                .node("Shape", "shape", List.of("x"), List.of("s"))
                .node("Add", "plus_one", List.of("s", "one"), List.of("s1"))
                .node("Reshape", "r", List.of("x", "s1"), List.of("y"))
                .longs("one", new long[] {1}).build();
        assertThatThrownBy(() -> importGraph(add)).hasMessageContaining("plus_one").hasMessageContaining("batch size");
    }
}
