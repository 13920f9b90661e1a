package io.prefillbench.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Cuts one allocation into named slices (256-byte aligned), llm.c style: one cudaMalloc, stable
 * addresses for graphs, and a table of what the memory holds for reports.
 */
public final class SliceLayout {
    public static final long ALIGN = 256;

    /** One named slice: where it starts in the allocation and how many bytes it holds. */
    public record Slice(String name, long offset, long bytes) {
    }

    private final List<Slice> slices = new ArrayList<>();
    private long total;

    public long add(String name, long bytes) {
        if (bytes < 0) throw new IllegalArgumentException(name + ": negative size " + bytes);
        long offset = total;
        slices.add(new Slice(name, offset, bytes));
        total = (offset + Math.max(bytes, 1) + ALIGN - 1) / ALIGN * ALIGN;
        return offset;
    }

    public long totalBytes() {
        return total;
    }

    public List<Slice> slices() {
        return Collections.unmodifiableList(slices);
    }
}
