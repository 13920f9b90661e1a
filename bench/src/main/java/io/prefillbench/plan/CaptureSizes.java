package io.prefillbench.plan;

import io.prefillbench.BenchException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * The token counts a prefill graph is captured for, ascending and distinct. A batch of T tokens
 * replays {@link #bucketFor} its smallest size >= T; larger batches run eager or chunked.
 *
 * <p>The default list ({@link #DEFAULT_SPEC}) is {@code 8,16,32,48,64,96,128,192,256,320,384,448,512}:
 * doublings up to 32 tokens, where launch overhead dominates and padding is nearly free, then
 * steps of at most 1.5x, so a batch of more than 32 tokens is padded by less than 1.5x.
 */
public final class CaptureSizes {
    /** No capture size may exceed this many tokens, whatever the model allows. */
    public static final int HARD_CAP = 16384;
    /** The default capture sizes, as a spec string. */
    public static final String DEFAULT_SPEC = "8,16,32,48,64,96,128,192,256,320,384,448,512";

    private final int[] sizes; // ascending, distinct

    private CaptureSizes(int[] sortedDistinct) {
        this.sizes = sortedDistinct;
    }

    /** The default list, validated against {@link #HARD_CAP}. */
    public static CaptureSizes defaults() {
        return parse(DEFAULT_SPEC, HARD_CAP);
    }

    /**
     * The default sizes up to {@code maxAllowed}: a short limit trims the defaults instead of rejecting sizes the user
     * never typed.
     *
     * @param limitName what sets the limit, for the message when no default size fits (e.g. {@code --max-model-len})
     */
    public static CaptureSizes defaultsUpTo(int maxAllowed, String limitName) {
        int[] all = defaults().sizes;
        List<Integer> fit = new ArrayList<>();
        for (int s : all) {
            if (s <= maxAllowed) fit.add(s);
        }
        if (fit.isEmpty()) {
            throw new BenchException(limitName + " " + maxAllowed + " is below the smallest default capture size " + all[0]
                    + ": give --sizes of at most " + maxAllowed + " tokens, or a larger " + limitName);
        }
        return of(fit, maxAllowed);
    }

    /**
     * Parses a comma-separated list such as {@code "16,64,512"} (spaces allowed).
     *
     * @param maxAllowed the model's limit (e.g. its max length); {@link #HARD_CAP} applies too
     * @throws BenchException naming the bad value and the rule it breaks
     */
    public static CaptureSizes parse(String spec, int maxAllowed) {
        if (spec == null || spec.isBlank()) {
            throw new BenchException("capture sizes: the list is empty; give sizes like 16,64,512");
        }
        return parse(Arrays.asList(spec.split(",", -1)), maxAllowed);
    }

    /** Parses one size per element (each element may itself not contain commas). */
    public static CaptureSizes parse(List<String> tokens, int maxAllowed) {
        if (tokens == null || tokens.isEmpty()) {
            throw new BenchException("capture sizes: the list is empty; give sizes like 16,64,512");
        }
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String raw = tokens.get(i) == null ? "" : tokens.get(i).trim();
            if (raw.isEmpty()) {
                throw new BenchException("capture sizes: entry " + (i + 1) + " is empty; sizes are comma-separated integers");
            }
            try {
                values.add(Integer.parseInt(raw));
            } catch (NumberFormatException e) {
                if (raw.matches("\\d+")) { // a whole number too large for int: say what the limit is
                    throw new BenchException("capture sizes: " + raw + " is above the maximum " + Math.min(maxAllowed, HARD_CAP));
                }
                throw new BenchException("capture sizes: '" + raw + "' is not an integer");
            }
        }
        return of(values, maxAllowed);
    }

    /**
     * Validates and sorts the given sizes.
     *
     * @throws BenchException when the list is empty, or a size is < 1, repeated, or above
     *     {@code min(maxAllowed, HARD_CAP)}
     */
    public static CaptureSizes of(List<Integer> values, int maxAllowed) {
        if (maxAllowed < 1) {
            throw new IllegalArgumentException("maxAllowed must be >= 1, got " + maxAllowed);
        }
        if (values == null || values.isEmpty()) {
            throw new BenchException("capture sizes: the list is empty; give sizes like 16,64,512");
        }
        int cap = Math.min(maxAllowed, HARD_CAP);
        int[] sorted = new int[values.size()];
        for (int i = 0; i < sorted.length; i++) {
            int v = values.get(i);
            if (v < 1) {
                throw new BenchException("capture sizes: " + v + " is not allowed; sizes must be >= 1");
            }
            if (v > cap) {
                throw new BenchException("capture sizes: " + v + " is above the maximum " + cap
                        + (cap == HARD_CAP ? " (hard cap)" : " (model max length)"));
            }
            sorted[i] = v;
        }
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new BenchException("capture sizes: " + sorted[i] + " is listed twice; sizes must be distinct");
            }
        }
        return new CaptureSizes(sorted);
    }

    /** {@code step, 2*step, ..., max} (max rounded down to a multiple of step); e.g. 8,16,...,512. */
    public static CaptureSizes stepped(int step, int max) {
        if (step < 1 || max < step) {
            throw new BenchException("capture sizes: stepped needs 1 <= step <= max, got step " + step + ", max " + max);
        }
        List<Integer> values = new ArrayList<>();
        for (int v = step; v <= max; v += step) {
            values.add(v);
        }
        return of(values, HARD_CAP);
    }

    /** Smallest capture size >= {@code tokens}, or empty when the batch is larger than all. */
    public OptionalInt bucketFor(int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens must be >= 1, got " + tokens);
        }
        int i = Arrays.binarySearch(sizes, tokens);
        int at = i >= 0 ? i : -i - 1;
        return at < sizes.length ? OptionalInt.of(sizes[at]) : OptionalInt.empty();
    }

    /** The sizes, ascending (a copy). */
    public int[] sizes() {
        return sizes.clone();
    }

    /** The sizes, ascending, as an immutable list. */
    public List<Integer> asList() {
        return Arrays.stream(sizes).boxed().toList();
    }

    public int largest() {
        return sizes[sizes.length - 1];
    }

    public int count() {
        return sizes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CaptureSizes other && Arrays.equals(sizes, other.sizes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sizes);
    }

    /** Comma-separated, parseable by {@link #parse(String, int)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            sb.append(i == 0 ? "" : ",").append(sizes[i]);
        }
        return sb.toString();
    }
}
