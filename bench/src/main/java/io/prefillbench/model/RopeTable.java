package io.prefillbench.model;

/**
 * NeoX-style rotary embedding table, laid out as the kernels read it: {@code [positions, headDim]}
 * floats, row {@code p} holding {@code cos(p * f_i)} in columns {@code [0, D/2)} and
 * {@code sin(p * f_i)} in {@code [D/2, D)}, with {@code f_i = theta^(-2i/D)}. Frequencies, angles and
 * cos/sin are computed in double and cast to float once, so the host-built table the engine uploads
 * and the CPU reference agree bit for bit.
 */
public final class RopeTable {

    private final int positions;
    private final int headDim;
    private final float[] table; // [positions, headDim]

    private RopeTable(int positions, int headDim, float[] table) {
        this.positions = positions;
        this.headDim = headDim;
        this.table = table;
    }

    /** Table for {@code positions} positions. */
    public static RopeTable of(double theta, int headDim, int positions) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("head dim must be positive and even: " + headDim);
        }
        int half = headDim / 2;
        double[] invFreq = invFreq(theta, headDim);
        float[] t = new float[Math.multiplyExact(positions, headDim)];
        for (int p = 0; p < positions; p++) {
            int row = p * headDim;
            for (int i = 0; i < half; i++) {
                double angle = p * invFreq[i];
                t[row + i] = (float) Math.cos(angle);
                t[row + half + i] = (float) Math.sin(angle);
            }
        }
        return new RopeTable(positions, headDim, t);
    }

    /** Table for all of a model's positions. */
    public static RopeTable of(ModelConfig c) {
        return of(c.ropeTheta(), c.headDim(), c.maxPositions());
    }

    /** {@code theta^(-2i/D)} for {@code i < D/2}. */
    public static double[] invFreq(double theta, int headDim) {
        double[] f = new double[headDim / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.pow(theta, -2.0 * i / headDim);
        }
        return f;
    }

    public int positions() {
        return positions;
    }

    public int headDim() {
        return headDim;
    }

    /** The whole table, {@code [positions, headDim]}; shared, do not modify. */
    public float[] flat() {
        return table;
    }

    public float cos(int pos, int i) {
        return table[pos * headDim + i];
    }

    public float sin(int pos, int i) {
        return table[pos * headDim + headDim / 2 + i];
    }

    /**
     * Rotates {@code x[off, off + D)} in place at position {@code pos}: for {@code i < D/2},
     * {@code x1 = x[i], x2 = x[i + D/2]}, {@code out[i] = x1 cos - x2 sin},
     * {@code out[i + D/2] = x2 cos + x1 sin}. Float arithmetic, each product rounded (no fma).
     */
    public void rotate(float[] x, int off, int pos) {
        rotate(table, headDim, x, off, pos);
    }

    /** {@link #rotate(float[], int, int)} over a raw {@code [positions, headDim]} table. */
    public static void rotate(float[] cosSin, int headDim, float[] x, int off, int pos) {
        int half = headDim / 2;
        int row = pos * headDim;
        for (int i = 0; i < half; i++) {
            float c = cosSin[row + i];
            float s = cosSin[row + half + i];
            float x1 = x[off + i];
            float x2 = x[off + half + i];
            float a = x1 * c;
            float b = x2 * s;
            float d = x2 * c;
            float e = x1 * s;
            x[off + i] = a - b;
            x[off + half + i] = d + e;
        }
    }
}
