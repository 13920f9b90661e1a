package io.prefillbench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WeightInitTest {

    private static final long M = 0xffffffffL;

    /** Second implementation: uint32 emulated with longs masked to 32 bits, float ops emulated in double. */
    private static long mixL(long x) {
        x &= M;
        x ^= x >>> 16;
        x = (x * 0x7feb352dL) & M;
        x ^= x >>> 15;
        x = (x * 0x846ca68bL) & M;
        x ^= x >>> 16;
        return x;
    }

    private static float valueL(long seed, long tensorId, long i, float scale, float offset) {
        long h = mixL(seed * 0x9E3779B9L + tensorId);
        h = mixL(h ^ (i & M));
        h = mixL(h ^ (i >>> 32));
        double u = (h >>> 8) / 16777216.0;
        double t = 2 * u - 1; // exact: 25 significant bits
        float p = (float) (scale * t); // exact product in double, then one rounding to float
        return (float) ((double) offset + p); // double rounding of a float sum is innocuous
    }

    /** bf16 RNE by comparing distances to the two neighbours. */
    private static float bf16L(float v) {
        int bits = Float.floatToRawIntBits(v);
        float down = Float.intBitsToFloat(bits & 0xffff0000);
        float up = Float.intBitsToFloat((bits & 0xffff0000) + 0x10000);
        double dDown = Math.abs((double) v - down);
        double dUp = Math.abs((double) up - v);
        if (dDown < dUp) {
            return down;
        }
        if (dUp < dDown) {
            return up;
        }
        return ((Float.floatToRawIntBits(down) >>> 16) & 1) == 0 ? down : up;
    }

    @Test
    void matchesIndependentImplementation() {
        int[] seeds = {0, 1, 1234, -1};
        int[] ids = {1, 2, 3, 101, 100 + 16 * 17 + 6};
        long[] idx = {0, 1, 2, 255, 65535, 1_000_003, (1L << 32) - 1, 1L << 32, (1L << 32) + 7, 3L << 33};
        float[][] so = {{1.0f, 0.0f}, {0.1f, 1.0f}, {(float) Math.sqrt(3.0 / 1024), 0.0f}, {0.0625f, -2.0f}};
        int checked = 0;
        for (int seed : seeds) {
            for (int id : ids) {
                for (long i : idx) {
                    for (float[] p : so) {
                        float expected = bf16L(valueL(seed & M, id, i, p[0], p[1]));
                        float got = WeightInit.bf16ToFloat(WeightInit.bf16At(seed, id, i, p[0], p[1]));
                        assertEquals(expected, got, "seed " + seed + " id " + id + " i " + i);
                        checked++;
                    }
                }
            }
        }
        assertEquals(4 * 5 * 10 * 4, checked);
    }

    @Test
    void hashOfZeroAndAKnownVector() {
        assertEquals(0, WeightInit.mix(0));
        // mix(1) by hand with longs: ensures the constants are the kernel's
        assertEquals(mixL(1), WeightInit.mix(1) & M);
        // seed 0, tensor 0, i 0: every mix sees 0, so u = 0, t = -1, v = offset - scale
        assertEquals(-0.5f, WeightInit.bf16ToFloat(WeightInit.bf16At(0, 0, 0, 0.5f, 0.0f)));
    }

    @Test
    void bulkFillEqualsElementwise() {
        short[] s = new short[300];
        float[] f = new float[300];
        long start = (1L << 32) - 100; // crosses the high-word boundary
        WeightInit.fill(s, 7, 103, start, 0.25f, 0.5f);
        WeightInit.fill(f, 7, 103, start, 0.25f, 0.5f);
        for (int j = 0; j < s.length; j++) {
            short e = WeightInit.bf16At(7, 103, start + j, 0.25f, 0.5f);
            assertEquals(e, s[j]);
            assertEquals(WeightInit.bf16ToFloat(e), f[j]);
        }
    }

    @Test
    void valuesCoverTheRange() {
        float[] f = new float[100_000];
        WeightInit.fill(f, 42, 1, 0, 0.1f, 1.0f);
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE, sum = 0;
        for (float v : f) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        assertTrue(min >= 0.898 && min < 0.901, "min " + min); // bf16 ulp below 1 is 2^-8
        assertTrue(max <= 1.1015625 && max > 1.09, "max " + max); // bf16 ulp above 1 is 2^-7
        assertEquals(1.0, sum / f.length, 1e-3);
        // different seeds and tensors give different streams
        assertTrue(WeightInit.bf16At(42, 1, 5, 1f, 0f) != WeightInit.bf16At(43, 1, 5, 1f, 0f)
                || WeightInit.bf16At(42, 1, 6, 1f, 0f) != WeightInit.bf16At(43, 1, 6, 1f, 0f));
    }

    @Test
    void roundToNearestEven() {
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to the even mantissa, 1
        assertEquals(1.0f, WeightInit.roundBf16(1.00390625f));
        assertEquals(-1.0f, WeightInit.roundBf16(-1.00390625f));
        // 1 + 3*2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): rounds up
        assertEquals(1.015625f, WeightInit.roundBf16(1.01171875f));
        // just above the tie rounds up
        assertEquals(1.0078125f, WeightInit.roundBf16(Math.nextUp(1.00390625f)));
        assertEquals(1.0f, WeightInit.roundBf16(Math.nextDown(1.00390625f)));
        // exact bf16 values are unchanged, sign of zero kept
        assertEquals(0x3f80, WeightInit.floatToBf16(1.0f) & 0xffff);
        assertEquals(0x8000, WeightInit.floatToBf16(-0.0f) & 0xffff);
        // overflow past the largest bf16 goes to infinity, infinities stay
        assertEquals(Float.POSITIVE_INFINITY, WeightInit.roundBf16(Float.MAX_VALUE));
        assertEquals(Float.NEGATIVE_INFINITY, WeightInit.roundBf16(Float.NEGATIVE_INFINITY));
        // NaN stays NaN, even one whose payload would carry into the exponent
        assertTrue(Float.isNaN(WeightInit.roundBf16(Float.NaN)));
        assertTrue(Float.isNaN(WeightInit.roundBf16(Float.intBitsToFloat(0x7fffffff))));
        assertTrue(Float.isNaN(WeightInit.roundBf16(Float.intBitsToFloat(0xff80ffff))));
        // subnormals round like everything else
        assertEquals(Float.intBitsToFloat(0x00010000), WeightInit.roundBf16(Float.intBitsToFloat(0x00018000 - 1)));
        assertEquals(Float.intBitsToFloat(0x00020000), WeightInit.roundBf16(Float.intBitsToFloat(0x00018000)));
    }

    @Test
    void roundingAgreesWithNeighbourComparison() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int n = 0; n < 100_000; n++) {
            float v = Float.intBitsToFloat(r.nextInt() & 0xbfffffff); // finite: exponent below 0xff
            assertEquals(bf16L(v), WeightInit.roundBf16(v), "bits " + Integer.toHexString(Float.floatToRawIntBits(v)));
        }
    }
}
