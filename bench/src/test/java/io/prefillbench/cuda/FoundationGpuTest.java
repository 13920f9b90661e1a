package io.prefillbench.cuda;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.bindings.kernels.AddOneParams;
import io.prefillbench.model.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The first real GPU path from Java: memory, our fatbin through cudaLaunchKernel, graphs, cuBLAS. */
@Tag("gpu")
class FoundationGpuTest {
    static CudaStream stream;
    static KernelLibrary library;

    @BeforeAll
    static void open() {
        if (!GpuAssumptions.available()) return; // each test skips itself, so Surefire counts them as skipped
        Cuda.setDevice(0);
        stream = CudaStream.create();
        library = KernelLibrary.load();
    }

    @BeforeEach
    void needsGpu() {
        GpuAssumptions.assumeGpu();
    }

    @AfterAll
    static void close() {
        if (library != null) library.close();
        if (stream != null) stream.close();
    }

    @Test
    void memcpyRoundTrip() {
        int n = 1 << 20;
        Random rnd = new Random(7);
        int[] data = rnd.ints(n).toArray();
        try (Arena a = Arena.ofConfined(); DeviceBuffer d = DeviceBuffer.allocate("roundtrip", 4L * n)) {
            MemorySegment host = a.allocateFrom(ValueLayout.JAVA_INT, data);
            MemorySegment back = a.allocate(ValueLayout.JAVA_INT, n);
            back.fill((byte) 0x5a);
            d.copyFromHost(host, 0, 4L * n);
            d.copyToHost(back, 0, 4L * n);
            assertArrayEquals(data, back.toArray(ValueLayout.JAVA_INT));
        }
    }

    @Test
    void kernelFromFatbinViaCudaLaunchKernel() {
        int n = 1000;
        int[] data = new Random(3).ints(n, -1000, 1000).toArray();
        try (Arena a = Arena.ofConfined(); DeviceBuffer d = DeviceBuffer.allocate("add_one", 4L * n)) {
            d.copyFromHost(a.allocateFrom(ValueLayout.JAVA_INT, data), 0, 4L * n);
            MemorySegment p = AddOneParams.allocate(a);
            AddOneParams.data(p, d.address());
            AddOneParams.n(p, n);
            library.kernel("add_one_i32").launch(stream, (n + 127) / 128, 1, 1, 128, 0, p);
            stream.synchronize();
            MemorySegment back = a.allocate(ValueLayout.JAVA_INT, n);
            d.copyToHost(back, 0, 4L * n);
            int[] got = back.toArray(ValueLayout.JAVA_INT);
            for (int i = 0; i < n; i++) assertEquals(data[i] + 1, got[i], "element " + i);
        }
    }

    @Test
    void hundredLaunchesCapturedIntoOneGraph() {
        int n = 4096;
        try (Arena a = Arena.ofConfined(); DeviceBuffer d = DeviceBuffer.allocate("graph", 4L * n)) {
            d.fill(0);
            MemorySegment p = AddOneParams.allocate(a);
            AddOneParams.data(p, d.address());
            AddOneParams.n(p, n);
            Kernel.Launch launch = new Kernel.Launch(library.kernel("add_one_i32"), p, 256, 0, a).grid(n / 256, 1, 1);
            stream.beginCapture();
            CudaGraph captured;
            try {
                for (int i = 0; i < 100; i++) launch.launch(stream);
            } finally {
                captured = stream.endCapture();
            }
            try (CudaGraph g = captured; GraphExec exec = g.instantiate(stream)) {
                assertEquals(100, g.kernelNodeCount());
                // capture must not have executed anything
                stream.synchronize();
                MemorySegment back = a.allocate(ValueLayout.JAVA_INT, n);
                d.copyToHost(back, 0, 4L * n);
                assertEquals(0, back.getAtIndex(ValueLayout.JAVA_INT, 17));
                for (int r = 0; r < 3; r++) exec.launch(stream);
                stream.synchronize();
                d.copyToHost(back, 0, 4L * n);
                for (int i = 0; i < n; i++) assertEquals(300, back.getAtIndex(ValueLayout.JAVA_INT, i), "element " + i);
            }
        }
    }

    @Test
    void cublasBf16GemmMatchesFloat64EagerAndCaptured() {
        int m = 96, n = 256, k = 320;
        Random rnd = new Random(11);
        short[] a = new short[m * k], b = new short[n * k];
        for (int i = 0; i < a.length; i++) a[i] = WeightInit.floatToBf16((float) rnd.nextGaussian());
        for (int i = 0; i < b.length; i++) b[i] = WeightInit.floatToBf16((float) rnd.nextGaussian() * 0.1f);
        double[] ref = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) s += (double) WeightInit.bf16ToFloat(a[i * k + t]) * WeightInit.bf16ToFloat(b[j * k + t]);
                ref[i * n + j] = s;
            }
        try (Arena ar = Arena.ofConfined();
             DeviceBuffer da = DeviceBuffer.allocate("A", 2L * a.length);
             DeviceBuffer db = DeviceBuffer.allocate("B", 2L * b.length);
             DeviceBuffer dc = DeviceBuffer.allocate("C", 2L * m * n);
             CublasHandle blas = CublasHandle.create(stream)) {
            da.copyFromHost(ar.allocateFrom(ValueLayout.JAVA_SHORT, a), 0, 2L * a.length);
            db.copyFromHost(ar.allocateFrom(ValueLayout.JAVA_SHORT, b), 0, 2L * b.length);
            MemorySegment back = ar.allocate(ValueLayout.JAVA_SHORT, (long) m * n);

            dc.fill(0xff); // NaN poison: unwritten outputs fail
            blas.gemmBf16(da.address(), db.address(), dc.address(), m, n, k);
            stream.synchronize();
            dc.copyToHost(back, 0, 2L * m * n);
            assertTrue(relError(back, ref) < 1e-2, "eager cuBLAS GEMM relative error " + relError(back, ref));

            dc.fill(0xff);
            stream.beginCapture();
            CudaGraph captured;
            try {
                blas.gemmBf16(da.address(), db.address(), dc.address(), m, n, k);
            } finally {
                captured = stream.endCapture();
            }
            try (CudaGraph g = captured; GraphExec exec = g.instantiate(stream)) {
                exec.launch(stream);
                stream.synchronize();
            }
            dc.copyToHost(back, 0, 2L * m * n);
            assertTrue(relError(back, ref) < 1e-2, "captured cuBLAS GEMM relative error " + relError(back, ref));
        }
    }

    static double relError(MemorySegment bf16, double[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            double got = WeightInit.bf16ToFloat(bf16.getAtIndex(ValueLayout.JAVA_SHORT, i));
            if (Double.isNaN(got)) return Double.POSITIVE_INFINITY;
            num += (got - ref[i]) * (got - ref[i]);
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }
}
