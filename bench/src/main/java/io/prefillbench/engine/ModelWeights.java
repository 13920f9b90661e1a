package io.prefillbench.engine;

import io.prefillbench.bindings.kernels.InitUniformParams;
import io.prefillbench.cuda.CudaStream;
import io.prefillbench.cuda.DeviceBuffer;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.WeightSpec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Owns all weights of a model as one device allocation cut into the slices of {@link WeightSpec},
 * filled on the GPU by init_uniform_bf16 with the same hash the CPU reference uses.
 */
public final class ModelWeights implements AutoCloseable {
    private final WeightSpec spec;
    private final DeviceBuffer buffer;

    private ModelWeights(WeightSpec spec, DeviceBuffer buffer) {
        this.spec = spec;
        this.buffer = buffer;
    }

    public static ModelWeights create(ModelConfig model, int seed, KernelLibrary lib, CudaStream stream) {
        WeightSpec spec = WeightSpec.of(model);
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
                int blocks = (int) Math.min(4096, (t.elements() + 255) / 256);
                kernel.launch(stream, blocks, 1, 1, 256, 0, p);
            }
            stream.synchronize();
            return new ModelWeights(spec, buf);
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
