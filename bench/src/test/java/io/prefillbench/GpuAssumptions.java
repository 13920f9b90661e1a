package io.prefillbench;

import io.prefillbench.cuda.Cuda;
import org.junit.jupiter.api.Assumptions;

/** GPU tests call {@link #assumeGpu()} first: without a driver or GPU they are skipped with the reason. */
public final class GpuAssumptions {
    private static final java.util.Optional<String> REASON = Cuda.unavailableReason();

    private GpuAssumptions() {
    }

    public static void assumeGpu() {
        Assumptions.assumeTrue(REASON.isEmpty(), () -> "skipped, needs a CUDA GPU: " + REASON.orElse(""));
    }
}
