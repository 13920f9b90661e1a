package io.prefillbench.cli;

import java.util.Locale;

/**
 * How a timed iteration of {@code prefill} (and {@code --sweep}) takes its host and GPU samples ({@code --host-timing}).
 * The GPU time of a forward comes from two CUDA events recorded around it; those records are host calls on the forward's
 * own path, which an engine that does not time itself never makes (s26 call 5, launch_cost's fixed-cost table: 3.3 us of
 * a graph forward's host time, 23.5 vs 20.2 us for 26 links; call 6, this loop on the tiny preset: 67.8 vs 51.1 us).
 */
public enum HostTiming {
    /** Host samples from forwards that record no event; GPU samples from event-timed forwards run right after them. */
    SEPARATE("separate: host samples from forwards without GPU-timing events, GPU samples from event-timed forwards run after them"),
    /** Host and GPU samples from the same event-timed forwards (every run before the twenty-sixth session). */
    EVENTS("events: host and GPU samples from the same forwards, each timed by CUDA events recorded around it");

    private final String recorded;

    HostTiming(String recorded) {
        this.recorded = recorded;
    }

    /** What the results file's config records ({@code hostTiming}). */
    public String recorded() {
        return recorded;
    }

    /** {@code separate} or {@code events}, any case; anything else is refused, naming both. */
    public static HostTiming parse(String s) {
        for (HostTiming h : values()) if (h.name().equalsIgnoreCase(s.trim())) return h;
        throw new IllegalArgumentException("--host-timing takes separate or events, not '" + s + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
