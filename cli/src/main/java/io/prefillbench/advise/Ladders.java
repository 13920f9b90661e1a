package io.prefillbench.advise;

import java.util.ArrayList;
import java.util.List;

/** Fixed capture-size ladders engines ship, for comparison; each truncated to a curve's token range. */
public final class Ladders {
    private Ladders() {
    }

    /** 1, 2, 4, 8, 16, ... */
    public static int[] powersOfTwo(int lo, int hi) {
        List<Integer> s = new ArrayList<>();
        for (long v = 1; v <= hi; v *= 2) s.add((int) v);
        return within(s, lo, hi);
    }

    /** vLLM-like: 1, 2, 4, then every 8 up to 256, then every 16 up to 512. */
    public static int[] vllmLike(int lo, int hi) {
        List<Integer> s = new ArrayList<>(List.of(1, 2, 4));
        for (int v = 8; v <= 256; v += 8) s.add(v);
        for (int v = 272; v <= 512; v += 16) s.add(v);
        return within(s, lo, hi);
    }

    /** SGLang-like: every 4 up to 32, 16 up to 256, 32 up to 512, 64 up to 1024, and so on doubling. */
    public static int[] sglangLike(int lo, int hi) {
        List<Integer> s = new ArrayList<>();
        for (int v = 4; v <= 32; v += 4) s.add(v);
        int step = 16, end = 256, v = 32 + step;
        while (v <= Math.max(hi, 256)) {
            for (; v <= end; v += step) s.add(v);
            step *= 2;
            v = end + step;
            end *= 2;
        }
        return within(s, lo, hi);
    }

    private static int[] within(List<Integer> s, int lo, int hi) {
        return s.stream().mapToInt(Integer::intValue).filter(v -> v >= lo && v <= hi).distinct().sorted().toArray();
    }
}
