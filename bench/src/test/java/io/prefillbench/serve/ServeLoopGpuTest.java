package io.prefillbench.serve;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.engine.EngineConfig;
import io.prefillbench.engine.KvBlockAllocator;
import io.prefillbench.engine.PrefillEngine;
import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The serving loop with real forwards: a burst of Poisson arrivals with chunked prompts through
 * each policy; every request finishes, mixed and prefill-first replay every step from graphs
 * (prefill, decode and mixed steps alike), eager none, prefill-first never mixes, and the pages
 * all come back.
 */
@Tag("gpu")
class ServeLoopGpuTest {
    @ParameterizedTest
    @EnumSource(Policy.class)
    void everyRequestFinishesThroughTheSameGraphs(Policy policy) {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = new EngineConfig(Presets.byName("tiny"), CaptureSizes.parse("16,64,128", CaptureSizes.HARD_CAP), 8, 512, 1234);
        List<Request> reqs = Arrivals.poisson(4000, new LengthDistribution.Uniform(1, 300), new LengthDistribution.Uniform(1, 40), 24, null,
                cfg.maxModelLen(), cfg.model().vocab(), 5);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            if (policy.graphs()) for (int s : cfg.sizes().sizes()) e.capture(s);
            KvBlockAllocator kv = KvBlockAllocator.forEngine(cfg);
            Scheduler s = new Scheduler(policy, new Scheduler.Limits(128, 8, 4, 20_000_000L), kv);
            ServeLoop.Outcome o = new ServeLoop(s, new EngineStepExecutor(e), ServeClock.SYSTEM).run(reqs, null);
            ServeSummary sum = o.summary();
            assertEquals(24, sum.requests());
            assertEquals(policy.graphs() ? sum.steps() : 0, sum.graphSteps(), "graph steps");
            if (policy == Policy.PREFILL_FIRST) assertEquals(0, sum.mixedSteps());
            if (policy == Policy.MIXED) assertTrue(sum.mixedSteps() > 0, "a burst should produce mixed steps");
            assertTrue(sum.decodeSteps() > 0);
            assertEquals(kv.totalPages(), kv.freePages());
            for (RequestRecord r : o.requests()) assertTrue(r.ttftMs() > 0 && r.latencyMs() >= r.ttftMs(), "request " + r.id());
            for (StepRecord st : o.steps()) assertTrue(st.paddedTokens() >= st.tokens(), "step " + st.index());
        }
    }
}
