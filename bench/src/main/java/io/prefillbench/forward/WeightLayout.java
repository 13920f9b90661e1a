package io.prefillbench.forward;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where weight rows sit on the device, when lowering wants them elsewhere than the natural layout of
 * {@link io.prefillbench.model.WeightSpec}: a row permutation per weight, chosen by lowering, recorded in
 * the plan and applied once when the engine lays the weights out (the values stay those of the natural
 * layout: only where they sit changes). The CPU reference keeps the natural layout.
 *
 * @param interleaved weight name -> its row interleave (weights not named keep the natural layout)
 */
public record WeightLayout(Map<String, RowInterleave> interleaved) {
    public WeightLayout {
        interleaved = Collections.unmodifiableMap(new TreeMap<>(interleaved));
    }

    /** Every weight in its natural layout. */
    public static WeightLayout natural() {
        return new WeightLayout(Map.of());
    }

    /** The interleave of a weight, or null when it keeps the natural layout. */
    public RowInterleave of(String weight) {
        return interleaved.get(weight);
    }

    /**
     * Rows {@code [0, half)} (gate) and {@code [half, 2 half)} (up) interleaved in groups of {@code group}:
     * device row {@code 2g*b + i} holds gate row {@code g*b + i}, device row {@code 2g*b + g + i} up row
     * {@code half + g*b + i} ({@code i < g}). A GEMM with these weights writes gate and up of one output
     * column group side by side, which is what the fused SiLU epilogue needs; the values are unchanged.
     */
    public record RowInterleave(int half, int group) {
        public RowInterleave {
            if (group < 1 || half < 1 || half % group != 0) {
                throw new IllegalArgumentException("row interleave needs half % group == 0, got half " + half + ", group " + group);
            }
        }

        public int rows() {
            return 2 * half;
        }

        /** The natural row held by device row {@code r}. */
        public int sourceRow(int r) {
            int b = r / (2 * group), q = r % (2 * group);
            return q < group ? b * group + q : half + b * group + (q - group);
        }

        /** The device row holding natural row {@code s}. */
        public int deviceRow(int s) {
            boolean up = s >= half;
            int j = up ? s - half : s;
            return (j / group) * 2 * group + (up ? group : 0) + j % group;
        }

        /** {@code natural [2 half, cols]} laid out on the device. */
        public float[] apply(float[] natural, int cols) {
            check(natural, cols);
            float[] out = new float[natural.length];
            for (int r = 0; r < rows(); r++) System.arraycopy(natural, sourceRow(r) * cols, out, r * cols, cols);
            return out;
        }

        /** The inverse of {@link #apply}. */
        public float[] invert(float[] device, int cols) {
            check(device, cols);
            float[] out = new float[device.length];
            for (int r = 0; r < rows(); r++) System.arraycopy(device, r * cols, out, sourceRow(r) * cols, cols);
            return out;
        }

        private void check(float[] w, int cols) {
            if ((long) rows() * cols != w.length) {
                throw new IllegalArgumentException("expected [" + rows() + ", " + cols + "], got " + w.length + " elements");
            }
        }
    }
}
