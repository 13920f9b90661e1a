package io.prefillbench.serve;

import io.prefillbench.BenchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An arrival trace: CSV {@code arrival_ms,prompt_tokens,output_tokens}, one request a line, an
 * optional header line, blank lines and {@code #} comments ignored. Arrivals must be non-negative
 * and sorted; lengths positive. Every error names the file and line.
 */
public final class TraceFile {
    /** One line of the trace. */
    public record Entry(int line, double arrivalMs, int promptTokens, int outputTokens) {
    }

    private TraceFile() {
    }

    public static List<Entry> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BenchException("--trace " + file + ": no such file");
        } catch (IOException e) {
            throw new BenchException("--trace " + file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), lines);
    }

    static List<Entry> parse(String name, List<String> lines) {
        List<Entry> out = new ArrayList<>();
        double last = 0;
        boolean firstContent = true;
        for (int i = 0; i < lines.size(); i++) {
            int no = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split(",", -1);
            if (firstContent && f.length == 3 && f[0].strip().equalsIgnoreCase("arrival_ms")) {
                firstContent = false;
                continue; // header
            }
            firstContent = false;
            String where = "--trace " + name + " line " + no + ": ";
            if (f.length != 3) throw new BenchException(where + "expected 3 fields arrival_ms,prompt_tokens,output_tokens, got " + f.length);
            double at;
            int prompt, output;
            try {
                at = Double.parseDouble(f[0].strip());
            } catch (NumberFormatException e) {
                throw new BenchException(where + "arrival_ms '" + f[0].strip() + "' is not a number");
            }
            prompt = intField(where, "prompt_tokens", f[1]);
            output = intField(where, "output_tokens", f[2]);
            if (!Double.isFinite(at) || at < 0) throw new BenchException(where + "arrival_ms " + f[0].strip() + " is negative or not finite");
            if (at < last) throw new BenchException(where + "arrival_ms " + f[0].strip() + " is before the previous line's " + last + " (sort the trace by arrival)");
            if (prompt < 1) throw new BenchException(where + "prompt_tokens must be >= 1, got " + prompt);
            if (output < 1) throw new BenchException(where + "output_tokens must be >= 1, got " + output);
            last = at;
            out.add(new Entry(no, at, prompt, output));
        }
        if (out.isEmpty()) throw new BenchException("--trace " + name + ": no requests (the file is empty or holds only a header)");
        return out;
    }

    private static int intField(String where, String field, String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new BenchException(where + field + " '" + text.strip() + "' is not a whole number");
        }
    }
}
