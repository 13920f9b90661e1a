package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.cuda.CopyBandwidth;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.cuda.LaunchCost;
import io.prefillbench.profile.ForwardProfile;
import io.prefillbench.profile.StepTimes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The profiling pass returns one time per lowered op, every one positive, and their sum is within a sane factor
 * of the forward's own GPU time: the graph replay of the same batch (events around the replay; no launch gaps, which
 * an eager forward's GPU time would include). The pass runs with PDL off and serialised by events, so its sum may
 * exceed the PDL replay somewhat; it must not be a multiple of it, nor a fraction.
 */
@Tag("gpu")
class OpProfileGpuTest {
    @ParameterizedTest(name = "{0}: {1} tokens")
    @CsvSource({"ernie-4.5-0.3b, 10", "ernie-4.5-0.3b, 480", "tiny, 40"})
    void oneTimePerOpAllPositiveSummingNearTheForward(String preset, int tokens) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config(preset, "16,64,512", 8, 2048);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            List<SeqInput> batch = EngineTestSupport.batch(new Random(7), new int[] {tokens}, cfg.model().vocab());
            int size = e.bucketFor(tokens).getAsInt();
            e.capture(size);
            double[] forwardMs = new double[9];
            for (int i = 0; i < 3; i++) e.graph(batch); // warm-up
            for (int i = 0; i < forwardMs.length; i++) {
                e.graph(batch);
                forwardMs[i] = e.lastGpuMillis();
            }
            java.util.Arrays.sort(forwardMs);
            double forwardUs = forwardMs[forwardMs.length / 2] * 1000;

            StepTimes t = e.profileOps(batch, 7);
            // the plan the batch runs: a fresh prompt at ERNIE's 16 runs its fresh-prompt plan (attention folded into o)
            var runs = e.runsFreshPlan(size, batch) ? e.lowered().freshPlan(size).orElseThrow() : e.lowered().plan(size);
            assertEquals(runs, t.plan(), "the profile is of the plan the batch runs");
            assertEquals(runs.ops().size(), t.opUs().length, "one time per lowered op");
            for (int i = 0; i < t.opUs().length; i++)
                assertTrue(t.opUs()[i] > 0, "op " + t.plan().ops().get(i).op().name() + " took " + t.opUs()[i] + " us");
            assertFalse(t.starved(), "the GPU waited for the host between ops: the busy kernel in front was too short");
            double sum = ForwardProfile.of(List.of(t)).totalUs();
            assertTrue(sum > 0.5 * forwardUs && sum < 4 * forwardUs,
                    "sum of op times " + sum + " us vs the graph replay's GPU time " + forwardUs + " us");

            long ns = e.eagerEnqueueNanos(batch);
            assertTrue(ns > 0 && ns < 1_000_000_000L, "enqueue of one eager forward took " + ns + " ns");
        }
    }

    @Test
    void copyBandwidthAndLaunchCostArePlausible() {
        GpuAssumptions.assumeGpu();
        // 256 MiB is enough for a plausibility check; prefill copies 1 GiB
        CopyBandwidth bw = CopyBandwidth.measure(256L << 20, 3);
        assertTrue(bw.tbPerS() > 0.05 && bw.tbPerS() < 20, "device-to-device copy at " + bw.tbPerS() + " TB/s");
        try (KernelLibrary lib = KernelLibrary.load()) {
            LaunchCost c = LaunchCost.measure(lib, 169, 5, 16, 128, false);
            assertTrue(c.enqueueUs() > 0 && c.enqueueUs() < 1000, "enqueue " + c.enqueueUs() + " us per launch");
            assertTrue(c.drainedUs() >= c.enqueueUs(), "draining cannot be faster than enqueuing: " + c);
        }
    }
}
