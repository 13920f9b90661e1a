package io.prefillbench.cuda;

import io.prefillbench.BenchException;
import io.prefillbench.bindings.cublas.Cublas;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Owns a cuBLAS handle bound to one stream, with a fixed workspace set once so GEMMs can be
 * captured into graphs (cuBLAS must not allocate during capture).
 */
public final class CublasHandle implements AutoCloseable {
    public static final long DEFAULT_WORKSPACE_BYTES = 32L << 20;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment alphaOne;
    private final MemorySegment betaZero;
    private MemorySegment handle;
    private DeviceBuffer workspace;

    private CublasHandle(MemorySegment handle, DeviceBuffer workspace) {
        this.handle = handle;
        this.workspace = workspace;
        this.alphaOne = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1.0f);
        this.betaZero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0.0f);
    }

    public static CublasHandle create(CudaStream stream) {
        Cuda.init();
        NativeLibraries.load(NativeLibraries.Lib.CUBLAS);
        MemorySegment h;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check(Cublas.cublasCreate_v2(out), "cublasCreate");
            h = out.get(ValueLayout.ADDRESS, 0);
        }
        DeviceBuffer ws = null;
        try {
            ws = DeviceBuffer.allocate("cublas workspace", DEFAULT_WORKSPACE_BYTES);
            check(Cublas.cublasSetStream_v2(h, stream.handle()), "cublasSetStream");
            check(Cublas.cublasSetWorkspace_v2(h, ws.address(), ws.bytes()), "cublasSetWorkspace");
            return new CublasHandle(h, ws);
        } catch (RuntimeException e) {
            if (ws != null) ws.close();
            Cublas.cublasDestroy_v2(h);
            throw e;
        }
    }

    /** cuBLAS version as "major.minor.patch". */
    public static String version() {
        NativeLibraries.load(NativeLibraries.Lib.CUBLAS);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            int[] parts = new int[3];
            int[] props = {Cublas.MAJOR_VERSION(), Cublas.MINOR_VERSION(), Cublas.PATCH_LEVEL()};
            for (int i = 0; i < 3; i++) {
                check(Cublas.cublasGetProperty(props[i], v), "cublasGetProperty");
                parts[i] = v.get(ValueLayout.JAVA_INT, 0);
            }
            if (parts[0] != 13) {
                throw new BenchException("cuBLAS " + parts[0] + "." + parts[1] + " loaded, but the bindings follow cuBLAS 13: install the CUDA 13 cuBLAS or set -Dprefillbench.cublas");
            }
            return parts[0] + "." + parts[1] + "." + parts[2];
        }
    }

    static void check(int status, String call) {
        if (status != 0) {
            String name = "CUBLAS_STATUS_" + status;
            String text = "";
            try {
                name = Cublas.cublasGetStatusName(status).reinterpret(256).getString(0);
                text = Cublas.cublasGetStatusString(status).reinterpret(1024).getString(0);
            } catch (RuntimeException ignored) {
                // name lookup is best effort; the code is still reported
            }
            throw new CudaException(call, status, name, text);
        }
    }

    /**
     * Row-major bf16 GEMM with fp32 compute: C[m, n] = A[m, k] * B[n, k]^T (B is a weight in [out, in]
     * layout). Expressed to column-major cuBLAS as C^T = B * A^T.
     */
    public void gemmBf16(MemorySegment a, MemorySegment b, MemorySegment c, int m, int n, int k) {
        check(Cublas.cublasGemmEx(handle(), Cublas.CUBLAS_OP_T(), Cublas.CUBLAS_OP_N(), n, m, k, alphaOne,
                b, Cublas.CUDA_R_16BF(), k, a, Cublas.CUDA_R_16BF(), k, betaZero,
                c, Cublas.CUDA_R_16BF(), n, Cublas.CUBLAS_COMPUTE_32F(), Cublas.CUBLAS_GEMM_DEFAULT()), "cublasGemmEx");
    }

    public MemorySegment handle() {
        if (handle == null) throw new IllegalStateException("cuBLAS handle is closed");
        return handle;
    }

    @Override
    public void close() {
        if (handle != null) {
            MemorySegment h = handle;
            handle = null;
            try {
                check(Cublas.cublasDestroy_v2(h), "cublasDestroy");
            } finally {
                workspace.close();
                workspace = null;
                arena.close();
            }
        }
    }
}
