package io.prefillbench.cli;

import io.prefillbench.cuda.CopyBandwidth;
import io.prefillbench.cuda.CudaException;
import io.prefillbench.engine.PrefillEngine;
import io.prefillbench.engine.PrefillRunner;
import io.prefillbench.engine.SeqInput;
import io.prefillbench.profile.ForwardProfile;
import io.prefillbench.profile.OpFamily;
import io.prefillbench.profile.StepTimes;
import io.prefillbench.results.Floor;
import io.prefillbench.results.Profile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The measurements {@code prefill} takes after each workload's timed loop (never inside it): the profiling pass
 * (GPU time per op, summed per family), the eager enqueue time per forward and per launch, and once per run the
 * weight-streaming floor. In the default run the profiling pass is short ({@value #SHORT_REPEATS} runs per
 * workload, a few tens of ms); {@code --profile} takes {@value #FULL_REPEATS} and prints every GEMM op.
 */
final class ProfilePass {
    static final int SHORT_REPEATS = 11;
    static final int FULL_REPEATS = 51;
    static final int ENQUEUE_REPEATS = 21;
    static final int COPY_REPEATS = 7;

    private ProfilePass() {
    }

    static Profile profile(PrefillEngine engine, PrefillRunner.Prepared prepared, int repeats) {
        List<StepTimes> steps = new ArrayList<>();
        for (List<SeqInput> step : prepared.steps()) steps.add(engine.profileOps(step, repeats));
        return of(ForwardProfile.of(steps), repeats, steps.stream().anyMatch(StepTimes::starved));
    }

    static String method(int repeats, boolean starved) {
        return Profile.METHOD_PREFIX + ": each forward step issued eagerly with PDL off, the whole step queued behind a busy kernel,"
                + " an event recorded before the first op and after each op; per op the median of " + repeats + " runs."
                + " Serial times: the timed runs overlap ops with PDL, so the sum exceeds their GPU time"
                + (starved ? "; WARNING: the GPU waited for the host in some runs, so some op times include launch gaps" : "");
    }

    /** The JSON block of a profile (pure arithmetic). */
    static Profile of(ForwardProfile fp, int repeats, boolean starved) {
        List<Profile.OpFamilyTime> fams = new ArrayList<>();
        Map<OpFamily, Double> shares = fp.familyShares();
        for (var e : fp.familyUs().entrySet()) fams.add(new Profile.OpFamilyTime(e.getKey().label(), e.getValue(), shares.get(e.getKey())));
        List<Profile.GemmTime> gemms = new ArrayList<>();
        for (ForwardProfile.GemmRow g : fp.gemms())
            gemms.add(new Profile.GemmTime(g.op(), g.n(), g.k(), g.m(), g.mReal(), g.splits(), g.impl(), g.gpuUs(), g.tbPerS(),
                    g.tflopPerS(), g.tflopPerSAtCapacity()));
        List<Profile.GemmShapeTime> shapes = new ArrayList<>();
        for (ForwardProfile.ShapeRow s : fp.gemmShapes())
            shapes.add(new Profile.GemmShapeTime(s.n(), s.k(), s.m(), s.splits(), s.impl(), s.count(), s.gpuUs(), s.tbPerS(),
                    s.tflopPerS(), s.tflopPerSAtCapacity()));
        return new Profile(method(repeats, starved), false, repeats, fp.totalUs(), fams, gemms, shapes);
    }

    /**
     * Host time of issuing one eager run of the workload (every step's launches, no synchronize inside a
     * step), median over {@value #ENQUEUE_REPEATS} runs after three untimed ones: {microseconds per run, per launch}.
     */
    static double[] enqueue(PrefillEngine engine, PrefillRunner.Prepared prepared) {
        int launches = 0;
        for (List<SeqInput> step : prepared.steps()) launches += engine.eagerLaunches(engine.bucketFor(tokens(step)).orElseThrow(), step);
        double[] us = new double[ENQUEUE_REPEATS];
        for (int r = -3; r < ENQUEUE_REPEATS; r++) {
            long ns = 0;
            for (List<SeqInput> step : prepared.steps()) ns += engine.eagerEnqueueNanos(step);
            if (r >= 0) us[r] = ns / 1e3;
        }
        Arrays.sort(us);
        double median = us[ENQUEUE_REPEATS / 2];
        return new double[] {median, median / launches};
    }

    /**
     * The weight-streaming floor: a 1 GiB device-to-device copy (median of {@value #COPY_REPEATS}); when 2 GiB do not
     * fit beside the engine, 256 MiB (still far beyond L2), which {@code copyBytes} records.
     */
    static Floor floor(long weightBytes) {
        CopyBandwidth bw;
        try {
            bw = CopyBandwidth.measure(CopyBandwidth.DEFAULT_BYTES, COPY_REPEATS);
        } catch (CudaException e) {
            if (!e.isOutOfMemory()) throw e;
            bw = CopyBandwidth.measure(CopyBandwidth.DEFAULT_BYTES / 4, COPY_REPEATS);
        }
        double tbps = bw.tbPerS();
        return new Floor(tbps, weightBytes, Floor.streamMs(weightBytes, tbps), bw.bytes(),
                "cudaMemcpyAsync device to device of " + bw.bytes() + " bytes, median of " + bw.repeats()
                        + " event-timed copies, bytes read + written; floor = weight bytes / that bandwidth");
    }

    private static int tokens(List<SeqInput> seqs) {
        int t = 0;
        for (SeqInput s : seqs) t += s.tokens().length;
        return t;
    }
}
