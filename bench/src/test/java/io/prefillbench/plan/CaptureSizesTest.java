package io.prefillbench.plan;

import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureSizesTest {
    private static void assertRejected(String spec, int max, String... fragments) {
        var e = assertThrows(BenchException.class, () -> CaptureSizes.parse(spec, max));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should contain '" + f + "'");
        }
        assertEquals(2, e.exitCode());
    }

    @Test
    void parsesSortsAndTrims() {
        var sizes = CaptureSizes.parse(" 512, 16 ,64", 4096);
        assertArrayEquals(new int[] {16, 64, 512}, sizes.sizes());
        assertEquals(512, sizes.largest());
        assertEquals("16,64,512", sizes.toString());
        assertEquals(sizes, CaptureSizes.parse(List.of("64", "512", "16"), 4096));
    }

    @Test
    void rejectsBadLists() {
        assertRejected("", 4096, "empty");
        assertRejected("16,,64", 4096, "entry 2", "empty");
        assertRejected("16,abc", 4096, "'abc'", "not an integer");
        assertRejected("16,0", 4096, "0", ">= 1");
        assertRejected("-8,16", 4096, "-8", ">= 1");
        assertRejected("16,64,16", 4096, "16", "twice");
        assertRejected("16,5000", 4096, "5000", "maximum 4096", "model max length");
        assertRejected("16,20000", 100000, "20000", "16384", "hard cap");
        assertRejected("16,99999999999", 4096, "99999999999 is above the maximum 4096");
        assertThrows(BenchException.class, () -> CaptureSizes.of(List.of(), 4096));
    }

    @Test
    void bucketIsSmallestSizeAtLeastTokens() {
        var sizes = CaptureSizes.parse("16,64,512", 4096);
        assertEquals(OptionalInt.of(16), sizes.bucketFor(1));
        assertEquals(OptionalInt.of(16), sizes.bucketFor(16));
        assertEquals(OptionalInt.of(64), sizes.bucketFor(17));
        assertEquals(OptionalInt.of(512), sizes.bucketFor(65));
        assertEquals(OptionalInt.of(512), sizes.bucketFor(512));
        assertEquals(OptionalInt.empty(), sizes.bucketFor(513));
        assertThrows(IllegalArgumentException.class, () -> sizes.bucketFor(0));
    }

    @Test
    void defaultsAndStepped() {
        assertEquals(List.of(8, 16, 32, 48, 64, 96, 128, 192, 256, 320, 384, 448, 512), CaptureSizes.defaults().asList());
        var stepped = CaptureSizes.stepped(8, 512);
        assertEquals(64, stepped.count());
        assertEquals(8, stepped.sizes()[0]);
        assertEquals(512, stepped.largest());
        assertEquals(OptionalInt.of(72), stepped.bucketFor(65));
        assertEquals(96, CaptureSizes.stepped(32, 100).largest());
        assertThrows(BenchException.class, () -> CaptureSizes.stepped(0, 512));
        assertThrows(BenchException.class, () -> CaptureSizes.stepped(8, 20000));
    }
}
