package io.prefillbench.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvBlockAllocatorTest {

    @Test
    void pagesCoverTheTokensAndRunningOutIsAClearError() {
        KvBlockAllocator a = new KvBlockAllocator(4, 64);
        assertEquals(0, a.pagesFor(0));
        assertEquals(1, a.pagesFor(1));
        assertEquals(1, a.pagesFor(64));
        assertEquals(2, a.pagesFor(65));
        int[] p = a.allocate(130);
        assertEquals(3, p.length);
        assertEquals(1, a.freePages());
        assertFalse(a.canAllocate(65));
        KvBlockAllocator.CacheFullException e = assertThrows(KvBlockAllocator.CacheFullException.class, () -> a.allocate(65));
        assertEquals("KV cache full: 65 tokens need 2 pages of 64, 1 of 4 are free", e.getMessage());
        assertEquals(1, a.freePages(), "a failed allocation takes nothing");
        a.free(p);
        assertEquals(4, a.freePages());
    }

    @Test
    void doubleFreeAndForeignPagesThrowAndChangeNothing() {
        KvBlockAllocator a = new KvBlockAllocator(8, 16);
        int[] p = a.allocate(40);
        a.free(p);
        assertThrows(IllegalStateException.class, () -> a.free(p));
        assertEquals(8, a.freePages());
        int[] q = a.allocate(16);
        assertThrows(IllegalStateException.class, () -> a.free(new int[] {q[0], q[0]}));
        assertTrue(a.isAllocated(q[0]), "the rejected free left the page allocated");
        assertThrows(IllegalArgumentException.class, () -> a.free(new int[] {8}));
    }

    /** Random allocate/free: no page is ever held by two requests, and every page comes back. */
    @Test
    void randomTrafficNeverHandsOutAPageTwice() {
        Random rnd = new Random(11);
        KvBlockAllocator a = new KvBlockAllocator(50, 64);
        List<int[]> held = new ArrayList<>();
        BitSet owned = new BitSet();
        for (int i = 0; i < 20_000; i++) {
            if (!held.isEmpty() && rnd.nextInt(3) == 0) {
                int[] p = held.remove(rnd.nextInt(held.size()));
                for (int x : p) owned.clear(x);
                a.free(p);
            } else {
                int tokens = 1 + rnd.nextInt(700);
                if (!a.canAllocate(tokens)) {
                    assertThrows(KvBlockAllocator.CacheFullException.class, () -> a.allocate(tokens));
                    continue;
                }
                int[] p = a.allocate(tokens);
                for (int x : p) {
                    assertFalse(owned.get(x), "page " + x + " handed out twice");
                    owned.set(x);
                }
                held.add(p);
            }
            assertEquals(50 - owned.cardinality(), a.freePages());
        }
        for (int[] p : held) a.free(p);
        assertEquals(50, a.freePages());
        assertArrayEquals(new int[0], a.allocate(0));
    }
}
