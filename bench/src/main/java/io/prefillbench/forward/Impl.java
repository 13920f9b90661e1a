package io.prefillbench.forward;

import java.util.Set;

/**
 * One implementation of an op kind: what it launches and everything lowering needs to know about
 * it, declared in one place ({@link ImplRegistry#standard()}).
 *
 * @param name           registry key, also what {@code plan} and the measurements file call it
 * @param kind           the op kind it implements
 * @param kernel         CUDA kernel name in the fatbin, or the library call for {@link Attr#LIBRARY}
 * @param threads        block size
 * @param dynamicSmem    dynamic shared memory bytes per block
 * @param attrs          launch attributes (several may apply)
 * @param invariance     which inputs may change its bits, stated precisely: graph == eager holds
 *                       because none of them is the real token count
 * @param supports       whether it can run an op at a key
 * @param grid           its grid as a function of the capacity counts (null for library calls)
 * @param defaultSplits  split-K when the measurements file says nothing (1 = no split)
 * @param linearEpilogue its output is a plain sum (split-K partials may be summed later); false for
 *                       a non-linear epilogue or a norm prologue on partial rows, where split-K is refused (a norm
 *                       prologue over whole rows, the v67 {@code _norm} forms, keeps the output a plain sum)
 * @param partialRole    as a consumer: the read role that can take fp32 split-K partials (null: none)
 * @param binder         fills the kernel's parameter struct (or prepares the library call)
 */
public record Impl(String name, OpKind kind, String kernel, int threads, int dynamicSmem, Set<Attr> attrs, String invariance,
                   Supports supports, GridRule grid, SplitRule defaultSplits, boolean linearEpilogue, String partialRole,
                   Binder binder) {
    /** Launch attributes an implementation declares. */
    public enum Attr {
        /** May be launched with programmatic stream serialization (sm_90; the kernel waits in griddepcontrol.wait). */
        PDL,
        /** Needs its dynamic shared memory limit raised once per device (above 48 KB). */
        SMEM_OPT_IN,
        /** Not one kernel of ours: a library call (its launches are the library's). */
        LIBRARY,
        /**
         * Sums its own split-K partials: every block writes its fp32 partial into the op's {@code partial}
         * workspace (given at any splits) and the last block of a column tile to arrive, counted in
         * {@link ForwardProgram#TILE_COUNTERS}, sums them in order z = 0, 1, ... and runs the epilogue; so a
         * non-linear epilogue may be split, with the bits of the split GEMM followed by its unfused consumer.
         */
        SPLIT_FIXUP,
        /**
         * Reduces its own split-K inside a thread-block cluster (the splits blocks of a column tile, cluster dims
         * (1, 1, splits)) and writes one fp32 plane of the op's partial workspace, the in-order sum of the splits: its
         * consumer reads that one plane (the same bits as the splits planes) and no reduce op is needed. Cluster sizes
         * above 8 need the kernel's non-portable cluster size allowed (the engine does it once per kernel).
         */
        CLUSTER_SPLITK,
        /**
         * Reads the tile map before its griddepcontrol.wait (attention_prefill_wg_early): the plan must run build_tile_map
         * first and launch the kernel after it without PDL (or one that triggers only after its wait, {@link #META_AFTER_WAIT}),
         * so every later kernel starts after the map is complete
         * ({@link Lowering#serializeAfterTileMap}, which gives every plan that order since build_tile_map copies the batch
         * metadata in; the attribute names the reason in {@link Lowering#checkTileMapFirst}'s refusal).
         */
        TILE_MAP_BEFORE_WAIT,
        /**
         * Reads the batch metadata only after its griddepcontrol.wait and lets its dependents launch only then
         * (embed_gather since v63): as the op right after build_tile_map it may launch with PDL, because every later kernel
         * still starts after the copy-in is complete ({@link Lowering#serializeAfterTileMap} keeps its PDL,
         * {@link Lowering#checkTileMapFirst} accepts it).
         */
        META_AFTER_WAIT,
        /**
         * An attention kernel over tiles of half the standard rows ({@link KernelConstants#ROWS_PER_TILE} / 2: the t32 form,
         * whose kernel derives its rows the same way): a plan running it counts its tile capacity, tile map and batch tiles
         * in those ({@link ImplRegistry#tileRows}, {@link CaptureKey#tileRows}).
         */
        HALF_TILES,
        /**
         * An attention kernel that also does its layer's rope_kv op (attention_prefill_wg_early_t32_rope): it reads rope's
         * input (the qkv GEMM's bf16 output or split-K partials) directly, computes rotated q / k and biased v in
         * rope_kv_write's arithmetic and writes each new token's k and v into the caches itself, so the layer has one launch
         * fewer. {@link Lowering#foldRopeIntoAttention} folds the layer's rope_kv op into the attention op (its reads,
         * cache writes and bias); a plan where rope is already fused elsewhere (rope_into_qkv) is refused.
         */
        ROPE_IN
    }

    @FunctionalInterface
    public interface Supports {
        boolean test(Op op, CaptureKey key);

        /** With the model's dimensions, for rules that need them (kv heads); by default the rule above. */
        default boolean test(Op op, CaptureKey key, ForwardProgram.Dims dims) {
            return test(op, key);
        }

        /**
         * Why the implementation cannot run this op of this model on this device when a measurements row names it (the
         * end of a sentence that starts with its name), or null; by default nothing (the rule is about choosing it, not
         * about whether it runs).
         */
        default String refusal(Op op, CaptureKey key, ForwardProgram.Dims dims) {
            return null;
        }
    }

    @FunctionalInterface
    public interface GridRule {
        Grid of(Op op, CaptureKey key, int splits, ForwardProgram.Dims dims);
    }

    @FunctionalInterface
    public interface SplitRule {
        int of(Op op, CaptureKey key);
    }

    /** Prepares one lowered op for issue on a device (engine side). */
    @FunctionalInterface
    public interface Binder {
        Issuable bind(BindContext ctx, LoweredOp op);
    }

    public boolean library() {
        return attrs.contains(Attr.LIBRARY);
    }

    /** The same implementation launched without the attribute (e.g. without PDL where the plan needs a full dependency). */
    public Impl without(Attr a) {
        java.util.EnumSet<Attr> rest = attrs.isEmpty() ? java.util.EnumSet.noneOf(Attr.class) : java.util.EnumSet.copyOf(attrs);
        rest.remove(a);
        return new Impl(name, kind, kernel, threads, dynamicSmem, rest, invariance, supports, grid, defaultSplits, linearEpilogue,
                partialRole, binder);
    }

    public boolean splitFixup() {
        return attrs.contains(Attr.SPLIT_FIXUP);
    }
}
