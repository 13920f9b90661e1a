package io.prefillbench.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FirstTokenWaitTest {
    @Test
    void parsesEitherNameInAnyCaseAndRefusesOthersNamingBoth() {
        assertEquals(FirstTokenWait.SYNC, FirstTokenWait.parse("sync"));
        assertEquals(FirstTokenWait.SPIN, FirstTokenWait.parse(" SPIN "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FirstTokenWait.parse("poll"));
        assertEquals("--first-tokens takes sync or spin, not 'poll'", e.getMessage());
    }
}
