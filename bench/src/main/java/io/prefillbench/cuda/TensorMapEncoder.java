package io.prefillbench.cuda;

import io.prefillbench.BenchException;
import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The driver's {@code cuTensorMapEncodeTiled}, reached through the runtime ({@code cudaGetDriverEntryPointByVersion}:
 * the bindings cover the runtime only), looked up once per process. It writes the 128-byte tensor maps the TMA GEMMs
 * (kernels/src/gemm_wgmma.cu) read their operands through.
 */
public final class TensorMapEncoder {
    /** CUtensorMap's size; the kernels' PkTensorMap has the same. */
    public static final int MAP_BYTES = 128;
    // cuda.h enums (CUDA 12.0+ ABI, the version the entry point is requested for)
    private static final int DATA_TYPE_BFLOAT16 = 9, INTERLEAVE_NONE = 0, SWIZZLE_128B = 3, L2_PROMOTION_256B = 3, OOB_FILL_NONE = 0;
    private static final int ENTRY_POINT_VERSION = 12000;
    private static MethodHandle encode;

    private TensorMapEncoder() {
    }

    private static synchronized MethodHandle handle() {
        if (encode != null) return encode;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fn = a.allocate(ValueLayout.ADDRESS), status = a.allocate(ValueLayout.JAVA_INT);
            Cuda.check(Cudart.cudaGetDriverEntryPointByVersion(a.allocateFrom("cuTensorMapEncodeTiled"), fn, ENTRY_POINT_VERSION,
                    Cudart.cudaEnableDefault(), status), "cudaGetDriverEntryPointByVersion(cuTensorMapEncodeTiled)");
            MemorySegment addr = fn.get(ValueLayout.ADDRESS, 0);
            if (status.get(ValueLayout.JAVA_INT, 0) != 0 || addr.equals(MemorySegment.NULL)) {
                throw new BenchException("the CUDA driver has no cuTensorMapEncodeTiled (status " + status.get(ValueLayout.JAVA_INT, 0)
                        + "): the TMA GEMMs need driver >= 525 and a GPU of compute capability 9.0; drop their rows from the implementation choices");
            }
            // CUresult (CUtensorMap*, CUtensorMapDataType, cuuint32_t rank, void* global, const cuuint64_t* dims,
            //           const cuuint64_t* strides, const cuuint32_t* box, const cuuint32_t* elementStrides, interleave, swizzle,
            //           l2Promotion, oobFill)
            FunctionDescriptor d = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
            encode = Linker.nativeLinker().downcallHandle(addr, d);
            return encode;
        }
    }

    /**
     * Writes into {@code map} (128 bytes) the tensor map of a row-major bf16 matrix {@code [rows, ld]} at {@code base}
     * read as {@code rows x k}, boxes of {@code 64 x boxRows} elements in the 128-byte swizzle, zeros outside.
     */
    public static void encodeBf16Rows(MemorySegment map, MemorySegment base, long rows, long k, long ld, int boxRows) {
        if (map.byteSize() < MAP_BYTES) throw new IllegalArgumentException("a tensor map takes " + MAP_BYTES + " bytes, got " + map.byteSize());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dims = a.allocateFrom(ValueLayout.JAVA_LONG, k, rows);
            MemorySegment strides = a.allocateFrom(ValueLayout.JAVA_LONG, ld * 2);
            MemorySegment box = a.allocateFrom(ValueLayout.JAVA_INT, 64, boxRows);
            MemorySegment elem = a.allocateFrom(ValueLayout.JAVA_INT, 1, 1);
            int rc = (int) handle().invokeExact(map, DATA_TYPE_BFLOAT16, 2, base, dims, strides, box, elem, INTERLEAVE_NONE, SWIZZLE_128B,
                    L2_PROMOTION_256B, OOB_FILL_NONE);
            if (rc != 0) {
                throw new BenchException("cuTensorMapEncodeTiled failed (CUresult " + rc + ") for a bf16 [" + rows + ", " + ld + "] matrix read as "
                        + rows + " x " + k + " in boxes of 64 x " + boxRows + ": the address must be 16-byte aligned and ld a multiple of 8");
            }
        } catch (BenchException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new BenchException("cuTensorMapEncodeTiled: " + t);
        }
    }
}
