package io.prefillbench.engine;

import io.prefillbench.bindings.kernels.SpinParams;
import io.prefillbench.cuda.CudaStream;
import io.prefillbench.cuda.Kernel;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.forward.BindContext;
import io.prefillbench.forward.Issuable;
import io.prefillbench.forward.LoweredOp;
import io.prefillbench.forward.LoweredPlan;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One bucket's {@link LoweredPlan} bound to device memory: each lowered op's implementation filled
 * its parameter struct once (addresses from the one buffer layout). Eager prefill issues the ops
 * with grids sized to the real batch; graph capture records the same calls with grids at the
 * bucket's capacity (surplus blocks exit at once, reading the real counts from device memory).
 * Everything that changes arithmetic (implementation, tile, split-K, fusion) was fixed by lowering
 * from the capture key, so the two modes compute the same bits.
 */
public final class ForwardPlan {
    final LoweredPlan lowered;
    final int size;
    final int seqCapacity;
    final int tileCapacity;
    private final List<Issuable> issuables = new ArrayList<>();
    private final Kernel.Launch spin; // graph-only planted slowdown, or null

    ForwardPlan(LoweredPlan lowered, BindContext ctx, KernelLibrary lib, long slowdownCycles, Arena arena) {
        this.lowered = lowered;
        this.size = lowered.key().size();
        this.seqCapacity = lowered.key().seqCapacity();
        this.tileCapacity = lowered.key().tileCapacity();
        for (LoweredOp op : lowered.ops()) {
            if (op.stream() != 0) {
                // The plan-level stream model is in place (Lowering.assignStreams); issuing a forked
                // branch needs cudaStreamWaitEvent bindings, which this engine does not have yet.
                throw new UnsupportedOperationException(op.op().name() + " runs on a side stream: fork/join is not wired in the engine yet"
                        + " (switch l2Prefetch off in the measurements file)");
            }
            issuables.add(op.impl().binder().bind(ctx, op));
        }
        if (slowdownCycles > 0) {
            // Test-only planted regression for the gate: a busy kernel in the captured graph only,
            // so graph replay gets slower while eager does not.
            MemorySegment p = SpinParams.allocate(arena);
            SpinParams.cycles(p, slowdownCycles);
            spin = new Kernel.Launch(lib.kernel("spin_delay"), p, 32, 0, arena);
        } else {
            spin = null;
        }
    }

    /** Grids for a real batch (eager) or for a capture (capacities). */
    void setGrids(int tokens, int seqs, int tiles) {
        for (Issuable i : issuables) i.grid(tokens, seqs, tiles);
    }

    void setCapacityGrids() {
        setGrids(size, seqCapacity, tileCapacity);
    }

    /** Issues every op on the stream: eagerly, or recorded into a graph when {@code capturing}. */
    void issue(CudaStream stream, boolean capturing) {
        for (Issuable i : issuables) i.issue(stream);
        if (capturing && spin != null) spin.launch(stream);
    }

    /** Bound ops, one per lowered op in issue order (profiling issues them one at a time). */
    int opCount() {
        return issuables.size();
    }

    /** Issues lowered op {@code i} alone on {@code stream} (profiling: an event between consecutive ops). */
    void issueOp(CudaStream stream, int i) {
        issuables.get(i).issue(stream);
    }

    /** Launches (kernels and library calls) of one eager forward, from the lowered plan. */
    public int launchCount() {
        return lowered.launchCount();
    }
}
