package io.prefillbench.results;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "NxL" as prefill's --batch and the PyTorch baseline's "batch" spell it. */
class BatchShapeTest {
    @Test
    void parsesWholeNumbersJoinedByX() {
        BatchShape b = BatchShape.parse("4x80").orElseThrow();
        assertEquals(new BatchShape(4, 80), b);
        assertEquals(List.of(80, 80, 80, 80), b.seqLens());
        assertTrue(b.positive());
        assertFalse(BatchShape.parse("0x80").orElseThrow().positive(), "zeros parse, callers refuse them");
        for (String bad : new String[] {"4x", "x80", "4*80", "4x80x2", " 4x80", "4X80", "-1x80", "9999999999x1", ""}) {
            assertEquals(Optional.empty(), BatchShape.parse(bad), bad);
        }
    }
}
