package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;

import java.lang.foreign.MemorySegment;

/** Owns an instantiated, launchable CUDA graph. */
public final class GraphExec implements AutoCloseable {
    private MemorySegment handle;

    GraphExec(MemorySegment handle) {
        this.handle = handle;
    }

    public MemorySegment handle() {
        if (handle == null) throw new IllegalStateException("graph exec is closed");
        return handle;
    }

    public void launch(CudaStream stream) {
        Cuda.check(Cudart.cudaGraphLaunch(handle(), stream.handle()), "cudaGraphLaunch");
    }

    @Override
    public void close() {
        if (handle != null) {
            MemorySegment h = handle;
            handle = null;
            Cuda.check(Cudart.cudaGraphExecDestroy(h), "cudaGraphExecDestroy");
        }
    }
}
