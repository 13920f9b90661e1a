package io.prefillbench.engine;

import io.prefillbench.bindings.kernels.SpinParams;
import io.prefillbench.cuda.CudaEvent;
import io.prefillbench.cuda.CudaStream;
import io.prefillbench.cuda.Kernel;
import io.prefillbench.cuda.KernelLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The profiling pass: one forward issued eagerly, op by op, with a timing event recorded before the first op and
 * after each op, so op i's GPU time is the time between events i and i+1. Run with PDL off (a PDL kernel may start
 * before its predecessor ends, and then event times would split overlapping work arbitrarily). The whole forward is
 * queued behind a busy kernel first, so the GPU never waits for the host between ops (otherwise an op's time would
 * include the launch gap before it); if the host took longer to queue than the busy kernel ran, the run is redone
 * with a longer one. Never used inside a timed loop: the events and the serialisation change what is measured.
 */
final class OpProfiler implements AutoCloseable {
    private static final int MAX_RETRIES = 6;

    private final CudaStream stream;
    private final Arena arena = Arena.ofShared();
    private final Kernel.Launch spin;
    private final MemorySegment spinParams;
    private final CudaEvent spinStart = CudaEvent.create();
    private final List<CudaEvent> events = new ArrayList<>();
    private long spinCycles;

    OpProfiler(KernelLibrary library, CudaStream stream, int smClockMHz) {
        this.stream = stream;
        spinParams = SpinParams.allocate(arena);
        spin = new Kernel.Launch(library.kernel("spin_delay"), spinParams, 32, 0, arena);
        spinCycles = Math.max(1, smClockMHz) * 1000L * 2; // ~2 ms at the rated clock; doubled when too short
    }

    /** Result of one profiled step: medians per op (microseconds); {@code starved}: see {@link io.prefillbench.profile.StepTimes}. */
    record Times(double[] medianUs, boolean starved) {
    }

    /**
     * Runs the forward {@code repeats} times (plus one untimed run) and returns each op's median GPU time. The forward
     * has no copies: build_tile_map (op 0) reads the metadata from pinned memory, argmax writes the first tokens there.
     */
    Times run(ForwardPlan plan, int repeats) {
        int n = plan.opCount();
        while (events.size() < n + 1) events.add(CudaEvent.create());
        double[][] samples = new double[n][repeats];
        boolean starved = false;
        for (int r = -1; r < repeats; r++) {
            for (int attempt = 0; ; attempt++) {
                stream.synchronize();
                SpinParams.cycles(spinParams, spinCycles);
                long t0 = System.nanoTime();
                spinStart.record(stream);
                spin.launch(stream);
                events.get(0).record(stream);
                for (int i = 0; i < n; i++) {
                    plan.issueOp(stream, i);
                    events.get(i + 1).record(stream);
                }
                long queuedNs = System.nanoTime() - t0;
                stream.synchronize();
                double headMs = events.get(0).elapsedMillisSince(spinStart);
                if (headMs * 1e6 >= queuedNs) break; // the GPU reached op 0 after the host had queued every op
                if (r < 0) break; // the untimed first run may be slow to queue (first calls); it sets no spin length
                spinCycles *= 2;
                if (attempt == MAX_RETRIES) {
                    starved |= r >= 0;
                    break;
                }
            }
            if (r < 0) continue; // the untimed first run: lazy loading and first touch stay out
            for (int i = 0; i < n; i++) samples[i][r] = events.get(i + 1).elapsedMillisSince(events.get(i)) * 1000.0;
        }
        double[] median = new double[n];
        for (int i = 0; i < n; i++) median[i] = median(samples[i]);
        return new Times(median, starved);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        List<AutoCloseable> owners = new ArrayList<>(events);
        owners.add(spinStart);
        for (AutoCloseable c : owners) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException re ? re : new RuntimeException(e);
            }
        }
        events.clear();
        arena.close();
        if (first != null) throw first;
    }
}
