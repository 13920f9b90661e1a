package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;
import io.prefillbench.bindings.cudart.dim3;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A kernel of our library (a cudaKernel_t, valid while the library is loaded). Launches take one param struct by value. */
public record Kernel(String name, MemorySegment handle) {

    /**
     * One-off launch: allocates the dim3 values and argument array for this call. Hot paths use
     * {@link Launch}, which allocates them once.
     */
    public void launch(CudaStream stream, int gx, int gy, int gz, int blockX, int sharedBytes, MemorySegment params) {
        try (Arena a = Arena.ofConfined()) {
            Launch l = new Launch(this, params, blockX, sharedBytes, a);
            l.grid(gx, gy, gz);
            l.launch(stream);
        }
    }

    /**
     * A launch prepared once and issued many times: the kernel, its param struct (native memory the
     * caller keeps alive), block and grid. Eager prefill issues these one by one; graph capture
     * records the very same calls.
     */
    public static final class Launch {
        private final Kernel kernel;
        private final MemorySegment params;
        private final MemorySegment grid;
        private final MemorySegment block;
        private final MemorySegment argv;
        private final long sharedBytes;

        public Launch(Kernel kernel, MemorySegment params, int blockX, int sharedBytes, Arena arena) {
            this.kernel = kernel;
            this.params = params;
            this.grid = dim3.allocate(arena);
            this.block = dim3.allocate(arena);
            this.argv = arena.allocate(ValueLayout.ADDRESS);
            this.sharedBytes = sharedBytes;
            argv.set(ValueLayout.ADDRESS, 0, params);
            dim3.x(block, blockX);
            dim3.y(block, 1);
            dim3.z(block, 1);
            grid(1, 1, 1);
        }

        public Launch grid(int x, int y, int z) {
            if (x <= 0 || y <= 0 || z <= 0) throw new IllegalArgumentException(kernel.name() + ": empty grid " + x + "x" + y + "x" + z);
            dim3.x(grid, x);
            dim3.y(grid, y);
            dim3.z(grid, z);
            return this;
        }

        public int gridX() {
            return dim3.x(grid);
        }

        public int gridY() {
            return dim3.y(grid);
        }

        public MemorySegment params() {
            return params;
        }

        public Kernel kernel() {
            return kernel;
        }

        /** cudaLaunchKernel with the struct by value, then the last-error check. */
        public void launch(CudaStream stream) {
            Cuda.check(Cudart.cudaLaunchKernel(kernel.handle(), grid, block, argv, sharedBytes, stream.handle()),
                    "cudaLaunchKernel(" + kernel.name() + ")");
            Cuda.checkLastError(kernel.name());
        }
    }
}
