package io.prefillbench.results;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An equal-length batch written "NxL": N sequences of L tokens ({@code prefill --batch 4x80}, the workload name
 * {@code batch-4x80}, {@code torch_prefill.py --batches} and its results' {@code "batch"}). One parser for all of them, so
 * the tool and the PyTorch baseline read the same spelling the same way; each caller words its own error.
 */
public record BatchShape(int seqs, int tokens) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})x(\\d{1,9})");

    /** The shape of {@code spec}, or empty when it is not two whole numbers joined by {@code x} (zeros parse: callers refuse them). */
    public static Optional<BatchShape> parse(String spec) {
        Matcher m = FORM.matcher(spec);
        return m.matches() ? Optional.of(new BatchShape(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))) : Optional.empty();
    }

    /** Whether both numbers are at least 1. */
    public boolean positive() {
        return seqs >= 1 && tokens >= 1;
    }

    /** The sequence lengths: {@code seqs} times {@code tokens}. */
    public List<Integer> seqLens() {
        return Collections.nCopies(seqs, tokens);
    }
}
