package io.prefillbench.forward;

import io.prefillbench.cuda.CudaStream;
import io.prefillbench.cuda.Kernel;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** A kernel launch prepared once from a lowered op: its grid rule, block, smem and launch attributes. */
final class KernelIssuable implements Issuable {
    private final Kernel.Launch launch;
    private final Kernel.Launch plain; // the same launch without the PDL attribute (issueBehindSetEdges), null without PDL
    private final Grid grid;
    private final boolean pdl;

    KernelIssuable(BindContext ctx, LoweredOp op, MemorySegment params) {
        this(ctx, op, params, List.of());
    }

    /** With launch attributes the binder chose ({@code extra}, e.g. a cluster shape) after the impl's own. */
    KernelIssuable(BindContext ctx, LoweredOp op, MemorySegment params, List<Kernel.Attribute> extra) {
        Impl impl = op.impl();
        List<Kernel.Attribute> attrs = new ArrayList<>();
        this.pdl = ctx.pdl() && impl.attrs().contains(Impl.Attr.PDL);
        if (pdl) attrs.add(new Kernel.Attribute.ProgrammaticSerialization());
        List<Kernel.Attribute> rest = new ArrayList<>(extra);
        if (ctx.smemCarveout() >= 0) rest.add(new Kernel.Attribute.SharedMemoryCarveout(ctx.smemCarveout()));
        Kernel.Attribute window = persistingWindow(ctx, op);
        if (window != null) rest.add(window);
        attrs.addAll(rest);
        this.launch = new Kernel.Launch(ctx.kernel(impl.kernel()), params, impl.threads(), impl.dynamicSmem(), attrs, ctx.arena());
        this.plain = pdl ? new Kernel.Launch(ctx.kernel(impl.kernel()), params, impl.threads(), impl.dynamicSmem(), rest, ctx.arena()) : null;
        this.grid = op.grid();
        grid(ctx.key().size(), ctx.key().seqCapacity(), ctx.key().tileCapacity());
    }

    /**
     * The access-policy window a launch of {@code op} carries where the engine holds an L2 set-aside: the LM head's, over
     * the first min(set-aside, weight) bytes of its weight, persisting (kernels/NOTES-forward.md v88: it streams the largest
     * weight at DRAM rate, so what the set-aside keeps across forwards comes from the L2 instead); null for every other op.
     * A window longer than the set-aside would evict its own lines.
     */
    static Kernel.Attribute persistingWindow(BindContext ctx, LoweredOp op) {
        if (ctx.l2SetAside() <= 0 || !ForwardProgram.LM_HEAD.equals(op.op().name())) return null;
        String w = op.op().weight("weight");
        return new Kernel.Attribute.PersistingWindow(ctx.weight(w), Math.min(ctx.l2SetAside(), ctx.weightBytes(w)));
    }

    @Override
    public void grid(int tokens, int seqs, int tiles) {
        int[] b = grid.blocks(tokens, seqs, tiles);
        launch.grid(b[0], b[1], b[2]);
        if (plain != null) plain.grid(b[0], b[1], b[2]);
    }

    @Override
    public void issue(CudaStream stream) {
        launch.launch(stream);
    }

    @Override
    public boolean waitsOnGrid() {
        return pdl;
    }

    @Override
    public void issueBehindSetEdges(CudaStream stream) {
        (plain != null ? plain : launch).launch(stream);
    }
}
