package io.prefillbench.reference;

import static io.prefillbench.reference.KernelReference.PAGE_SIZE;

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
 * {@link WeightInit}, built from the per-kernel references of {@link KernelReference} in the order
 * the engine launches the kernels, with the same bf16 rounding points:
 *
 * <pre>
 * residual = embed(ids)                                       bf16
 * x = null
 * per layer:
 *   h   = add_rmsnorm(x, residual, input_norm)               residual += x (bf16), h bf16
 *   qkv = gemm(h, qkv)                                        bf16
 *   rope_kv_write(qkv, bias)                                  q, k rotated (bf16), k, v into cache (bf16)
 *   a   = attention(q, cache)                                 bf16
 *   o   = gemm(a, o)                                          bf16
 *   h   = add_rmsnorm(o, residual, post_norm)                 residual += o (bf16), h bf16
 *   gu  = gemm(h, gate_up)                                    bf16
 *   m   = silu_mul(gu)                                        bf16
 *   x   = gemm(m, down)                                       bf16
 * f = final_norm_gather(x, residual, final_norm)              last token of each sequence, bf16
 * logits = gemm(f, lm_head or embedding)                      bf16
 * first token = argmax(logits)                                lowest index on ties
 * </pre>
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
    private RopeTable rope;

    public CpuReference(ModelConfig config, int seed) {
        this.config = config.validate();
        this.seed = seed;
        this.spec = WeightSpec.of(config);
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

        int h = config.hidden();
        float eps = config.rmsNormEps();
        float scale = (float) (1.0 / Math.sqrt(config.headDim()));
        float[] residual = KernelReference.embed(ids, tokens, weight(WeightSpec.EMBEDDING), config.vocab(), h);
        float[] x = null;
        for (int l = 0; l < config.layers(); l++) {
            WeightSpec.LayerNames n = WeightSpec.layer(l);
            float[] normed = KernelReference.addRmsNorm(x, residual, weight(n.inputNorm()), tokens, h, eps);
            float[] qkv = KernelReference.gemm(normed, weight(n.qkv()), tokens, config.qkvDim(), h);
            KernelReference.ropeKv(qkv, config.qkvBias() ? weight(n.qkvBias()) : null, cosSin, positions, slots,
                    cache.k(l), cache.v(l), tokens, config.qHeads(), config.kvHeads(), config.headDim());
            float[] attn = KernelReference.attention(qkv, config.qkvDim(), cache.k(l), cache.v(l), queryStart,
                    kvLens, blockTables, maxPages, numSeqs, config.qHeads(), config.kvHeads(), config.headDim(),
                    scale);
            float[] o = KernelReference.gemm(attn, weight(n.o()), tokens, h, config.attnDim());
            normed = KernelReference.addRmsNorm(o, residual, weight(n.postNorm()), tokens, h, eps);
            float[] gateUp = KernelReference.gemm(normed, weight(n.gateUp()), tokens, 2 * config.ffn(), h);
            float[] act = KernelReference.siluMul(gateUp, tokens, config.ffn());
            x = KernelReference.gemm(act, weight(n.down()), tokens, h, config.ffn());
        }
        float[] last = KernelReference.finalNormGather(x, residual, weight(WeightSpec.FINAL_NORM), queryStart,
                numSeqs, h, eps);
        float[] logits = KernelReference.gemm(last, weight(spec.lmHead().name()), numSeqs, config.vocab(), h);
        int[] first = KernelReference.argmax(logits, numSeqs, config.vocab());
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
