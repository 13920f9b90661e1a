package io.prefillbench.cuda;

import io.prefillbench.BenchException;
import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The checked-call helper: every CUDA runtime return code goes through {@link #check}, which throws
 * {@link CudaException} with the call text, cudaGetErrorName and cudaGetErrorString. Also the few
 * process-wide queries (versions, device count, memory info).
 */
public final class Cuda {
    public static final int SUCCESS = 0;
    /** cudaErrorInsufficientDriver, cudaErrorNoDevice: what a machine without driver or GPU answers. */
    public static final int ERROR_INSUFFICIENT_DRIVER = 35;
    public static final int ERROR_NO_DEVICE = 100;
    /** cudaErrorNoKernelImageForDevice: the fatbin has no code this GPU can run. */
    public static final int ERROR_NO_KERNEL_IMAGE = 209;

    private Cuda() {
    }

    /** Loads libcudart.so.13 (once) and refuses another major version of the runtime. */
    public static void init() {
        NativeLibraries.load(NativeLibraries.Lib.CUDART);
        int rt = runtimeVersion();
        if (rt / 1000 != 13) {
            throw new BenchException("CUDA runtime " + formatVersion(rt) + " loaded, but the bindings follow CUDA 13: install the CUDA 13 runtime or point -Dprefillbench.cudart at libcudart.so.13");
        }
    }

    /** What to do when the fatbin has no code this GPU can run (checked at load, lookup and launch: CUDA loads lazily). */
    static final String NO_CODE_FOR_GPU = "the kernel fatbin has no code for this GPU: it carries sm_80 and sm_90a SASS and compute_90 PTX;"
            + " use a GPU of compute capability 8.0+ with driver >= 580, or rebuild kernels/ with a -gencode for your GPU";

    /**
     * Throws for a failed call. Like nvbench's checked call it also clears the runtime's last-error
     * state, so a later launch's last-error check does not report this failure again.
     */
    public static void check(int rc, String call) {
        if (rc == SUCCESS) return;
        Cudart.cudaGetLastError();
        if (rc == ERROR_NO_KERNEL_IMAGE || rc == 222 /* cudaErrorUnsupportedPtxVersion */ || rc == 218 /* cudaErrorInvalidPtx */) {
            throw new BenchException(NO_CODE_FOR_GPU + " (" + call + ": " + errorName(rc) + ")");
        }
        throw new CudaException(call, rc, errorName(rc), errorString(rc));
    }

    /** Checks the error state after a kernel launch (cudaGetLastError), naming the kernel. */
    public static void checkLastError(String kernel) {
        int rc = Cudart.cudaGetLastError();
        if (rc != SUCCESS) {
            throw new CudaException("launch of " + kernel, rc, errorName(rc), errorString(rc));
        }
    }

    public static String errorName(int rc) {
        NativeLibraries.load(NativeLibraries.Lib.CUDART);
        MemorySegment s = Cudart.cudaGetErrorName(rc);
        return s.equals(MemorySegment.NULL) ? "cudaError" + rc : s.reinterpret(256).getString(0);
    }

    public static String errorString(int rc) {
        MemorySegment s = Cudart.cudaGetErrorString(rc);
        return s.equals(MemorySegment.NULL) ? "unknown error" : s.reinterpret(1024).getString(0);
    }

    public static int runtimeVersion() {
        NativeLibraries.load(NativeLibraries.Lib.CUDART);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            check(Cudart.cudaRuntimeGetVersion(v), "cudaRuntimeGetVersion");
            return v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** The CUDA version the installed driver supports (0 when there is no driver). */
    public static int driverVersion() {
        NativeLibraries.load(NativeLibraries.Lib.CUDART);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            int rc = Cudart.cudaDriverGetVersion(v);
            return rc == SUCCESS ? v.get(ValueLayout.JAVA_INT, 0) : 0;
        }
    }

    public static String formatVersion(int v) {
        return v <= 0 ? "none" : (v / 1000) + "." + (v % 1000) / 10;
    }

    /**
     * Number of GPUs; throws a one-line BenchException when there is no driver or no GPU
     * ("no CUDA driver: ..." / "no CUDA GPU: ...").
     */
    public static int deviceCount() {
        init();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(ValueLayout.JAVA_INT);
            int rc = Cudart.cudaGetDeviceCount(n);
            if (rc == ERROR_INSUFFICIENT_DRIVER || (rc != SUCCESS && driverVersion() == 0)) {
                throw new BenchException("no CUDA driver: cudaGetDeviceCount returned " + errorName(rc)
                        + " (" + errorString(rc) + "); install an NVIDIA driver >= 580 on a machine with an NVIDIA GPU (sm_80 or newer)");
            }
            if (rc == ERROR_NO_DEVICE) {
                throw new BenchException("no CUDA GPU: cudaGetDeviceCount returned " + errorName(rc)
                        + " (" + errorString(rc) + "); this command needs an NVIDIA GPU (sm_80 or newer)");
            }
            check(rc, "cudaGetDeviceCount");
            int count = n.get(ValueLayout.JAVA_INT, 0);
            if (count == 0) {
                throw new BenchException("no CUDA GPU: the driver reports 0 devices; this command needs an NVIDIA GPU (sm_80 or newer)");
            }
            return count;
        }
    }

    /** Selects the device for this thread; rejects an index out of range with the valid range. */
    public static void setDevice(int index) {
        int count = deviceCount();
        if (index < 0 || index >= count) {
            throw new BenchException("--device " + index + " is out of range: this machine has " + count
                    + " GPU(s), valid indices 0.." + (count - 1));
        }
        check(Cudart.cudaSetDevice(index), "cudaSetDevice(" + index + ")");
    }

    public static void synchronize() {
        check(Cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    /** {free, total} device memory in bytes. */
    public static long[] memInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(ValueLayout.JAVA_LONG);
            MemorySegment total = a.allocate(ValueLayout.JAVA_LONG);
            check(Cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return new long[] {free.get(ValueLayout.JAVA_LONG, 0), total.get(ValueLayout.JAVA_LONG, 0)};
        }
    }

    /**
     * Why GPU work cannot run here, or empty when it can. Used by GPU tests to skip themselves
     * with a clear reason, and never throws.
     */
    public static java.util.Optional<String> unavailableReason() {
        try {
            deviceCount();
            return java.util.Optional.empty();
        } catch (BenchException e) {
            return java.util.Optional.of(e.getMessage());
        } catch (Throwable t) {
            return java.util.Optional.of(t.toString());
        }
    }
}
