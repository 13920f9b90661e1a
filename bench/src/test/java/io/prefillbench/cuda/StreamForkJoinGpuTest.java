package io.prefillbench.cuda;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.bindings.cudart.Cudart;
import io.prefillbench.bindings.kernels.AddOneParams;
import io.prefillbench.bindings.kernels.SpinParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two streams ordered by untimed events: eagerly, and captured into one graph with two parallel branches. */
@Tag("gpu")
class StreamForkJoinGpuTest {
    static final int N = 4096;
    /** ~50 ms at 2 GHz: long enough that an unordered copy would overtake it. */
    static final long SPIN_CYCLES = 100_000_000L;

    static KernelLibrary library;

    @BeforeAll
    static void open() {
        if (!GpuAssumptions.available()) return; // each test skips itself, so Surefire counts them as skipped
        Cuda.setDevice(0);
        library = KernelLibrary.load();
    }

    @org.junit.jupiter.api.BeforeEach
    void needsGpu() {
        GpuAssumptions.assumeGpu();
    }

    @AfterAll
    static void close() {
        if (library != null) library.close();
    }

    static Kernel.Launch addOne(DeviceBuffer d, Arena a) {
        MemorySegment p = AddOneParams.allocate(a);
        AddOneParams.data(p, d.address());
        AddOneParams.n(p, N);
        return new Kernel.Launch(library.kernel("add_one_i32"), p, 256, 0, a).grid(N / 256, 1, 1);
    }

    static int[] read(DeviceBuffer d, Arena a) {
        MemorySegment back = a.allocate(ValueLayout.JAVA_INT, N);
        d.copyToHost(back, 0, 4L * N);
        return back.toArray(ValueLayout.JAVA_INT);
    }

    @Test
    void eagerWaitEventOrdersWorkAcrossStreams() {
        try (Arena a = Arena.ofConfined();
             CudaStream producer = CudaStream.create();
             CudaStream consumer = CudaStream.create();
             CudaEvent ready = CudaEvent.createUntimed();
             DeviceBuffer x = DeviceBuffer.allocate("x", 4L * N);
             DeviceBuffer y = DeviceBuffer.allocate("y", 4L * N)) {
            x.fill(0);
            y.fill(0);
            Cuda.synchronize(); // fills run on the legacy stream, which non-blocking streams do not wait for
            MemorySegment spin = SpinParams.allocate(a);
            SpinParams.cycles(spin, SPIN_CYCLES);
            library.kernel("spin_delay").launch(producer, 1, 1, 1, 1, 0, spin);
            addOne(x, a).launch(producer);                       // x = 1, after the spin
            ready.record(producer);
            consumer.waitEvent(ready);
            consumer.copyAsync(y.address(), x.address(), 4L * N, Cudart.cudaMemcpyDeviceToDevice(), "y <- x");
            // the producer is still spinning: the consumer waits on it, the event has not fired
            assertFalse(ready.isComplete(), "event completed before the spin kernel could have finished");
            assertFalse(consumer.isIdle(), "consumer ran ahead of the event it waits on");
            consumer.synchronize();
            assertTrue(ready.isComplete());
            assertTrue(producer.isIdle());
            int[] got = read(y, a);
            for (int i = 0; i < N; i++) assertEquals(1, got[i], "y[" + i + "] copied before the producer's add_one");
        }
    }

    @Test
    void forkJoinCapturedIntoOneGraphRunsTwoBranches() {
        try (Arena a = Arena.ofConfined();
             CudaStream main = CudaStream.create();
             CudaStream side = CudaStream.create();
             CudaEvent fork = CudaEvent.createUntimed();
             CudaEvent join = CudaEvent.createUntimed();
             DeviceBuffer x = DeviceBuffer.allocate("x", 4L * N);
             DeviceBuffer y = DeviceBuffer.allocate("y", 4L * N);
             DeviceBuffer z = DeviceBuffer.allocate("z", 4L * N)) {
            x.fill(0);
            y.fill(0);
            z.fill(0);
            Cuda.synchronize();
            Kernel.Launch onX = addOne(x, a), onY = addOne(y, a), onZ = addOne(z, a);
            main.beginCapture();
            CudaGraph captured;
            try {
                onX.launch(main);          // root
                fork.record(main);
                side.waitEvent(fork);      // side joins the capture
                assertTrue(side.isCapturing(), "waiting on a captured event pulls the side stream into the capture");
                onY.launch(main);          // branch 1
                onZ.launch(side);          // branch 2
                join.record(side);
                main.waitEvent(join);
                onX.launch(main);          // after both branches
            } finally {
                captured = main.endCapture();
            }
            try (CudaGraph g = captured; GraphExec exec = g.instantiate(main)) {
                assertEquals(4, g.kernelNodeCount());
                assertEquals(4, g.edgeCount());
                assertEquals(new CudaGraph.Topology(4, 4, 3, 2), g.topology());
                for (int r = 0; r < 3; r++) exec.launch(main);
                main.synchronize();
            }
            int[] gx = read(x, a), gy = read(y, a), gz = read(z, a);
            for (int i = 0; i < N; i++) {
                assertEquals(6, gx[i], "x[" + i + "]");
                assertEquals(3, gy[i], "y[" + i + "]");
                assertEquals(3, gz[i], "z[" + i + "]");
            }
        }
    }

    @Test
    void singleStreamCaptureIsAChain() {
        try (Arena a = Arena.ofConfined(); CudaStream s = CudaStream.create(); DeviceBuffer x = DeviceBuffer.allocate("x", 4L * N)) {
            Kernel.Launch onX = addOne(x, a);
            s.beginCapture();
            CudaGraph captured;
            try {
                for (int i = 0; i < 5; i++) onX.launch(s);
            } finally {
                captured = s.endCapture();
            }
            try (CudaGraph g = captured) {
                assertEquals(new CudaGraph.Topology(5, 4, 5, 1), g.topology());
            }
        }
    }

    @Test
    void untimedEventsRefuseElapsedTimeAndPrioritiesAreInRange() {
        try (CudaEvent t = CudaEvent.create(); CudaEvent u = CudaEvent.createUntimed()) {
            assertTrue(t.isTimed());
            assertFalse(u.isTimed());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> u.elapsedMillisSince(t));
            assertTrue(e.getMessage().contains("CudaEvent.create()"), e.getMessage());
        }
        CudaStream.PriorityRange range = CudaStream.priorityRange();
        assertTrue(range.greatest() <= range.least(), range.toString());
        try (CudaStream high = CudaStream.createWithPriority(range.greatest()); CudaStream low = CudaStream.createWithPriority(range.least())) {
            assertEquals(range.greatest(), high.priority());
            assertEquals(range.least(), low.priority());
        }
    }
}
