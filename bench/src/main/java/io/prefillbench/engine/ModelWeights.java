package io.prefillbench.engine;

import io.prefillbench.bindings.kernels.InitUniformParams;
import io.prefillbench.cuda.CudaStream;
import io.prefillbench.cuda.DeviceBuffer;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.forward.WeightLayout;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.WeightSpec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Owns all weights of a model as one device allocation cut into the slices of {@link WeightSpec},
 * filled on the GPU by init_uniform_bf16 with the same hash the CPU reference uses, in the row layout
 * lowering chose ({@link WeightLayout}: the same values, some rows moved).
 */
public final class ModelWeights implements AutoCloseable {
    private final WeightSpec spec;
    private final DeviceBuffer buffer;
    private final WeightLayout layout;

    private ModelWeights(WeightSpec spec, DeviceBuffer buffer, WeightLayout layout) {
        this.spec = spec;
        this.buffer = buffer;
        this.layout = layout;
    }

    public static ModelWeights create(ModelConfig model, int seed, KernelLibrary lib, CudaStream stream, WeightLayout layout) {
        WeightSpec spec = WeightSpec.of(model);
        for (String name : layout.interleaved().keySet()) {
            WeightSpec.Tensor t = spec.tensor(name);
            if (t.rows() != layout.of(name).rows()) {
                throw new IllegalArgumentException(name + " has " + t.rows() + " rows, its interleave " + layout.of(name) + " needs " + layout.of(name).rows());
            }
        }
        DeviceBuffer buf = DeviceBuffer.allocate("weights", spec.totalBytes());
        try (Arena a = Arena.ofConfined()) {
            var kernel = lib.kernel("init_uniform_bf16");
            for (WeightSpec.Tensor t : spec.tensors()) {
                MemorySegment p = InitUniformParams.allocate(a);
                InitUniformParams.dst(p, buf.at(t.offsetBytes()));
                InitUniformParams.n(p, t.elements());
                InitUniformParams.seed(p, seed);
                InitUniformParams.tensor_id(p, t.tensorId());
                InitUniformParams.scale(p, t.scale());
                InitUniformParams.offset(p, t.offset());
                WeightLayout.RowInterleave ri = layout.of(t.name());
                InitUniformParams.cols(p, ri == null ? 0 : t.cols());
                InitUniformParams.interleave_half(p, ri == null ? 0 : ri.half());
                InitUniformParams.interleave_group(p, ri == null ? 0 : ri.group());
                int blocks = (int) Math.min(4096, (t.elements() + 255) / 256);
                kernel.launch(stream, blocks, 1, 1, 256, 0, p);
            }
            stream.synchronize();
            return new ModelWeights(spec, buf, layout);
        } catch (RuntimeException e) {
            buf.close();
            throw e;
        }
    }

    /** Device address of the named tensor. */
    public MemorySegment of(String name) {
        return buffer.at(spec.tensor(name).offsetBytes());
    }

    public boolean has(String name) {
        return spec.has(name);
    }

    /** Where rows sit on the device. */
    public WeightLayout layout() {
        return layout;
    }

    public WeightSpec spec() {
        return spec;
    }

    public long bytes() {
        return buffer.bytes();
    }

    @Override
    public void close() {
        buffer.close();
    }
}
