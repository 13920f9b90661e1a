package io.prefillbench.advise;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class LaddersTest {
    @Test
    void laddersAsEnginesShipThemTruncatedToTheCurve() {
        assertArrayEquals(new int[]{8, 16, 32, 64, 128, 256, 512}, Ladders.powersOfTwo(8, 512));
        int[] vllm = IntStream.concat(IntStream.rangeClosed(1, 32).map(i -> 8 * i), IntStream.rangeClosed(17, 32).map(i -> 16 * i)).toArray();
        assertArrayEquals(vllm, Ladders.vllmLike(8, 512));
        assertArrayEquals(new int[]{1, 2, 4, 8}, Ladders.vllmLike(1, 8));
        int[] sglang = IntStream.of(IntStream.rangeClosed(1, 8).map(i -> 4 * i).toArray()).toArray();
        int[] more = IntStream.concat(IntStream.rangeClosed(3, 16).map(i -> 16 * i), IntStream.concat(IntStream.rangeClosed(9, 16).map(i -> 32 * i),
                IntStream.rangeClosed(9, 16).map(i -> 64 * i))).toArray();
        assertArrayEquals(IntStream.concat(IntStream.of(sglang), IntStream.of(more)).filter(v -> v >= 8).toArray(), Ladders.sglangLike(8, 1024));
        assertArrayEquals(new int[]{1152, 1280}, Ladders.sglangLike(1025, 1300));
    }
}
