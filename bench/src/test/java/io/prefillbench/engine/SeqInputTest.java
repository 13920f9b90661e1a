package io.prefillbench.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeqInputTest {
    @Test
    void aBatchIsUniformDecodeOnlyWhenEverySequenceIsOneTokenAfterAPrefix() {
        SeqInput decode = new SeqInput(new int[] {7}, 100, 0), decode2 = new SeqInput(new int[] {3}, 1, 1);
        assertTrue(SeqInput.uniformDecode(List.of(decode)));
        assertTrue(SeqInput.uniformDecode(List.of(decode, decode2)));
        assertFalse(SeqInput.uniformDecode(List.of()), "an empty batch is no decode batch");
        assertFalse(SeqInput.uniformDecode(List.of(new SeqInput(new int[] {7}, 0, 0))), "a one-token prompt has no prefix");
        assertFalse(SeqInput.uniformDecode(List.of(decode, new SeqInput(new int[] {1, 2}, 100, 1))), "a two-token chunk makes it mixed");
        assertFalse(SeqInput.uniformDecode(List.of(decode, new SeqInput(new int[8], 0, 1))), "a prompt makes it mixed");
    }
}
