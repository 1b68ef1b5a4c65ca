package dev.graft.runtime;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NativeAllocatorTest {

    @Test
    void theUsersSettingsWin() {
        assertThat(NativeAllocator.reasonToSkip(Map.of(), null)).isNull();
        assertThat(NativeAllocator.reasonToSkip(Map.of("GLIBC_TUNABLES", "glibc.rtld.nns=2"), "true")).isNull();
        assertThat(NativeAllocator.reasonToSkip(Map.of(), "false")).contains("turned off");
        assertThat(NativeAllocator.reasonToSkip(Map.of("GRAFT_MALLOC_TUNE", "off"), null)).contains("turned off");
        assertThat(NativeAllocator.reasonToSkip(Map.of("MALLOC_TRIM_THRESHOLD_", "1000"), null))
                .isEqualTo("left to the environment (MALLOC_TRIM_THRESHOLD_=1000)");
        assertThat(NativeAllocator.reasonToSkip(Map.of("MALLOC_MMAP_THRESHOLD_", "65536"), null)).contains("MALLOC_MMAP_THRESHOLD_=65536");
        assertThat(NativeAllocator.reasonToSkip(Map.of("MALLOC_TOP_PAD_", "0"), null)).isEqualTo("left to the environment (MALLOC_TOP_PAD_=0)");
        assertThat(NativeAllocator.reasonToSkip(Map.of("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0"), null))
                .contains("GLIBC_TUNABLES=glibc.malloc.trim_threshold=0");
    }

    @Test
    void onGlibcItSetsTheThresholdsAndTheTopPadOnce() {
        NativeAllocator.apply();
        String first = NativeAllocator.describe();
        NativeAllocator.apply();
        assertThat(NativeAllocator.describe()).isEqualTo(first);
        String skip = NativeAllocator.reasonToSkip(System.getenv(), System.getProperty(NativeAllocator.PROPERTY));
        if (skip != null) {
            assertThat(first).isEqualTo(skip);
        } else if (System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
                && new java.io.File("/lib/x86_64-linux-gnu/libc.so.6").exists()) {
            assertThat(first).isEqualTo("glibc malloc keeps freed memory (mmap threshold 32 MB, trim threshold 256 MB, top pad 64 MB)");
        }
    }
}
