package io.prefillbench.forward;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The execution plan of one capture key: lowered ops in issue order, the workspace tensors lowering
 * created (split-K partials) and the device layout of the weights it chose ({@link Lowering#layoutWeights}).
 * The buffer layout, the engine, {@code plan} and the op dump all read it.
 */
public record LoweredPlan(ForwardProgram program, CaptureKey key, List<LoweredOp> ops, Map<String, TensorSpec> workspaces,
                          WeightLayout weightLayout, int smemCarveout) {
    /** smemCarveout: the L1 / shared memory split (percent) every kernel launch of the plan asks for; -1: the driver's pick. */
    public LoweredPlan {
        ops = List.copyOf(ops);
        workspaces = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(workspaces));
        if (smemCarveout < -1 || smemCarveout > 100) throw new IllegalArgumentException("smem carveout " + smemCarveout + " is outside -1..100");
    }

    /** A tensor of the program or a workspace of this plan. */
    public TensorSpec tensor(String name) {
        TensorSpec w = workspaces.get(name);
        return w != null ? w : program.tensor(name);
    }

    /** Bytes a tensor needs at this key's capacity. */
    public long bytes(String name) {
        TensorSpec t = tensor(name);
        return t.bytes(key.capacity(t.rows()));
    }

    /** Kernel launches (and library calls) of one forward; side-stream ops included. */
    public int launchCount() {
        return ops.size();
    }

    /** Launches per decoder layer (layer index -> count); ops outside layers under -1. */
    public Map<Integer, Integer> launchesPerLayer() {
        Map<Integer, Integer> m = new TreeMap<>();
        for (LoweredOp o : ops) m.merge(o.op().layer(), 1, Integer::sum);
        return m;
    }

    /** Launches of layer 0 (every layer lowers alike unless a pass says otherwise). */
    public int launchesPerLayer(int layer) {
        return launchesPerLayer().getOrDefault(layer, 0);
    }

    public LoweredOp op(String name) {
        for (LoweredOp o : ops) if (o.op().name().equals(name)) return o;
        throw new IllegalArgumentException("no op " + name + " in the plan of size " + key.size());
    }
}
