package io.prefillbench.cuda;

import io.prefillbench.BenchException;

/**
 * A CUDA or cuBLAS call that returned an error: carries the call text, the error code, its name and
 * its description (cudaGetErrorName / cudaGetErrorString). Out-of-memory errors exit with code 2 and
 * say what to do; other CUDA failures exit with 3.
 */
public final class CudaException extends BenchException {
    /** cudaErrorMemoryAllocation. */
    public static final int CUDA_ERROR_MEMORY_ALLOCATION = 2;
    /** Exit code of CUDA failures that are not the user's to fix. */
    public static final int EXIT_CUDA_FAILURE = 3;

    private final String call;
    private final int code;
    private final String errorName;

    public CudaException(String call, int code, String errorName, String errorString) {
        super(call + " failed: " + errorName + " (" + code + "): " + errorString
                        + (code == CUDA_ERROR_MEMORY_ALLOCATION && !call.startsWith("cublas")
                        ? " — the GPU is out of memory: use smaller or fewer --sizes, a smaller --max-num-seqs or --max-model-len, or --skip-oversize"
                        : ""),
                code == CUDA_ERROR_MEMORY_ALLOCATION ? EXIT_BAD_INPUT : EXIT_CUDA_FAILURE, null);
        this.call = call;
        this.code = code;
        this.errorName = errorName;
    }

    public String call() {
        return call;
    }

    public int code() {
        return code;
    }

    public String errorName() {
        return errorName;
    }

    public boolean isOutOfMemory() {
        return code == CUDA_ERROR_MEMORY_ALLOCATION;
    }
}
