package io.prefillbench.results;

import io.prefillbench.engine.FirstTokenWait;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RunConfigTest {
    @Test
    void aFileWithoutFirstTokensSynchronizedAsTheEnginesSyncRecordSays() {
        assertEquals(FirstTokenWait.SYNC.recorded(), RunConfig.FIRST_TOKENS_SYNC);
        RunConfig before = SyntheticRuns.config(null);
        assertEquals(FirstTokenWait.SYNC.recorded(), before.conditions().get("firstTokens"));
        assertEquals(FirstTokenWait.SPIN.recorded(), SyntheticRuns.config(FirstTokenWait.SPIN.recorded()).conditions().get("firstTokens"));
    }

    @Test
    void aFileWithoutWarmupMsWarmedUpByCountOnly() {
        RunConfig c = SyntheticRuns.config(RunConfig.FIRST_TOKENS_SYNC);
        RunConfig before = new RunConfig(c.model(), c.modelShape(), c.sizes(), c.maxNumSeqs(), c.warmup(), c.iterations(), c.seed(), c.gemm(),
                c.maxModelLen(), c.timedBy(), c.pdl(), c.padRatio(), c.padSlack(), c.modeOrder(), c.slowdownCycles(), c.implChoices(),
                c.libraryEdges(), c.hostTiming(), c.firstTokens(), null, c.primeMs());
        assertEquals(0L, before.conditions().get("warmupMs"));
        assertEquals(c.conditions(), before.conditions());
    }

    @Test
    void aFileWithoutPrimeMsWasNotPrimed() {
        RunConfig c = SyntheticRuns.config(RunConfig.FIRST_TOKENS_SYNC);
        RunConfig before = new RunConfig(c.model(), c.modelShape(), c.sizes(), c.maxNumSeqs(), c.warmup(), c.iterations(), c.seed(), c.gemm(),
                c.maxModelLen(), c.timedBy(), c.pdl(), c.padRatio(), c.padSlack(), c.modeOrder(), c.slowdownCycles(), c.implChoices(),
                c.libraryEdges(), c.hostTiming(), c.firstTokens(), c.warmupMs(), null);
        assertEquals(0L, before.conditions().get("primeMs"));
        assertEquals(c.conditions(), before.conditions());
    }
}
