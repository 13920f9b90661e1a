package io.prefillbench.cli;

import io.prefillbench.cuda.NativeLibraries;
import io.prefillbench.results.Meta;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The meta block must be buildable in a fresh JVM before any engine has loaded libcudart (as bench.jar jmh does). */
class RunMetaTest {
    @Test
    void metaWithoutAnEngine() {
        assumeTrue(NativeLibraries.locate(NativeLibraries.Lib.CUDART).isPresent(), "no libcudart.so.13 on this machine");
        Meta m = RunMeta.meta(List.of("jmh", "-rff", "x.json"));
        assertEquals(List.of("jmh", "-rff", "x.json"), m.argv());
        // the runtime actually loaded, whichever CUDA 13 release it is (13.0, 13.1, ...); "none" or a driver's
        // version in its place would mean the block records the wrong library
        assertTrue(m.cudaRuntime().matches("13\\.\\d+"), m.cudaRuntime());
    }
}
