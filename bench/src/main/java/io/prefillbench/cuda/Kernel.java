package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;
import io.prefillbench.bindings.cudart.cudaAccessPolicyWindow;
import io.prefillbench.bindings.cudart.cudaLaunchAttributeValue;
import io.prefillbench.bindings.cudart.cudaLaunchAttribute_st;
import io.prefillbench.bindings.cudart.cudaLaunchConfig_st;
import io.prefillbench.bindings.cudart.dim3;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A kernel of our library (a cudaKernel_t, valid while the library is loaded). Launches take one param struct by value. */
public record Kernel(String name, MemorySegment handle) {

    /**
     * One-off launch: allocates the launch configuration for this call. Hot paths use
     * {@link Launch}, which allocates it once.
     */
    public void launch(CudaStream stream, int gx, int gy, int gz, int blockX, int sharedBytes, MemorySegment params) {
        try (Arena a = Arena.ofConfined()) {
            new Launch(this, params, blockX, sharedBytes, false, a).grid(gx, gy, gz).launch(stream);
        }
    }

    /** Raises the kernel's dynamic shared memory limit on a device (needed above 48 KB). */
    public void allowDynamicSharedMemory(int bytes, int device) {
        Cuda.check(Cudart.cudaKernelSetAttributeForDevice(handle, Cudart.cudaFuncAttributeMaxDynamicSharedMemorySize(), bytes, device),
                "cudaKernelSetAttributeForDevice(" + name + ", max dynamic smem " + bytes + ")");
    }

    /** Lets the kernel launch in clusters of more than the portable 8 blocks on a device (sm_90: up to 16). */
    public void allowNonPortableClusters(int device) {
        Cuda.check(Cudart.cudaKernelSetAttributeForDevice(handle, Cudart.cudaFuncAttributeNonPortableClusterSizeAllowed(), 1, device),
                "cudaKernelSetAttributeForDevice(" + name + ", non-portable cluster size allowed)");
    }

