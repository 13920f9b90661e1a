package io.prefillbench.cli;

import io.prefillbench.results.Meta;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The meta block must be buildable in a fresh JVM before any engine has loaded libcudart (as bench.jar jmh does). */
class RunMetaTest {
    @Test
    void metaWithoutAnEngine() {
        Meta m = RunMeta.meta(List.of("jmh", "-rff", "x.json"));
        assertEquals(List.of("jmh", "-rff", "x.json"), m.argv());
        assertNotNull(m.gitSha());
        assertNotNull(m.cudaRuntime());
        assertEquals("13.0", m.cudaRuntime());
    }
}
