package io.prefillbench.engine;

import io.prefillbench.BenchException;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;

/**
 * Hands out pages of the paged KV cache to requests and takes them back: each page is owned by at
 * most one request at a time. Running out is an error that says how many pages were asked for and
 * how many are free ({@link #allocate}), or a question the scheduler asks first ({@link #canAllocate});
 * freeing a page that is not allocated (twice, or never handed out) throws, so no request can ever
 * write into another's KV. Pages are recycled first-in first-out. Not thread-safe.
 */
public final class KvBlockAllocator {
    /** Thrown when the cache has fewer free pages than a request needs. */
    public static final class CacheFullException extends BenchException {
        CacheFullException(String message) {
            super(message);
        }
    }

    private final int totalPages;
    private final int pageSize;
    private final Deque<Integer> free = new ArrayDeque<>();
    private final BitSet used;

    public KvBlockAllocator(int totalPages, int pageSize) {
        if (totalPages < 1) throw new IllegalArgumentException("a KV cache needs at least one page, got " + totalPages);
        if (pageSize < 1) throw new IllegalArgumentException("page size must be positive, got " + pageSize);
        this.totalPages = totalPages;
        this.pageSize = pageSize;
        this.used = new BitSet(totalPages);
        for (int p = 0; p < totalPages; p++) free.add(p);
    }

    /** The whole KV cache of an engine opened with {@code config}: maxNumSeqs x pagesPerSeq pages. */
    public static KvBlockAllocator forEngine(EngineConfig config) {
        return new KvBlockAllocator(config.maxNumSeqs() * config.pagesPerSeq(), io.prefillbench.forward.KernelConstants.PAGE_SIZE);
    }

    /** Pages holding {@code tokens} KV entries. */
    public int pagesFor(int tokens) {
        if (tokens < 0) throw new IllegalArgumentException("negative token count " + tokens);
        return (int) (((long) tokens + pageSize - 1) / pageSize);
    }

    public boolean canAllocate(int tokens) {
        return pagesFor(tokens) <= free.size();
    }

    /** Pages for {@code tokens} KV entries, in token order; throws {@link CacheFullException} when too few are free. */
    public int[] allocate(int tokens) {
        int n = pagesFor(tokens);
        if (n > free.size()) {
            throw new CacheFullException("KV cache full: " + tokens + " tokens need " + n + " pages of " + pageSize
                    + ", " + free.size() + " of " + totalPages + " are free");
        }
        int[] pages = new int[n];
        for (int i = 0; i < n; i++) {
            int p = free.poll();
            if (used.get(p)) throw new IllegalStateException("page " + p + " on the free list is in use"); // cannot happen; never overwrite
            used.set(p);
            pages[i] = p;
        }
        return pages;
    }

    /** Returns a request's pages; each must be allocated now (a double free throws and changes nothing). */
    public void free(int[] pages) {
        BitSet seen = new BitSet(totalPages);
        for (int p : pages) {
            if (p < 0 || p >= totalPages) throw new IllegalArgumentException("page " + p + " outside the KV cache [0, " + totalPages + ")");
            if (!used.get(p) || seen.get(p)) throw new IllegalStateException("page " + p + " freed but not allocated (double free?) in " + Arrays.toString(pages));
            seen.set(p);
        }
        for (int p : pages) {
            used.clear(p);
            free.add(p);
        }
    }

    public int freePages() {
        return free.size();
    }

    public int totalPages() {
        return totalPages;
    }

    public int pageSize() {
        return pageSize;
    }

    public boolean isAllocated(int page) {
        return used.get(page);
    }
}
