package io.prefillbench.cuda;

import io.prefillbench.bindings.kernels.GemmParams;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Host cost of a kernel launch from Java: {@code launches} launches of {@code empty_kernel} (it does nothing; its
 * parameter is a {@code GemmParams} by value, the forward's most common parameter size) through the same
 * {@link Kernel.Launch} path the engine uses (cudaLaunchKernel, or cudaLaunchKernelExC with the PDL attribute, then
 * the last-error check), timed on the host clock. {@code kernels/check/launch_cost.cu} does the same loop in C++.
 *
 * @param enqueueUs per launch: issuing {@code launches} launches without waiting, divided by the count (median)
 * @param drainedUs per launch: the same launches until the stream is idle again, divided by the count (median)
 */
public record LaunchCost(int launches, int repeats, int grid, int threads, long paramBytes, boolean pdl, double enqueueUs,
                         double drainedUs) {

    /** Launches issued before the timed rounds (kernels/check/launch_cost.cu warms up the same count). */
    public static final int WARMUP_LAUNCHES = 20_000;

    public static LaunchCost measure(KernelLibrary library, int launches, int repeats, int grid, int threads, boolean pdl) {
        if (launches < 1 || repeats < 1 || grid < 1 || threads < 1)
            throw new IllegalArgumentException("launches, repeats, grid and threads must be positive");
        try (Arena arena = Arena.ofConfined(); CudaStream stream = CudaStream.create()) {
            MemorySegment params = GemmParams.allocate(arena); // zeros: the kernel reads none of it
            List<Kernel.Attribute> attrs = pdl ? List.of(new Kernel.Attribute.ProgrammaticSerialization()) : List.of();
            Kernel.Launch launch = new Kernel.Launch(library.kernel("empty_kernel"), params, threads, 0, attrs, arena).grid(grid, 1, 1);
            double[] enqueue = new double[repeats], drained = new double[repeats];
            // untimed rounds: module load, then at least WARMUP_LAUNCHES launches so that the launch path
            // is C2-compiled before the clock starts (the eager forward is measured after its own warm-up;
            // three rounds of 169 left it in tier-3 code: 5.7 us per launch vs 3.7 in the eager forward)
            int warm = Math.max(3, (WARMUP_LAUNCHES + launches - 1) / launches);
            for (int r = -warm; r < repeats; r++) {
                stream.synchronize();
                long t0 = System.nanoTime();
                for (int i = 0; i < launches; i++) launch.launch(stream);
                long t1 = System.nanoTime();
                stream.synchronize();
                long t2 = System.nanoTime();
                if (r < 0) continue;
                enqueue[r] = (t1 - t0) / 1e3 / launches;
                drained[r] = (t2 - t0) / 1e3 / launches;
            }
            return new LaunchCost(launches, repeats, grid, threads, GemmParams.layout().byteSize(), pdl, median(enqueue), median(drained));
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
