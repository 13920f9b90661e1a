package io.prefillbench;

import io.prefillbench.cuda.Cuda;
import io.prefillbench.cuda.KernelLibrary;
import org.junit.jupiter.api.Assumptions;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * GPU tests call {@link #assumeGpu()} at the start of each test (never in {@code @BeforeAll}: a class-level skip makes
 * Surefire count the tests as not run rather than skipped). Without a driver, a GPU or the kernels they are skipped
 * with the reason, which is printed once on the console.
 */
public final class GpuAssumptions {
    private static final Optional<String> REASON = KernelLibrary.packed() ? Cuda.unavailableReason()
            : Optional.of(KernelLibrary.BUILT_WITHOUT_KERNELS);
    private static final AtomicBoolean SAID = new AtomicBoolean();

    private GpuAssumptions() {
    }

    /** Whether GPU tests can run here; for {@code @BeforeAll} set-up that must not touch a missing GPU. */
    public static boolean available() {
        return REASON.isEmpty();
    }

    public static void assumeGpu() {
        if (REASON.isPresent() && SAID.compareAndSet(false, true)) {
            System.out.println("GPU tests are skipped (counted as skipped), they need a CUDA GPU: " + REASON.get());
        }
        Assumptions.assumeTrue(REASON.isEmpty(), () -> "skipped, needs a CUDA GPU: " + REASON.orElse(""));
    }
}
