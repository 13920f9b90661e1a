package io.prefillbench.engine;

import java.util.Locale;

/**
 * How the host learns that a forward is done ({@code prefill --first-tokens}). Every plan ends with argmax, whose blocks
 * write the first tokens straight into pinned host memory (one 4-byte store per sequence); a caller needs those tokens,
 * not the stream's completion. The stream's completion signal comes only after the kernel's blocks retire and the
 * front end writes its semaphore: s28 calls 1 and 5 (kernels/check/launch_cost, the fixed-cost table) measured the host
 * spinning on a word written after the tokens 1.2-1.6 us faster per forward than cudaStreamSynchronize, at 26 and at
 * 167 links.
 */
public enum FirstTokenWait {
    /** cudaStreamSynchronize after the launch (every run before the twenty-eighth session). */
    SYNC("sync: cudaStreamSynchronize after the forward's launch"),
    /**
     * The host marks the sequences' token slots (-1), launches, and spins until every slot holds a token; the stream is
     * left running (stream order keeps the next forward behind it; reads of device buffers synchronize first). Forwards
     * timed by GPU events synchronize as {@link #SYNC} does.
     */
    SPIN("spin: the host spins until argmax's first tokens are in pinned memory, no stream synchronize");

    private final String recorded;

    FirstTokenWait(String recorded) {
        this.recorded = recorded;
    }

    /** What a results file's config records ({@code firstTokens}). */
    public String recorded() {
        return recorded;
    }

    /** {@code sync} or {@code spin}, any case; anything else is refused, naming both. */
    public static FirstTokenWait parse(String s) {
        for (FirstTokenWait w : values()) if (w.name().equalsIgnoreCase(s.trim())) return w;
        throw new IllegalArgumentException("--first-tokens takes sync or spin, not '" + s + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
