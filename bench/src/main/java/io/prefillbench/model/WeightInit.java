package io.prefillbench.model;

/**
 * Deterministic synthetic weights, bit-identical to the CUDA kernel {@code init_uniform_bf16}:
 * {@code dst[i] = bf16_rne(offset + scale * (2u - 1))} with {@code u} a 24-bit hash of
 * (seed, tensor id, i). Java int arithmetic wraps like uint32, so the hash is written with ints
 * and unsigned shifts.
 */
public final class WeightInit {

    private WeightInit() {}

    /** The murmur3-style finalizer of the kernel (lowbias32 constants). */
    static int mix(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    /** Per-tensor part of the hash; hoisted out of bulk loops. */
    static int tensorHash(int seed, int tensorId) {
        return mix(seed * 0x9E3779B9 + tensorId);
    }

    /** u in [0, 1) with 24 random bits: exact in float. */
    static float uniform(int tensorHash, long i) {
        int h = mix(tensorHash ^ (int) i);
        h = mix(h ^ (int) (i >>> 32));
        return (float) (h >>> 8) * (1.0f / 16777216.0f);
    }

    /** The float before bf16 rounding: {@code offset + scale * (2u - 1)}, two rounded ops, no fma. */
    static float value(int tensorHash, long i, float scale, float offset) {
        float t = 2.0f * uniform(tensorHash, i) - 1.0f;
        float p = scale * t;
        return offset + p;
    }

    /** Element {@code i} of tensor {@code tensorId} as bf16 bits. */
    public static short bf16At(int seed, int tensorId, long i, float scale, float offset) {
        return floatToBf16(value(tensorHash(seed, tensorId), i, scale, offset));
    }

    /** Fills {@code dst[j] = bf16At(seed, tensorId, start + j, ...)}. */
    public static void fill(short[] dst, int seed, int tensorId, long start, float scale, float offset) {
        int th = tensorHash(seed, tensorId);
        for (int j = 0; j < dst.length; j++) {
            dst[j] = floatToBf16(value(th, start + j, scale, offset));
        }
    }

    /** Fills {@code dst[j]} with the float value of {@code bf16At(seed, tensorId, start + j, ...)}. */
    public static void fill(float[] dst, int seed, int tensorId, long start, float scale, float offset) {
        fill(dst, 0, dst.length, seed, tensorId, start, scale, offset);
    }

    /** Fills {@code dst[from + j]}, {@code j < count}, with element {@code start + j} of the tensor. */
    public static void fill(float[] dst, int from, int count, int seed, int tensorId, long start, float scale,
            float offset) {
        int th = tensorHash(seed, tensorId);
        for (int j = 0; j < count; j++) {
            dst[from + j] = roundBf16(value(th, start + j, scale, offset));
        }
    }

    /** Whole tensor of a {@link WeightSpec} as floats holding bf16 values. */
    public static float[] tensor(int seed, WeightSpec.Tensor t) {
        float[] out = new float[Math.toIntExact(t.elements())];
        fill(out, seed, t.tensorId(), 0, t.scale(), t.offset());
        return out;
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round to nearest, ties to even; NaN stays a (quiet) NaN, infinities stay infinite. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            // NaN: rounding could carry into the exponent and make it infinity; keep sign, force quiet bit
            return (short) ((bits >>> 16) | 0x0040);
        }
        bits += 0x7fff + ((bits >>> 16) & 1);
        return (short) (bits >>> 16);
    }

    /** {@code f} rounded to the nearest bf16 value, as a float. */
    public static float roundBf16(float f) {
        return bf16ToFloat(floatToBf16(f));
    }

    public static float[] toFloats(short[] bf16) {
        float[] out = new float[bf16.length];
        for (int i = 0; i < bf16.length; i++) {
            out[i] = bf16ToFloat(bf16[i]);
        }
        return out;
    }

    public static short[] toBf16(float[] values) {
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = floatToBf16(values[i]);
        }
        return out;
    }
}
