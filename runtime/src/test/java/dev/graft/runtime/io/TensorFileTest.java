package dev.graft.runtime.io;

import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorFileTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsFloatAndDoubleArraysOfAnyRank() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("fc1.W", Nd4j.rand(DataType.FLOAT, 3, 4));
        m.put("conv.W", Nd4j.rand(DataType.FLOAT, 2, 1, 3, 3));
        m.put("x/step", Nd4j.scalar(7.0));
        m.put("v", Nd4j.createFromArray(1.5, -2.0));
        Path f = tmp.resolve("p.bin");
        TensorFile.write(f, m);
        Map<String, INDArray> back = TensorFile.read(f);
        assertThat(back.keySet()).containsExactlyElementsOf(m.keySet());
        m.forEach((k, v) -> {
            assertThat(back.get(k).shape()).isEqualTo(v.shape());
            assertThat(back.get(k).dataType()).isEqualTo(v.dataType());
            assertThat(back.get(k).equals(v)).as(k).isTrue();
        });
        assertThat(Files.exists(tmp.resolve("p.bin.tmp"))).isFalse();
    }

    @Test
    void truncatedAndCorruptFilesGiveClearErrors() throws Exception {
        Path f = tmp.resolve("p.bin");
        TensorFile.write(f, Map.of("w", Nd4j.rand(DataType.FLOAT, 10, 10)));
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 17));
        assertThatThrownBy(() -> TensorFile.read(f)).isInstanceOf(GraftException.class).hasMessageContaining("is corrupt");
        Files.write(f, "hello, not a tensor file".getBytes());
        assertThatThrownBy(() -> TensorFile.read(f)).isInstanceOf(GraftException.class).hasMessageContaining("bad magic");
    }

    @Test
    void aHugeClaimedSizeIsRejectedWithoutAllocating() throws Exception {
        Path f = tmp.resolve("p.bin");
        TensorFile.write(f, Map.of("w", Nd4j.rand(DataType.FLOAT, 2, 2)));
        byte[] all = Files.readAllBytes(f);
        // the first dimension of entry "w" sits after magic(8) version(4) count(4) name(2+1) type(1) rank(4)
        ByteBuffer.wrap(all).putLong(8 + 4 + 4 + 3 + 1 + 4, 1L << 40);
        Files.write(f, all);
        assertThatThrownBy(() -> TensorFile.read(f)).isInstanceOf(GraftException.class).hasMessageContaining("claims");
    }
}
