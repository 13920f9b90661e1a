package io.prefillbench.serve;

import io.prefillbench.BenchException;

/**
 * How the scheduler forms steps. {@code mixed}: dynamic insertion, every step any mix of decode
 * tokens and prefill chunks, replayed from graphs. {@code prefill-first}: waits for a batch of
 * prompts (or a timeout), prefills them in pure-prefill steps, decodes in decode-only steps, never
 * mixing the two (the scheduler of engines whose graphs are prefill-only or decode-only); through
 * graphs. {@code eager}: as mixed, without graphs.
 */
public enum Policy {
    MIXED("mixed", true), PREFILL_FIRST("prefill-first", true), EAGER("eager", false);

    private final String label;
    private final boolean graphs;

    Policy(String label, boolean graphs) {
        this.label = label;
        this.graphs = graphs;
    }

    public String label() {
        return label;
    }

    public boolean graphs() {
        return graphs;
    }

    public static Policy parse(String s) {
        for (Policy p : values()) if (p.label.equals(s)) return p;
        throw new BenchException("unknown --policy '" + s + "': use mixed, prefill-first or eager");
    }
}
