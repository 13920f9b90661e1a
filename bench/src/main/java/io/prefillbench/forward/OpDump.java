package io.prefillbench.forward;

import java.util.Locale;

/**
 * The lowered op lists as plain text, one op per line of {@code key=value} fields, for tools that
 * must not re-derive the plan (the C++ kernel harness reads the GEMM lines:
 * {@code kernels/check/kernel_check.cu}, {@code PK_OPS=FILE}, builds its forward chain from the op
 * lines). {@code fork}/{@code join}: a side-stream op's fork and join points (main-stream op names),
 * {@code -} on the main stream; {@code algo}: a library call's pinned algorithm with commas for spaces
 * ({@code heuristic} = the library's first pick at bind time), {@code -} for our kernels.
 *
 * <pre>
 * size=16 seqs=16 tiles=5 sms=132 arch=90 op=L0.qkv kind=GEMM layer=0 impl=gemm_bf16 kernel=gemm_bf16 n=1280 k=1024 m=16 splits=8 partial_in=0 grid=20x1x8 threads=128 smem=0 stream=0 fused=- fork=- join=- algo=-
 * </pre>
 */
public final class OpDump {
    public static final String HEADER = "# prefillbench lowered ops v1";

    private OpDump() {
    }

    public static String of(LoweredForward f) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        ForwardProgram.Dims d = f.program().dims();
        sb.append(String.format(Locale.ROOT, "# hidden=%d q_heads=%d kv_heads=%d head_dim=%d ffn=%d vocab=%d layers=%d tied=%b%n",
                d.hidden(), d.qHeads(), d.kvHeads(), d.headDim(), d.ffn(), d.vocab(), d.layers(), d.tied()));
        for (LoweredPlan p : f.all()) line(sb, p, "");
        // decode graphs (uniform-decode batches) as comments: the harness builds its chain from the plain plans
        for (LoweredPlan p : f.plans(CaptureKey.Batch.DECODE).values()) line(sb, p, "# decode graph: ");
        for (LoweredPlan p : f.plans(CaptureKey.Batch.FRESH).values()) line(sb, p, "# fresh-prompt graph: ");
        return sb.toString();
    }

    /** One plan's op lines, each after {@code prefix}. */
    private static void line(StringBuilder sb, LoweredPlan p, String prefix) {
        CaptureKey k = p.key();
        for (LoweredOp o : p.ops()) {
            sb.append(prefix);
            int[] g = o.grid() == null ? new int[] {0, 0, 0} : o.grid().atCapacity(k);
            sb.append(String.format(Locale.ROOT,
                    "size=%d seqs=%d tiles=%d sms=%d arch=%d op=%s kind=%s layer=%d impl=%s kernel=%s n=%d k=%d m=%d splits=%d partial_in=%d grid=%dx%dx%d threads=%d smem=%d stream=%d fused=%s fork=%s join=%s algo=%s pdl=%d%s%s%s%n",
                    k.size(), k.seqCapacity(), k.tileCapacity(), k.smCount(), k.arch(), o.op().name(), o.op().kind(), o.op().layer(),
                    o.impl().name(), o.impl().kernel(), o.op().n(), o.op().k(), k.capacity(o.op().rows()), o.splits(), o.partialSplits(),
                    g[0], g[1], g[2], o.impl().threads(), o.impl().dynamicSmem(), o.stream(),
                    o.fused().isEmpty() ? "-" : String.join("+", o.fused()), o.stream() == 0 ? "-" : o.forkAfter(),
                    o.stream() == 0 ? "-" : o.joinBefore(), algo(o),
                    // whether the launch may be programmatic (the harness launches the rest without the attribute)
                    o.impl().attrs().contains(Impl.Attr.PDL) ? 1 : 0,
                    // a persistent launch of several layers (the harness reads it as LayerParams.layers)
                    o.op().kind() == OpKind.LAYER ? " layers=" + Lowering.layerSpan(o.op()) : "",
                    // a plan whose attention runs other tiles than the kernels' standard (the harness builds its tile map so)
                    k.tileRows() == KernelConstants.ROWS_PER_TILE ? "" : " tile_rows=" + k.tileRows(),
                    // the L1 / shared memory split the plan's kernel launches ask for (a smemCarveout row)
                    p.smemCarveout() < 0 || o.impl().library() ? "" : " carveout=" + p.smemCarveout()));
        }
    }

    /** A library call's algorithm as one token (describeAlgo() with commas for spaces); {@code -} for kernels. */
    static String algo(LoweredOp o) {
        if (!o.impl().library()) return "-";
        return o.algo() == null ? "heuristic" : o.algo().trim().replaceAll("\\s+", ",");
    }
}
