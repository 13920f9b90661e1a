package io.prefillbench.cuda;

import io.prefillbench.BenchException;
import io.prefillbench.GpuAssumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each missing piece of the environment gives one message naming the fix. */
class MissingPiecesTest {

    @Test
    void missingCublasNamesTheFix() {
        String old = System.getProperty("prefillbench.cublas");
        System.setProperty("prefillbench.cublas", "/nonexistent/libcublas.so.13");
        try {
            BenchException e = assertThrows(BenchException.class, () -> NativeLibraries.locateOrThrow(NativeLibraries.Lib.CUBLAS));
            assertTrue(e.getMessage().startsWith("libcublas.so.13 not found: install cuBLAS 13"), e.getMessage());
            assertTrue(e.getMessage().contains("-Dprefillbench.cublas="), e.getMessage());
            assertEquals(2, e.exitCode());
        } finally {
            if (old == null) System.clearProperty("prefillbench.cublas");
            else System.setProperty("prefillbench.cublas", old);
        }
    }

    @Test
    void missingCudartIsReportedNotThrownAsInitializerError() {
        // locate() with an explicit bad path finds nothing rather than falling back silently
        String old = System.getProperty("prefillbench.cudart");
        System.setProperty("prefillbench.cudart", "/nonexistent/libcudart.so.13");
        try {
            assertTrue(NativeLibraries.locate(NativeLibraries.Lib.CUDART).isEmpty());
        } finally {
            if (old == null) System.clearProperty("prefillbench.cudart");
            else System.setProperty("prefillbench.cudart", old);
        }
    }

    /** CI (-Dkernels.required=true): no nvcc fails the build with the fix. */
    @Test
    void nvccAbsentWhenKernelsRequiredNamesTheFix(@TempDir Path tmp) throws Exception {
        Build b = buildFatbin(tmp.resolve("x.fatbin"), "true");
        assertEquals(2, b.exit(), b.output());
        assertTrue(b.output().contains("nvcc not found") && b.output().contains("-Dnvcc="), b.output());
        assertFalse(Files.exists(tmp.resolve("x.fatbin")));
    }

    /** A user's build without nvcc goes on without kernels, says so, and drops a stale fatbin rather than packing it. */
    @Test
    void nvccAbsentOtherwiseBuildsWithoutKernels(@TempDir Path tmp) throws Exception {
        Path stale = Files.writeString(tmp.resolve("x.fatbin"), "an earlier build's fatbin");
        Build b = buildFatbin(stale, "false");
        assertEquals(0, b.exit(), b.output());
        assertTrue(b.output().contains("building without kernels") && b.output().contains("CUDA 13 toolkit"), b.output());
        assertFalse(Files.exists(stale));
    }

    record Build(int exit, String output) {
    }

    private static Build buildFatbin(Path out, String required) throws Exception {
        Path script = Path.of("..", "kernels", "build-fatbin.sh");
        Process p = new ProcessBuilder("bash", script.toString(), "/nonexistent/nvcc", out.toString(), "main", required)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Build(p.waitFor(), output);
    }

    @Test
    @Tag("gpu")
    void fatbinWithoutCodeForThisGpuIsRefusedWithTheFix() throws Exception {
        GpuAssumptions.assumeGpu();
        Cuda.setDevice(0);
        byte[] image;
        try (InputStream in = getClass().getResourceAsStream("/io/prefillbench/kernels/test-sm100-only.fatbin")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(in != null, KernelLibrary.BUILT_WITHOUT_KERNELS);
            image = in.readAllBytes();
        }
        DeviceInfo d = DeviceInfo.query(0);
        org.junit.jupiter.api.Assumptions.assumeTrue(d.ccMajor() < 10, "this GPU can run sm_100 code");
        // CUDA loads lazily: the refusal may come at load, at lookup or at the first launch.
        BenchException e = assertThrows(BenchException.class, () -> {
            try (KernelLibrary lib = KernelLibrary.loadData(image);
                 java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined();
                 CudaStream s = CudaStream.create()) {
                java.lang.foreign.MemorySegment p = io.prefillbench.bindings.kernels.AddOneParams.allocate(a);
                lib.kernel("add_one_i32").launch(s, 1, 1, 1, 32, 0, p);
                s.synchronize();
            }
        });
        assertTrue(e.getMessage().startsWith("the kernel fatbin has no code for this GPU"), e.getMessage());
    }
}
