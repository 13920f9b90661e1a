package io.prefillbench.cuda;

import io.prefillbench.BenchException;
import io.prefillbench.bindings.cublaslt.Cublaslt;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPU side of {@link CublasLtMatmul}: the pinned-algo text, the missing-library message, the library's version. */
class CublasLtMatmulTest {

    @Test
    void algoTextRoundTrips() {
        CublasLtMatmul.Algo algo = new CublasLtMatmul.Algo(66, 20, 35, 4, 1, 1, 2, 3, 65535);
        String text = algo.describe();
        assertEquals("id=66 tile=20 stages=35 splitK=4 reduction=1 swizzle=1 custom=2 inner=3 cluster=65535", text);
        assertEquals(algo, CublasLtMatmul.Algo.parse(text));
        assertEquals(algo, CublasLtMatmul.Algo.parse("  cluster=65535 inner=3 custom=2 swizzle=1 reduction=1 splitK=4 stages=35 tile=20 id=66 "));
    }

    @Test
    void malformedAlgoTextIsRefusedWithTheExpectedForm() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> CublasLtMatmul.Algo.parse("id=66 tile=20 stages=35 splitK=1 reduction=0 swizzle=0 custom=0 inner=0"));
        assertTrue(missing.getMessage().contains("missing cluster"), missing.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> CublasLtMatmul.Algo.parse("id=1 id=2 tile=20 stages=35 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0"));
        assertTrue(twice.getMessage().contains("id given twice"), twice.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> CublasLtMatmul.Algo.parse("id=1 tile=20 stages=35 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0 waves=3"));
        assertTrue(unknown.getMessage().contains("unknown keys [waves]"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CublasLtMatmul.Algo.parse("id=x"));
    }

    @Test
    void missingCublasLtNamesTheFix() {
        String old = System.getProperty("prefillbench.cublaslt");
        System.setProperty("prefillbench.cublaslt", "/nonexistent/libcublasLt.so.13");
        try {
            BenchException e = assertThrows(BenchException.class, () -> NativeLibraries.locateOrThrow(NativeLibraries.Lib.CUBLASLT));
            assertTrue(e.getMessage().startsWith("libcublasLt.so.13 not found: install cuBLASLt 13"), e.getMessage());
            assertTrue(e.getMessage().contains("-Dprefillbench.cublaslt=/path/to/libcublasLt.so.13"), e.getMessage());
            assertTrue(e.getMessage().contains("PREFILLBENCH_CUBLASLT"), e.getMessage());
            assertEquals(2, e.exitCode());
        } finally {
            if (old == null) System.clearProperty("prefillbench.cublaslt");
            else System.setProperty("prefillbench.cublaslt", old);
        }
    }

    /** cuBLASLt needs no GPU for its version and status names: runs wherever the library is installed. */
    @Test
    void installedCublasLtIsVersion13AndNamesItsStatusCodes() {
        Assumptions.assumeTrue(NativeLibraries.locate(NativeLibraries.Lib.CUBLASLT).isPresent(),
                "libcublasLt.so.13 not installed (set PREFILLBENCH_CUBLASLT to run this test)");
        String version = CublasLtMatmul.version();
        assertTrue(version.matches("13\\.\\d+\\.\\d+"), version);
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED",
                Cublaslt.cublasLtGetStatusName(Cublaslt.CUBLAS_STATUS_NOT_SUPPORTED()).reinterpret(256).getString(0));
    }
}
