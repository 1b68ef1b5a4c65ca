package dev.graft.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InfoCommandTest {

    @Test
    void reportsOneDnnAndTheNativeAllocator() {
        CliRunner r = CliRunner.run("info");
        assertThat(r.exit()).isZero();
        // the oneDNN build is Graft's dependency; the tests leave -Dgraft.onednn unset
        assertThat(r.out()).containsPattern("(?m)^onednn\\s+on for planned convolutions and max pooling$");
        assertThat(r.out()).containsPattern("(?m)^native_allocator\\s+(glibc malloc keeps freed memory|left to the environment|left alone).*$");
    }
}
