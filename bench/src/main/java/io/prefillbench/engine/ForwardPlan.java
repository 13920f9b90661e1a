package io.prefillbench.engine;

import io.prefillbench.bindings.cudart.Cudart;
import io.prefillbench.bindings.kernels.SpinParams;
import io.prefillbench.cuda.CudaEvent;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One bucket's {@link LoweredPlan} bound to device memory: each lowered op's implementation filled
 * its parameter struct once (addresses from the one buffer layout). Eager prefill issues the ops
 * with grids sized to the real batch; graph capture records the same calls with grids at the
 * bucket's capacity (surplus blocks exit at once, reading the real counts from device memory).
 * Everything that changes arithmetic (implementation, tile, split-K, fusion) was fixed by lowering
 * from the capture key, so the two modes compute the same bits.
 *
 * <p>Side-stream ops ({@link LoweredOp#stream()} != 0, placed by {@code Lowering.assignStreams}) run
 * on the engine's second stream: right after their {@code forkAfter} op is issued, an untimed event
 * recorded on the main stream is waited on by the side stream, the op is issued there and its own
 * join event recorded; the main stream waits on that event just before issuing {@code joinBefore}.
 * Eagerly that orders two streams; under capture it becomes a parallel branch of the one graph.
 * The plan owns its events; the engine owns both streams.
 */
public final class ForwardPlan implements AutoCloseable {
    final LoweredPlan lowered;
    final int size;
    final int seqCapacity;
    final int tileCapacity;
    private final List<Issuable> issuables = new ArrayList<>(); // every op, for grids
    private final List<Step> main = new ArrayList<>();         // main-stream ops in issue order, with their forks and joins
    private final List<CudaEvent> events = new ArrayList<>();
    private final Map<String, String> pinned = new LinkedHashMap<>();
    private final Kernel.Launch spin; // graph-only planted slowdown, or null
    private final boolean libraryEdges; // EngineOptions.libraryEdges, where PDL is on

    /** A side-stream op: forked from the main stream by {@code fork}, joined back by {@code join}. */
    private record Branch(String name, Issuable op, CudaEvent fork, CudaEvent join) {
    }

    /** A main-stream op, the branches joined just before it and the branches forked just after it. */
    private record Step(Issuable op, List<Branch> joins, List<Branch> forks) {
    }

    ForwardPlan(LoweredPlan lowered, BindContext ctx, KernelLibrary lib, long slowdownCycles, boolean libraryEdges, Arena arena) {
        this.lowered = lowered;
        this.libraryEdges = libraryEdges && ctx.pdl();
        this.size = lowered.key().size();
        this.seqCapacity = lowered.key().seqCapacity();
        this.tileCapacity = lowered.key().tileCapacity();
        try {
            Map<String, Step> byName = new LinkedHashMap<>();
            List<LoweredOp> side = new ArrayList<>();
            for (LoweredOp op : lowered.ops()) {
                if (op.stream() != 0) {
                    side.add(op);
                    continue;
                }
                Issuable i = bind(ctx, op);
                Step st = new Step(i, new ArrayList<>(), new ArrayList<>());
                main.add(st);
                byName.put(op.op().name(), st);
            }
            List<String> order = new ArrayList<>(byName.keySet());
            for (LoweredOp op : side) {
                String name = op.op().name();
                if (op.stream() != 1) throw new IllegalStateException(name + ": stream " + op.stream() + ", the engine has one side stream");
                Step fork = byName.get(op.forkAfter()), join = byName.get(op.joinBefore());
                if (fork == null || join == null || order.indexOf(op.forkAfter()) >= order.indexOf(op.joinBefore())) {
                    throw new IllegalStateException(name + ": fork after " + op.forkAfter() + " and join before " + op.joinBefore()
                            + " must name main-stream ops of size " + size + ", the fork first");
                }
                Branch b = new Branch(name, bind(ctx, op), event(), event());
                fork.forks().add(b);
                join.joins().add(b);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (slowdownCycles > 0) {
            // Test-only planted regression for the gate: a busy kernel in the captured graph only, before its first op,
            // so graph replay gets slower while eager does not.
            MemorySegment p = SpinParams.allocate(arena);
            SpinParams.cycles(p, slowdownCycles);
            spin = new Kernel.Launch(lib.kernel("spin_delay"), p, 32, 0, arena);
        } else {
            spin = null;
        }
    }

    private Issuable bind(BindContext ctx, LoweredOp op) {
        Issuable i = op.impl().binder().bind(ctx, op);
        issuables.add(i);
        if (i.pinned() != null) pinned.put(op.op().name(), i.pinned());
        return i;
    }

    private CudaEvent event() {
        CudaEvent e = CudaEvent.createUntimed();
        events.add(e);
        return e;
    }

    /** Whether some op runs on the side stream (the engine then owns a second stream). */
    boolean hasSideStream() {
        return main.stream().anyMatch(s -> !s.forks().isEmpty());
    }

    /** Library calls' pinned algorithms by op name (what was pinned when the op was bound). */
    Map<String, String> pinnedAlgorithms() {
        return java.util.Collections.unmodifiableMap(pinned);
    }

    /** Grids for a real batch (eager) or for a capture (capacities). */
    void setGrids(int tokens, int seqs, int tiles) {
        for (Issuable i : issuables) i.grid(tokens, seqs, tiles);
    }

    void setCapacityGrids() {
        setGrids(size, seqCapacity, tileCapacity);
    }

    /**
     * Issues every op: main-stream ops on {@code stream}, forked branches on {@code side} (null when
     * the plan has none); eagerly, or recorded into a graph when {@code capturing}.
     */
    void issue(CudaStream stream, CudaStream side, boolean capturing) {
        // The plant runs first, on the path to the first tokens: at the graph's end (before s31) it ran after argmax, so a
        // host spinning for the tokens (--first-tokens spin) never waited for it, and the next forward, often eager, did
        // (s31 call 1: graph -1.2 %, eager +22 %, the planted gate passed).
        if (capturing && spin != null) spin.launch(stream);
        boolean afterLibrary = false;
        for (Step st : main) {
            for (Branch b : st.joins()) stream.waitEvent(b.join());
            // Under capture, after a library call: the edge from its kernel into our next PDL kernel leaves when the
            // library kernel's blocks have all started (ours waits in griddepcontrol.wait for its completion and
            // memory), issued without the PDL attribute, which would make the edge leave at the library kernel's
            // end instead (s6 calls 3, 4: long 1.109 -> 1.068 ms, 4x80 0.956 -> 0.898).
            if (capturing && libraryEdges && afterLibrary && st.joins().isEmpty() && st.op().waitsOnGrid()
                    && stream.programmaticDependencies(Cudart.cudaGraphKernelNodePortLaunchCompletion()) > 0) {
                st.op().issueBehindSetEdges(stream);
            } else {
                st.op().issue(stream);
            }
            afterLibrary = st.op().library();
            for (Branch b : st.forks()) {
                if (side == null) throw new IllegalStateException(b.name() + " runs on a side stream but the engine has none");
                b.fork().record(stream);
                side.waitEvent(b.fork());
                b.op().issue(side);
                b.join().record(side);
            }
        }
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

    /** Destroys the fork/join events; safe to call twice. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (CudaEvent e : events) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                if (first == null) first = ex;
            }
        }
        events.clear();
        if (first != null) throw first;
    }
}
