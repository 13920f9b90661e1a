package io.prefillbench.forward;

import java.util.List;

/**
 * One op of an execution plan: the (possibly rewritten) op, its implementation, split-K, the
 * partial-sum input it reads, its grid, and where it runs.
 *
 * @param splits        GEMM k splits (1 otherwise); > 1 writes fp32 partials into a workspace tensor
 * @param partialSplits > 0: the input bound to the impl's partial role is that many split-K
 *                      partials of {@code partialRows} rows, summed in order while loading
 * @param fused         names of the ops folded into this one by the fusion pass, or replaced by a persistent
 *                      layer (empty if none)
 * @param stream        0 = main stream; 1 = side branch, forked after {@code forkAfter} and joined
 *                      before {@code joinBefore} (main-stream op names)
 * @param algo          library calls: the algorithm to pin (a measurements row's {@code algo}); null =
 *                      the library heuristic's first pick, pinned when the engine binds the op
 */
public record LoweredOp(Op op, Impl impl, int splits, int partialSplits, int partialRows, List<String> fused, Grid grid,
                        int stream, String forkAfter, String joinBefore, String algo) {
    public LoweredOp {
        fused = List.copyOf(fused);
    }

    static LoweredOp of(Op op, Impl impl) {
        return new LoweredOp(op, impl, 1, 0, 0, List.of(), null, 0, null, null, null);
    }

    LoweredOp withOp(Op o) {
        return new LoweredOp(o, impl, splits, partialSplits, partialRows, fused, grid, stream, forkAfter, joinBefore, algo);
    }

    LoweredOp withImpl(Impl i, List<String> fusedOps) {
        return new LoweredOp(op, i, splits, partialSplits, partialRows, fusedOps, grid, stream, forkAfter, joinBefore, algo);
    }

    LoweredOp withSplits(int s) {
        return new LoweredOp(op, impl, s, partialSplits, partialRows, fused, grid, stream, forkAfter, joinBefore, algo);
    }

    LoweredOp withPartialInput(int s, int rows) {
        return new LoweredOp(op, impl, splits, s, rows, fused, grid, stream, forkAfter, joinBefore, algo);
    }

    LoweredOp withGrid(Grid g) {
        return new LoweredOp(op, impl, splits, partialSplits, partialRows, fused, g, stream, forkAfter, joinBefore, algo);
    }

    LoweredOp withAlgo(String a) {
        return new LoweredOp(op, impl, splits, partialSplits, partialRows, fused, grid, stream, forkAfter, joinBefore, a);
    }

    LoweredOp onSideStream(String fork, String join) {
        return new LoweredOp(op, impl, splits, partialSplits, partialRows, fused, grid, 1, fork, join, algo);
    }

    /** One line: name, implementation, grid, splits, partial input, fusion, pinned algorithm, stream. */
    public String describe(CaptureKey key) {
        StringBuilder sb = new StringBuilder();
        sb.append(op.name()).append(' ').append(impl.name());
        if (grid != null) {
            int[] g = grid.atCapacity(key);
            sb.append(" grid=").append(g[0]).append('x').append(g[1]).append('x').append(g[2]).append(' ').append(grid);
        }
        if (op.kind() == OpKind.GEMM) sb.append(" n=").append(op.n()).append(" k=").append(op.k()).append(" m=").append(key.capacity(op.rows()));
        if (splits > 1) sb.append(" splits=").append(splits);
        if (partialSplits > 0) sb.append(" partial_in=").append(partialSplits);
        if (!fused.isEmpty()) sb.append(" fused=").append(String.join("+", fused));
        if (impl.library()) sb.append(" algo=").append(algo == null ? "heuristic" : "[" + algo + "]");
        if (stream != 0) sb.append(" stream=").append(stream).append(" fork_after=").append(forkAfter).append(" join_before=").append(joinBefore);
        return sb.toString();
    }
}
