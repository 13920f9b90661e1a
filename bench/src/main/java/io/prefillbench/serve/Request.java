package io.prefillbench.serve;

import java.util.Objects;

/**
 * One request of a serving run: when it arrives (nanoseconds after the run starts), its prompt
 * token ids and how many tokens it generates (the first comes from its prefill, each further one
 * from a decode step).
 */
public record Request(int id, long arrivalNanos, int[] prompt, int outputTokens) {
    public Request {
        Objects.requireNonNull(prompt, "prompt");
        if (prompt.length < 1) throw new IllegalArgumentException("request " + id + " has an empty prompt");
        if (outputTokens < 1) throw new IllegalArgumentException("request " + id + " generates " + outputTokens + " tokens");
        if (arrivalNanos < 0) throw new IllegalArgumentException("request " + id + " arrives at negative time " + arrivalNanos);
    }

    /** KV entries it needs at most: the prompt and every generated token but the last (never fed back). */
    public int kvTokens() {
        return prompt.length + outputTokens - 1;
    }
}
