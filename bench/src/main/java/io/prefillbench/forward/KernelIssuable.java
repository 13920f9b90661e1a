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
        attrs.addAll(rest);
        this.launch = new Kernel.Launch(ctx.kernel(impl.kernel()), params, impl.threads(), impl.dynamicSmem(), attrs, ctx.arena());
        this.plain = pdl ? new Kernel.Launch(ctx.kernel(impl.kernel()), params, impl.threads(), impl.dynamicSmem(), rest, ctx.arena()) : null;
        this.grid = op.grid();
        grid(ctx.key().size(), ctx.key().seqCapacity(), ctx.key().tileCapacity());
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
