package io.prefillbench.reference;

import static io.prefillbench.reference.KernelReference.PAGE_SIZE;

import io.prefillbench.model.ModelConfig;
import java.util.Arrays;

/**
 * Paged KV cache of the CPU reference, laid out like the engine's: per layer one k and one v pool
 * {@code [pages * PAGE_SIZE, kvHeads, headDim]} of bf16 values, pages handed out in order to the
 * sequences that need them. A {@link Sequence} persists across prefill calls, so a prompt can be
 * prefilled in chunks. The pool grows on demand.
 */
public final class KvCache {

    private final int layers;
    private final int kvDim;
    private final float[][] k; // [layers][pages * PAGE_SIZE * kvDim]
    private final float[][] v;
    private int capacityPages;
    private int usedPages;

    public KvCache(ModelConfig config) {
        this.layers = config.layers();
        this.kvDim = config.kvDim();
        this.k = new float[layers][];
        this.v = new float[layers][];
        resize(4);
    }

    /** A sequence's pages and how many of its tokens are cached. */
    public final class Sequence {
        private int[] pages = new int[0];
        private int length;

        private Sequence() {}

        /** Tokens already in the cache (the prefix a next chunk continues). */
        public int length() {
            return length;
        }

        /** Its pages, in token order. */
        public int[] pages() {
            return pages.clone();
        }

        int page(int index) {
            return pages[index];
        }

        int pageCount() {
            return pages.length;
        }

        /** Makes room for {@code tokens} tokens in total. */
        void reserve(int tokens) {
            int need = (tokens + PAGE_SIZE - 1) / PAGE_SIZE;
            int have = pages.length;
            if (need > have) {
                pages = Arrays.copyOf(pages, need);
                for (int i = have; i < need; i++) {
                    pages[i] = allocatePage();
                }
            }
        }

        void advance(int tokens) {
            length += tokens;
        }

        KvCache cache() {
            return KvCache.this;
        }
    }

    public Sequence newSequence() {
        return new Sequence();
    }

    /** Pages handed out so far. */
    public int usedPages() {
        return usedPages;
    }

    /** Layer {@code l}'s k pool {@code [pages * PAGE_SIZE, kvHeads, headDim]}; the array is replaced when the pool grows. */
    public float[] k(int layer) {
        return k[layer];
    }

    public float[] v(int layer) {
        return v[layer];
    }

    private int allocatePage() {
        if (usedPages == capacityPages) {
            resize(capacityPages * 2);
        }
        return usedPages++;
    }

    private void resize(int pages) {
        int len = Math.multiplyExact(Math.multiplyExact(pages, PAGE_SIZE), kvDim);
        for (int l = 0; l < layers; l++) {
            k[l] = k[l] == null ? new float[len] : Arrays.copyOf(k[l], len);
            v[l] = v[l] == null ? new float[len] : Arrays.copyOf(v[l], len);
        }
        capacityPages = pages;
    }
}
