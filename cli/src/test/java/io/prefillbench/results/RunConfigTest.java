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
}
