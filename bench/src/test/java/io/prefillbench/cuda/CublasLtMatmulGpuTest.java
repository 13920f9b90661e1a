package io.prefillbench.cuda;

import io.prefillbench.BenchException;
import io.prefillbench.GpuAssumptions;
import io.prefillbench.bindings.cublaslt.Cublaslt;
import io.prefillbench.model.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CublasLtMatmul}: right against float64, and bit-identical eager, captured, and re-pinned from its description. */
@Tag("gpu")
class CublasLtMatmulGpuTest {
    // m: a capture bucket; k large enough that cuBLASLt may split it
    static final int M = 128, N = 384, K = 2048;

    static CudaStream stream;
    static DeviceBuffer a, w, c;
    static double[] ref;

    @BeforeAll
    static void open() {
        if (!GpuAssumptions.available()) return; // each test skips itself, so Surefire counts them as skipped
        Cuda.setDevice(0);
        stream = CudaStream.create();
        Random rnd = new Random(23);
        short[] ha = new short[M * K], hw = new short[N * K];
        for (int i = 0; i < ha.length; i++) ha[i] = WeightInit.floatToBf16((float) rnd.nextGaussian());
        for (int i = 0; i < hw.length; i++) hw[i] = WeightInit.floatToBf16((float) rnd.nextGaussian() * 0.05f);
        ref = new double[M * N];
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int t = 0; t < K; t++) s += (double) WeightInit.bf16ToFloat(ha[i * K + t]) * WeightInit.bf16ToFloat(hw[j * K + t]);
                ref[i * N + j] = s;
            }
        a = DeviceBuffer.allocate("A", 2L * ha.length);
        w = DeviceBuffer.allocate("W", 2L * hw.length);
        c = DeviceBuffer.allocate("C", 2L * M * N);
        try (Arena ar = Arena.ofConfined()) {
            a.copyFromHost(ar.allocateFrom(ValueLayout.JAVA_SHORT, ha), 0, 2L * ha.length);
            w.copyFromHost(ar.allocateFrom(ValueLayout.JAVA_SHORT, hw), 0, 2L * hw.length);
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void needsGpu() {
        GpuAssumptions.assumeGpu();
    }

    @AfterAll
    static void close() {
        for (AutoCloseable r : new AutoCloseable[] {c, w, a, stream}) {
            try {
                if (r != null) r.close();
            } catch (Exception ignored) {
                // closing after a failed test: report the test's failure, not this
            }
        }
    }

    /** Runs the matmul eagerly into a NaN-poisoned C and returns C's bits. */
    static short[] eager(CublasLtMatmul mm) {
        c.fill(0xff);
        Cuda.synchronize();
        mm.matmul(stream, a.address(), w.address(), c.address());
        stream.synchronize();
        return readC();
    }

    /** Captures one matmul into a graph, replays it into a NaN-poisoned C and returns C's bits. */
    static short[] captured(CublasLtMatmul mm) {
        c.fill(0xff);
        Cuda.synchronize();
        stream.beginCapture();
        CudaGraph g;
        try {
            mm.matmul(stream, a.address(), w.address(), c.address());
        } finally {
            g = stream.endCapture();
        }
        try (CudaGraph graph = g; GraphExec exec = graph.instantiate(stream)) {
            assertTrue(graph.kernelNodeCount() >= 1, "the capture holds cuBLASLt's kernel(s)");
            exec.launch(stream);
            stream.synchronize();
        }
        return readC();
    }

    static short[] readC() {
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment back = ar.allocate(ValueLayout.JAVA_SHORT, (long) M * N);
            c.copyToHost(back, 0, 2L * M * N);
            return back.toArray(ValueLayout.JAVA_SHORT);
        }
    }

    static double relError(short[] bf16) {
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            double got = WeightInit.bf16ToFloat(bf16[i]);
            if (Double.isNaN(got)) return Double.POSITIVE_INFINITY;
            num += (got - ref[i]) * (got - ref[i]);
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void heuristicPickMatchesFloat64AndGraphEqualsEagerBitForBit() {
        try (CublasLtMatmul mm = CublasLtMatmul.create(M, N, K)) {
            short[] e = eager(mm);
            assertTrue(relError(e) < 1e-2, "eager relative error " + relError(e) + " with " + mm.describeAlgo());
            short[] g = captured(mm);
            assertTrue(relError(g) < 1e-2, "graph relative error " + relError(g) + " with " + mm.describeAlgo());
            assertArrayEquals(e, g, "graph replay differs from the eager call with " + mm.describeAlgo());
            assertArrayEquals(e, eager(mm), "a second eager call differs with " + mm.describeAlgo());
        }
    }

    @Test
    void describedAlgoPinsTheSameConfigurationAndBits() {
        try (CublasLtMatmul picked = CublasLtMatmul.create(M, N, K);
             CublasLtMatmul pinned = CublasLtMatmul.create(M, N, K, CublasLtMatmul.Algo.parse(picked.describeAlgo()))) {
            assertEquals(picked.describeAlgo(), pinned.describeAlgo());
            assertEquals(picked.workspaceBytes(), pinned.workspaceBytes());
            assertArrayEquals(eager(picked), eager(pinned), "re-pinned " + pinned.describeAlgo() + " gives other bits");
        }
    }

    @Test
    void splitKConfigurationIsPinnedAndStillCorrect() {
        CublasLtMatmul.Algo base;
        try (CublasLtMatmul picked = CublasLtMatmul.create(M, N, K)) {
            base = picked.algo();
        }
        // same kernel family, K split in 4 and reduced in place (deterministic: workspace holds only counters)
        CublasLtMatmul.Algo split = new CublasLtMatmul.Algo(base.id(), base.tile(), base.stages(), 4, Cublaslt.CUBLASLT_REDUCTION_SCHEME_INPLACE(),
                base.swizzle(), base.customOption(), base.innerShape(), base.clusterShape());
        CublasLtMatmul mm;
        try {
            mm = CublasLtMatmul.create(M, N, K, split);
        } catch (BenchException e) {
            if (!(e instanceof CudaException)) { // refused by cublasLtMatmulAlgoCheck: the message must say what to do
                assertTrue(e.getMessage().contains("cannot run bf16") && e.getMessage().contains("describeAlgo()"), e.getMessage());
            }
            org.junit.jupiter.api.Assumptions.abort("algo " + base.id() + " does not support split-K here: " + e.getMessage());
            return;
        }
        try (mm) {
            assertEquals(4, mm.algo().splitK(), mm.describeAlgo());
            short[] e = eager(mm);
            assertTrue(relError(e) < 1e-2, "split-K relative error " + relError(e) + " with " + mm.describeAlgo());
            assertArrayEquals(e, captured(mm), "split-K graph replay differs from eager with " + mm.describeAlgo());
        }
    }

    @Test
    void misalignedPointerNamesTheAlignmentNeeded() {
        try (CublasLtMatmul mm = CublasLtMatmul.create(M, N, K)) {
            MemorySegment off = MemorySegment.ofAddress(a.address().address() + 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mm.matmul(stream, off, w.address(), c.address()));
            assertTrue(e.getMessage().contains("-byte aligned") && e.getMessage().contains(mm.describeAlgo()), e.getMessage());
        }
    }
}
