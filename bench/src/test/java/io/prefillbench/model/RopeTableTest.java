package io.prefillbench.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RopeTableTest {

    @Test
    void layoutCosThenSin() {
        RopeTable t = RopeTable.of(10000, 64, 100);
        assertEquals(100 * 64, t.flat().length);
        for (int i = 0; i < 32; i++) {
            assertEquals(1.0f, t.flat()[i]);          // cos(0)
            assertEquals(0.0f, t.flat()[32 + i]);     // sin(0)
        }
        // position 7, pair 3: angle 7 * 10000^(-6/64) in double
        double angle = 7 * Math.pow(10000, -6.0 / 64);
        assertEquals((float) Math.cos(angle), t.flat()[7 * 64 + 3]);
        assertEquals((float) Math.sin(angle), t.flat()[7 * 64 + 32 + 3]);
        assertEquals(t.cos(7, 3), t.flat()[7 * 64 + 3]);
        assertEquals(t.sin(7, 3), t.flat()[7 * 64 + 35]);
        // pair 0 always has frequency 1
        assertEquals((float) Math.cos(99), t.cos(99, 0));
    }

    @Test
    void rowsDoNotDependOnTableSize() {
        RopeTable small = RopeTable.of(500000, 128, 50);
        RopeTable big = RopeTable.of(500000, 128, 5000);
        float[] prefix = java.util.Arrays.copyOf(big.flat(), small.flat().length);
        assertArrayEquals(small.flat(), prefix);
    }

    @Test
    void rotationIsTheComplexProduct() {
        SplittableRandom r = new SplittableRandom(11);
        for (int d : new int[] {64, 128}) {
            RopeTable t = RopeTable.of(10000, d, 3000);
            double[] inv = RopeTable.invFreq(10000, d);
            for (int trial = 0; trial < 20; trial++) {
                int pos = r.nextInt(3000);
                float[] x = new float[d];
                for (int j = 0; j < d; j++) {
                    x[j] = (float) r.nextDouble(-2, 2);
                }
                float[] y = x.clone();
                t.rotate(y, 0, pos);
                double n0 = 0;
                double n1 = 0;
                for (int i = 0; i < d / 2; i++) {
                    // (x1 + i x2) * e^{i theta}
                    double a = pos * inv[i];
                    double re = x[i] * Math.cos(a) - x[i + d / 2] * Math.sin(a);
                    double im = x[i + d / 2] * Math.cos(a) + x[i] * Math.sin(a);
                    assertEquals(re, y[i], 2e-6);
                    assertEquals(im, y[i + d / 2], 2e-6);
                    n0 += x[i] * x[i] + x[i + d / 2] * x[i + d / 2];
                    n1 += (double) y[i] * y[i] + (double) y[i + d / 2] * y[i + d / 2];
                }
                assertEquals(n0, n1, 1e-5 * n0);
            }
        }
    }

    @Test
    void dotProductDependsOnlyOnRelativePosition() {
        RopeTable t = RopeTable.of(10000, 64, 1000);
        SplittableRandom r = new SplittableRandom(5);
        float[] q = new float[64];
        float[] k = new float[64];
        for (int j = 0; j < 64; j++) {
            q[j] = (float) r.nextDouble(-1, 1);
            k[j] = (float) r.nextDouble(-1, 1);
        }
        double a = rotatedDot(t, q, 10, k, 3);
        double b = rotatedDot(t, q, 510, k, 503);
        assertEquals(a, b, 1e-4);
        double c = rotatedDot(t, q, 10, k, 4); // a different offset gives a different score
        assertEquals(true, Math.abs(a - c) > 1e-3, a + " vs " + c);
    }

    private static double rotatedDot(RopeTable t, float[] q, int pq, float[] k, int pk) {
        float[] a = q.clone();
        float[] b = k.clone();
        t.rotate(a, 0, pq);
        t.rotate(b, 0, pk);
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += (double) a[j] * b[j];
        }
        return s;
    }
}
