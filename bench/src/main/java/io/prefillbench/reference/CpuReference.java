package io.prefillbench.reference;

import static io.prefillbench.reference.KernelReference.PAGE_SIZE;

import io.prefillbench.forward.Count;
import io.prefillbench.forward.ForwardProgram;
import io.prefillbench.forward.Op;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.RopeTable;
import io.prefillbench.model.WeightInit;
import io.prefillbench.model.WeightSpec;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The whole prefill forward on the CPU, on the synthetic weights of {@link WeightSpec} /
 * {@link WeightInit}: it executes the op list of {@link ForwardProgram} (the one description of the
 * forward the engine lowers and launches), dispatching each op kind to its per-kernel reference in
 * {@link KernelReference}, with the same bf16 rounding points:
 *
 * bf16 after every op the kernels store as bf16; argmax takes the lowest index on ties. Fusions of a
 * lowering run unfused here with the same math (silu_into_gate_up: GEMM, then silu_mul, see
 * {@link KernelReference#gemmSiluMul}), on the natural weight layout (the engine's device layout only
 * moves rows, {@link io.prefillbench.forward.WeightLayout}).
 *
 * Weights are held as floats (4 bytes per parameter): fine for the tiny presets and usable for
 * the 0.3B-1B ones given a few GB of heap.
 */
public final class CpuReference {

    /** Last-token logits {@code [seqs][vocab]} (bf16 values) and their argmax per sequence. */
    public record Result(float[][] logits, int[] firstTokens) {}

    /** {@code tokens} appended to {@code sequence}, whose cached tokens are its prefix. */
    public record Chunk(KvCache.Sequence sequence, int[] tokens) {}

    private final ModelConfig config;
    private final int seed;
    private final WeightSpec spec;
    private final Map<String, float[]> weights = new HashMap<>();
    private final ForwardProgram program;
    private RopeTable rope;

    public CpuReference(ModelConfig config, int seed) {
        this.config = config.validate();
        this.seed = seed;
        this.spec = WeightSpec.of(config);
        this.program = ForwardProgram.of(config);
        for (WeightSpec.Tensor t : spec.tensors()) {
            weights.put(t.name(), generate(t));
        }
    }

    public ModelConfig config() {
        return config;
    }

    public WeightSpec spec() {
        return spec;
    }

    /** The weights of tensor {@code name} as bf16 values, {@code [rows, cols]}; shared, do not modify. */
    public float[] weight(String name) {
        float[] w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return w;
    }

    public KvCache newCache() {
        return new KvCache(config);
    }

    /** Prefills each prompt from scratch in one batch; returns each one's last-token logits. */
    public Result forward(List<int[]> prompts) {
        KvCache cache = newCache();
        return prefill(cache, prompts.stream().map(p -> new Chunk(cache.newSequence(), p)).toList());
    }

    /**
     * One batched prefill step: each chunk's tokens continue its sequence (chunked prefill when the
     * sequence already holds tokens). Returns the logits of each chunk's last token, in order. The
     * sequences advance by their chunk lengths.
     */
    public Result prefill(KvCache cache, List<Chunk> chunks) {
        return prefill(program, cache, chunks);
    }

    /**
     * The same step through another description of this model's forward (e.g. {@link ForwardProgram#lastLayerOnLastRows}):
     * its ops must be this model's.
     */
    public Result prefill(ForwardProgram program, KvCache cache, List<Chunk> chunks) {
        if (!program.dims().equals(this.program.dims())) {
            throw new IllegalArgumentException("a program of another model: " + program.dims() + " vs " + this.program.dims());
        }
        int numSeqs = chunks.size();
        if (numSeqs == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        Map<KvCache.Sequence, Boolean> seen = new IdentityHashMap<>();
        int[] queryStart = new int[numSeqs + 1];
        int[] kvLens = new int[numSeqs];
        int maxPages = 0;
        for (int s = 0; s < numSeqs; s++) {
            Chunk c = chunks.get(s);
            if (c.sequence().cache() != cache) {
                throw new IllegalArgumentException("chunk " + s + ": sequence belongs to another cache");
            }
            if (seen.put(c.sequence(), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("chunk " + s + ": sequence appears twice in one batch");
            }
            if (c.tokens().length == 0) {
                throw new IllegalArgumentException("chunk " + s + " has no tokens");
            }
            kvLens[s] = c.sequence().length() + c.tokens().length;
            if (kvLens[s] > config.maxPositions()) {
                throw new IllegalArgumentException("chunk " + s + ": " + kvLens[s] + " tokens exceed max positions "
                        + config.maxPositions());
            }
            c.sequence().reserve(kvLens[s]);
            maxPages = Math.max(maxPages, c.sequence().pageCount());
            queryStart[s + 1] = queryStart[s] + c.tokens().length;
        }
        int tokens = queryStart[numSeqs];
        int[] ids = new int[tokens];
        int[] positions = new int[tokens];
        int[] slots = new int[tokens];
        int[] blockTables = new int[numSeqs * maxPages]; // [seqs, maxPages]
        int maxPosition = 0;
        for (int s = 0; s < numSeqs; s++) {
            Chunk c = chunks.get(s);
            KvCache.Sequence seq = c.sequence();
            for (int p = 0; p < seq.pageCount(); p++) {
                blockTables[s * maxPages + p] = seq.page(p);
            }
            for (int i = 0; i < c.tokens().length; i++) {
                int t = queryStart[s] + i;
                int pos = seq.length() + i;
                ids[t] = c.tokens()[i];
                positions[t] = pos;
                slots[t] = seq.page(pos / PAGE_SIZE) * PAGE_SIZE + pos % PAGE_SIZE;
                maxPosition = Math.max(maxPosition, pos);
            }
        }
        float[] cosSin = ropeCovering(maxPosition).flat();

        // Execute the one forward description, op by op, with the per-kernel references.
        int h = config.hidden();
        float eps = config.rmsNormEps();
        float scale = (float) (1.0 / Math.sqrt(config.headDim()));
        Map<String, float[]> act = new HashMap<>();
        int[] first = null;
        for (Op op : program.ops()) {
            switch (op.kind()) {
                case EMBED -> act.put(op.out("out"), KernelReference.embed(ids, tokens, weight(op.weight("table")), config.vocab(), h));
                case TILE_MAP -> {
                    // the reference attention walks each sequence's rows directly: tiles change no value
                }
                case ADD_RMSNORM -> act.put(op.out("out"), KernelReference.addRmsNorm(op.in("x") == null ? null : act.get(op.in("x")),
                        act.get(op.in("residual")), weight(op.weight("weight")), op.rows() == Count.SEQS ? numSeqs : tokens, h, eps));
                case GEMM -> {
                    int rows = op.rows() == Count.SEQS ? numSeqs : tokens;
                    act.put(op.out("c"), KernelReference.gemm(act.get(op.in("a")), weight(op.weight("weight")), rows, op.n(), op.k()));
                }
                case ROPE_KV -> KernelReference.ropeKv(act.get(op.in("qkv")), op.weight("bias") == null ? null : weight(op.weight("bias")),
                        cosSin, positions, slots, cache.k(op.layer()), cache.v(op.layer()), tokens, config.qHeads(), config.kvHeads(),
                        config.headDim());
                case ATTENTION -> act.put(op.out("out"), KernelReference.attention(act.get(op.in("q")), config.qkvDim(),
                        cache.k(op.layer()), cache.v(op.layer()), queryStart, kvLens, blockTables, maxPages, numSeqs, config.qHeads(),
                        config.kvHeads(), config.headDim(), scale));
                case SILU_MUL -> act.put(op.out("out"), KernelReference.siluMul(act.get(op.in("gate_up")),
                        op.rows() == Count.SEQS ? numSeqs : tokens, config.ffn()));
                case GATHER_LAST_ROWS -> {
                    act.put(op.out("a_out"), KernelReference.gatherLastRows(act.get(op.in("a")), config.qHeads() * config.headDim(), queryStart, numSeqs));
                    act.put(op.out("b_out"), KernelReference.gatherLastRows(act.get(op.in("b")), h, queryStart, numSeqs));
                }
                case FINAL_NORM_GATHER -> act.put(op.out("out"), KernelReference.finalNormGather(act.get(op.in("x")),
                        act.get(op.in("residual")), weight(op.weight("weight")), queryStart, numSeqs, h, eps));
                case ARGMAX -> first = KernelReference.argmax(act.get(op.in("logits")), numSeqs, config.vocab());
                default -> throw new IllegalStateException("the CPU reference has no " + op.kind());
            }
        }
        float[] logits = act.get(ForwardProgram.LOGITS);
        float[][] perSeq = new float[numSeqs][];
        for (int s = 0; s < numSeqs; s++) {
            perSeq[s] = java.util.Arrays.copyOfRange(logits, s * config.vocab(), (s + 1) * config.vocab());
            chunks.get(s).sequence().advance(chunks.get(s).tokens().length);
        }
        return new Result(perSeq, first);
    }

    /** A RoPE table reaching {@code position}; rows are position-independent, so growing it changes no value. */
    private RopeTable ropeCovering(int position) {
        if (rope == null || rope.positions() <= position) {
            int n = Math.min(config.maxPositions(), Math.max(256, Integer.highestOneBit(position) * 2));
            rope = RopeTable.of(config.ropeTheta(), config.headDim(), n);
        }
        return rope;
    }

    /** Generates a tensor in parallel slices (the hash is per element, so slicing changes nothing). */
    private float[] generate(WeightSpec.Tensor t) {
        float[] out = new float[Math.toIntExact(t.elements())];
        int slice = 1 << 20;
        int slices = (out.length + slice - 1) / slice;
        IntStream.range(0, slices).parallel().forEach(i -> {
            int start = i * slice;
            WeightInit.fill(out, start, Math.min(slice, out.length - start), seed, t.tensorId(), start, t.scale(),
                    t.offset());
        });
        return out;
    }
}