    /**
     * Thread-block clusters of {@code clusterSize} blocks (block {@code blockX}, {@code sharedBytes} of dynamic shared
     * memory) the device can hold at once: cudaOccupancyMaxActiveClusters. A kernel that needs every block resident
     * (grid barriers) may be launched in clusters only where clusters x size covers its grid. Needs sm_90 and the
     * kernel's shared memory limit raised first.
     */
    public int maxActiveClusters(int clusterSize, int gridX, int blockX, int sharedBytes) {
        try (Arena a = Arena.ofConfined()) {
            Launch l = new Launch(this, MemorySegment.NULL, blockX, sharedBytes, java.util.List.of(new Attribute.ClusterDim(clusterSize, 1, 1)), a)
                    .grid(gridX, 1, 1);
            MemorySegment n = a.allocate(ValueLayout.JAVA_INT);
            Cuda.check(Cudart.cudaOccupancyMaxActiveClusters(n, handle, l.config),
                    "cudaOccupancyMaxActiveClusters(" + name + ", cluster " + clusterSize + ", block " + blockX + ", smem " + sharedBytes + ")");
            return n.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** A launch attribute; a launch may carry several. */
    public sealed interface Attribute {
        /** Programmatic dependent launch (sm_90): the kernel may start while the previous one finishes. */
        record ProgrammaticSerialization() implements Attribute {
        }

        /** Thread block cluster dimensions (sm_90). */
        record ClusterDim(int x, int y, int z) implements Attribute {
        }

        /**
         * An L2 access-policy window: the launch's accesses to {@code bytes} from {@code base} are persisting (they stay in
         * the device's L2 set-aside, {@link L2SetAside}), its other accesses are as without it; the whole window hits
         * (hitRatio 1), so it should be no longer than the set-aside.
         */
        record PersistingWindow(MemorySegment base, long bytes) implements Attribute {
            public PersistingWindow {
                if (bytes <= 0) throw new IllegalArgumentException("an access-policy window of " + bytes + " bytes");
            }
        }

        /** The launch's preferred L1 / shared memory split, in percent of the most shared memory (a hint). */
        record SharedMemoryCarveout(int percent) implements Attribute {
            public SharedMemoryCarveout {
                if (percent < 0 || percent > 100) throw new IllegalArgumentException("carveout " + percent + " % is outside 0..100");
            }
        }
    }

    /**
     * A launch prepared once and issued many times: the kernel, its param struct (native memory the
     * caller keeps alive), block, grid, dynamic shared memory and launch attributes (e.g.
     * programmatic dependent launch: the kernel may start while the previous one finishes; it waits
     * in griddepcontrol.wait before reading its inputs). Eager prefill issues these one by one;
     * graph capture records the very same calls.
     */
    public static final class Launch {
        private final Kernel kernel;
        private final MemorySegment params;
        private final MemorySegment config;
        private final MemorySegment grid;
        private final MemorySegment block;
        private final MemorySegment argv;
        private final long sharedBytes;
        private final boolean extended;

        public Launch(Kernel kernel, MemorySegment params, int blockX, int sharedBytes, Arena arena) {
            this(kernel, params, blockX, sharedBytes, java.util.List.of(), arena);
        }

        public Launch(Kernel kernel, MemorySegment params, int blockX, int sharedBytes, boolean programmaticDependentLaunch, Arena arena) {
            this(kernel, params, blockX, sharedBytes,
                    programmaticDependentLaunch ? java.util.List.of(new Attribute.ProgrammaticSerialization()) : java.util.List.of(), arena);
        }

        public Launch(Kernel kernel, MemorySegment params, int blockX, int sharedBytes, java.util.List<Attribute> attributes, Arena arena) {
            this.kernel = kernel;
            this.params = params;
            this.config = cudaLaunchConfig_st.allocate(arena);
            this.grid = cudaLaunchConfig_st.gridDim(config);
            this.argv = arena.allocate(ValueLayout.ADDRESS);
            argv.set(ValueLayout.ADDRESS, 0, params);
            this.block = cudaLaunchConfig_st.blockDim(config);
            this.sharedBytes = sharedBytes;
            this.extended = !attributes.isEmpty();
            dim3.x(block, blockX);
            dim3.y(block, 1);
            dim3.z(block, 1);
            cudaLaunchConfig_st.dynamicSmemBytes(config, sharedBytes);
            if (extended) {
                MemorySegment attrs = arena.allocate(cudaLaunchAttribute_st.layout(), attributes.size());
                for (int i = 0; i < attributes.size(); i++) {
                    MemorySegment attr = cudaLaunchAttribute_st.asSlice(attrs, i);
                    switch (attributes.get(i)) {
                        case Attribute.ProgrammaticSerialization p -> {
                            cudaLaunchAttribute_st.id(attr, Cudart.cudaLaunchAttributeProgrammaticStreamSerialization());
                            cudaLaunchAttributeValue.programmaticStreamSerializationAllowed(cudaLaunchAttribute_st.val(attr), 1);
                        }
                        case Attribute.SharedMemoryCarveout c -> {
                            cudaLaunchAttribute_st.id(attr, Cudart.cudaLaunchAttributePreferredSharedMemoryCarveout());
                            cudaLaunchAttributeValue.sharedMemCarveout(cudaLaunchAttribute_st.val(attr), c.percent());
                        }
                        case Attribute.PersistingWindow w -> {
                            cudaLaunchAttribute_st.id(attr, Cudart.cudaLaunchAttributeAccessPolicyWindow());
                            MemorySegment win = cudaLaunchAttributeValue.accessPolicyWindow(cudaLaunchAttribute_st.val(attr));
                            cudaAccessPolicyWindow.base_ptr(win, w.base());
                            cudaAccessPolicyWindow.num_bytes(win, w.bytes());
                            cudaAccessPolicyWindow.hitRatio(win, 1.0f);
                            cudaAccessPolicyWindow.hitProp(win, Cudart.cudaAccessPropertyPersisting());
                            cudaAccessPolicyWindow.missProp(win, Cudart.cudaAccessPropertyStreaming());
                        }
                        case Attribute.ClusterDim c -> {
                            cudaLaunchAttribute_st.id(attr, Cudart.cudaLaunchAttributeClusterDimension());
                            MemorySegment dims = cudaLaunchAttributeValue.clusterDim(cudaLaunchAttribute_st.val(attr));
                            dims.set(ValueLayout.JAVA_INT, 0, c.x());
                            dims.set(ValueLayout.JAVA_INT, 4, c.y());
                            dims.set(ValueLayout.JAVA_INT, 8, c.z());
                        }
                    }
                }
                cudaLaunchConfig_st.attrs(config, attrs);
                cudaLaunchConfig_st.numAttrs(config, attributes.size());
            } else {
                cudaLaunchConfig_st.attrs(config, MemorySegment.NULL);
                cudaLaunchConfig_st.numAttrs(config, 0);
            }
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

        /** The cudaLaunchConfig_t this launch issues with (its attributes included). */
        MemorySegment config() {
            return config;
        }

        /**
         * cudaLaunchKernel with the struct by value (cudaLaunchKernelExC when the launch carries
         * attributes), then the last-error check.
         */
        public void launch(CudaStream stream) {
            // the call text is built only on failure: eager prefill issues ~170 launches per forward
            if (extended) {
                cudaLaunchConfig_st.stream(config, stream.handle());
                int rc = Cudart.cudaLaunchKernelExC(config, kernel.handle(), argv);
                if (rc != Cuda.SUCCESS) Cuda.check(rc, "cudaLaunchKernelExC(" + kernel.name() + ")");
            } else {
                int rc = Cudart.cudaLaunchKernel(kernel.handle(), grid, block, argv, sharedBytes, stream.handle());
                if (rc != Cuda.SUCCESS) Cuda.check(rc, "cudaLaunchKernel(" + kernel.name() + ")");
            }
            Cuda.checkLastError(kernel.name());
        }
    }
}
