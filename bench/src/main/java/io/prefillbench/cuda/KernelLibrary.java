package io.prefillbench.cuda;

import io.prefillbench.BenchException;
import io.prefillbench.bindings.cudart.Cudart;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * Owns our kernels' fatbin loaded with cudaLibraryLoadData (sm_80 and sm_90a SASS, compute_90 PTX).
 * Kernel handles are looked up once by name and cached.
 */
public final class KernelLibrary implements AutoCloseable {
    /** Classpath location of the fatbin the kernels module builds. */
    public static final String FATBIN_RESOURCE = "/io/prefillbench/kernels/prefill.fatbin";

    private final Arena arena = Arena.ofShared();
    private final Map<String, Kernel> kernels = new HashMap<>();
    private MemorySegment library;

    private KernelLibrary(MemorySegment library) {
        this.library = library;
    }

    /** What a GPU command says when the build had no nvcc (the CPU-only commands still work). */
    public static final String BUILT_WITHOUT_KERNELS = "built without kernels: install the CUDA 13 toolkit (nvcc) and rebuild with 'mvn package'";

    /** Whether the build packed the fatbin (it does not when nvcc was missing). */
    public static boolean packed() {
        return KernelLibrary.class.getResource(FATBIN_RESOURCE) != null;
    }

    /** Throws the one-line fix (exit 2) when the build packed no fatbin; GPU commands call it before touching the GPU. */
    public static void requirePacked() {
        if (!packed()) throw new BenchException(BUILT_WITHOUT_KERNELS);
    }

    /** Loads the fatbin packed into the jar. */
    public static KernelLibrary load() {
        byte[] image;
        try (InputStream in = KernelLibrary.class.getResourceAsStream(FATBIN_RESOURCE)) {
            if (in == null) throw new BenchException(BUILT_WITHOUT_KERNELS);
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new BenchException("cannot read kernel fatbin: " + e.getMessage(), e);
        }
        return loadData(image);
    }

    public static KernelLibrary loadData(byte[] image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment code = a.allocate(image.length + 16L, 16);
            code.copyFrom(MemorySegment.ofArray(image));
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            int rc = Cudart.cudaLibraryLoadData(out, code, MemorySegment.NULL, MemorySegment.NULL, 0,
                    MemorySegment.NULL, MemorySegment.NULL, 0);
            Cuda.check(rc, "cudaLibraryLoadData(prefill.fatbin)");
            return new KernelLibrary(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** The kernel of that (extern "C") name; looked up once. */
    public synchronized Kernel kernel(String name) {
        if (library == null) throw new IllegalStateException("kernel library is closed");
        return kernels.computeIfAbsent(name, n -> {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaLibraryGetKernel(out, library, arena.allocateFrom(n)), "cudaLibraryGetKernel(" + n + ")");
            return new Kernel(n, out.get(ValueLayout.ADDRESS, 0));
        });
    }

    @Override
    public synchronized void close() {
        if (library != null) {
            MemorySegment l = library;
            library = null;
            kernels.clear();
            try {
                Cuda.check(Cudart.cudaLibraryUnload(l), "cudaLibraryUnload");
            } finally {
                arena.close();
            }
        }
    }
}
