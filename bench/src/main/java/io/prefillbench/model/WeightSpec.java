package io.prefillbench.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named weight tensors of a model, in buffer order: the single source of truth for the GPU
 * engine (one bf16 buffer cut into 256-byte aligned slices at {@link Tensor#offsetBytes()}) and the
 * CPU reference. Tensor ids feed the init hash, so they must never be renumbered.
 *
 * <pre>
 * embedding           id 1            [vocab, hidden]     scale 1,              offset 0
 * final_norm          id 2            [1, hidden]         scale 0.1,            offset 1
 * lm_head             id 3 (untied)   [vocab, hidden]     scale sqrt(3/hidden)
 * layers.L.input_norm id 100+16L+0    [1, hidden]         scale 0.1,            offset 1
 * layers.L.qkv        id 100+16L+1    [qkvDim, hidden]    scale sqrt(3/hidden)
 * layers.L.qkv_bias   id 100+16L+2    [1, qkvDim]         scale 0.1   (only with qkv bias)
 * layers.L.o          id 100+16L+3    [hidden, attnDim]   scale sqrt(3/attnDim)
 * layers.L.post_norm  id 100+16L+4    [1, hidden]         scale 0.1,            offset 1
 * layers.L.gate_up    id 100+16L+5    [2*ffn, hidden]     scale sqrt(3/hidden)  rows [0,ffn) gate, [ffn,2ffn) up
 * layers.L.down       id 100+16L+6    [hidden, ffn]       scale sqrt(3/ffn)
 * </pre>
 * Scales sqrt(3/k) give unit-variance GEMM outputs for unit-variance inputs (uniform [-1,1] has
 * variance 1/3), so activations stay O(1) through the layers.
 */
public final class WeightSpec {

    /** Slices start on this boundary (cudaMalloc alignment; keeps vector loads aligned). */
    public static final int ALIGN_BYTES = 256;
    /** bf16 */
    public static final int ELEMENT_BYTES = 2;

    /** One tensor: row-major {@code [rows, cols]} bf16 at {@code offsetBytes} in the weight buffer. */
    public record Tensor(String name, int tensorId, int rows, int cols, float scale, float offset, long offsetBytes) {
        public long elements() {
            return (long) rows * cols;
        }

        public long bytes() {
            return elements() * ELEMENT_BYTES;
        }
    }

    /** Names of the tensors of layer {@code l}. */
    public record LayerNames(String inputNorm, String qkv, String qkvBias, String o, String postNorm,
            String gateUp, String down) {
        static LayerNames of(int l) {
            String p = "layers." + l + ".";
            return new LayerNames(p + "input_norm", p + "qkv", p + "qkv_bias", p + "o", p + "post_norm",
                    p + "gate_up", p + "down");
        }
    }

    public static final String EMBEDDING = "embedding";
    public static final String FINAL_NORM = "final_norm";
    public static final String LM_HEAD = "lm_head";

    private final ModelConfig config;
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;
    private final long totalBytes;

    private WeightSpec(ModelConfig config) {
        this.config = config;
        Builder b = new Builder();
        int h = config.hidden();
        float hScale = sqrt3Over(h);
        b.add(EMBEDDING, 1, config.vocab(), h, 1.0f, 0.0f);
        b.add(FINAL_NORM, 2, 1, h, 0.1f, 1.0f);
        if (!config.tieWordEmbeddings()) {
            b.add(LM_HEAD, 3, config.vocab(), h, hScale, 0.0f);
        }
        for (int l = 0; l < config.layers(); l++) {
            int base = layerBaseId(l);
            LayerNames n = LayerNames.of(l);
            b.add(n.inputNorm(), base, 1, h, 0.1f, 1.0f);
            b.add(n.qkv(), base + 1, config.qkvDim(), h, hScale, 0.0f);
            if (config.qkvBias()) {
                b.add(n.qkvBias(), base + 2, 1, config.qkvDim(), 0.1f, 0.0f);
            }
            b.add(n.o(), base + 3, h, config.attnDim(), sqrt3Over(config.attnDim()), 0.0f);
            b.add(n.postNorm(), base + 4, 1, h, 0.1f, 1.0f);
            b.add(n.gateUp(), base + 5, 2 * config.ffn(), h, hScale, 0.0f);
            b.add(n.down(), base + 6, h, config.ffn(), sqrt3Over(config.ffn()), 0.0f);
        }
        this.tensors = Collections.unmodifiableList(b.list);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            m.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.totalBytes = b.end;
    }

    public static WeightSpec of(ModelConfig config) {
        return new WeightSpec(config);
    }

    public static int layerBaseId(int layer) {
        return 100 + 16 * layer;
    }

    public static LayerNames layer(int l) {
        return LayerNames.of(l);
    }

    static float sqrt3Over(int k) {
        return (float) Math.sqrt(3.0 / k);
    }

    public ModelConfig config() {
        return config;
    }

    /** In buffer order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** The tensor named {@code name}; IllegalArgumentException if this model has none. */
    public Tensor tensor(String name) {
        Tensor t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("model " + config.name() + " has no tensor " + name);
        }
        return t;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The LM head: its own tensor, or the embedding table when tied. */
    public Tensor lmHead() {
        return config.tieWordEmbeddings() ? tensor(EMBEDDING) : tensor(LM_HEAD);
    }

    /** Bytes of the whole weight buffer, the last slice padded to {@link #ALIGN_BYTES}. */
    public long totalBytes() {
        return totalBytes;
    }

    private static final class Builder {
        final List<Tensor> list = new ArrayList<>();
        long end;

        void add(String name, int id, int rows, int cols, float scale, float offset) {
            Tensor t = new Tensor(name, id, rows, cols, scale, offset, end);
            list.add(t);
            end = alignUp(end + t.bytes());
        }
    }

    static long alignUp(long bytes) {
        return (bytes + ALIGN_BYTES - 1) / ALIGN_BYTES * ALIGN_BYTES;
    }
}
