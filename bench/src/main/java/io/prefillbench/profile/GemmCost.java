package io.prefillbench.profile;

/**
 * Bytes and FLOPs of one bf16 GEMM c[m, n] = a[m, k] * w[n, k]^T, the fewest its kernel must move: the weights
 * once, the activations once, the output once. With split-K the kernel writes {@code splits} fp32 partials
 * instead of the bf16 output (the op that sums them writes c), so the output term is {@code splits * m * n * 4}.
 */
public final class GemmCost {
    private GemmCost() {
    }

    /** Weights n*k*2 + A m*k*2 + output (m*n*2, or splits*m*n*4 fp32 partials when split). */
    public static long bytes(int n, int k, int m, int splits) {
        long out = splits > 1 ? (long) splits * m * n * 4 : (long) m * n * 2;
        return (long) n * k * 2 + (long) m * k * 2 + out;
    }

    /** 2*m*n*k. */
    public static double flops(int n, int k, int m) {
        return 2.0 * m * n * k;
    }

    /** Terabytes (1e12) per second. */
    public static double tbPerS(long bytes, double us) {
        return us > 0 ? bytes / (us * 1e-6) / 1e12 : 0;
    }

    /** TFLOP (1e12) per second. */
    public static double tflopPerS(double flops, double us) {
        return us > 0 ? flops / (us * 1e-6) / 1e12 : 0;
    }
}
