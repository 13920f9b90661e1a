package io.prefillbench.advise;

import com.fasterxml.jackson.databind.JsonNode;
import io.prefillbench.BenchException;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.SweepPoint;
import io.prefillbench.results.SweepResults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a latency curve: a sweep results JSON of {@code prefill --sweep} (host p50 of each mode, capture ms and
 * graph MiB per size), or a CSV with the header {@code tokens,eager_ms,graph_ms} and optionally
 * {@code graph_mib,capture_ms} (any column order), one candidate size a row. Blank lines and lines starting with
 * {@code #} are skipped. Every error is a BenchException naming the file and line.
 */
public final class CurveReader {
    static final List<String> REQUIRED = List.of("tokens", "eager_ms", "graph_ms");
    static final List<String> OPTIONAL = List.of("graph_mib", "capture_ms");

    private CurveReader() {
    }

    public static LatencyCurve read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BenchException("--curve " + file + ": no such file");
        } catch (IOException e) {
            throw new BenchException("--curve " + file + ": cannot read: " + e.getMessage(), e);
        }
        if (text.isBlank()) throw new BenchException("--curve " + file + ": file is empty; give a sweep JSON or a CSV with header tokens,eager_ms,graph_ms");
        if (text.strip().startsWith("{")) return fromSweep(file, SweepResults.fromTree(file, ResultsIo.readTree(file)));
        return fromCsv(file, text);
    }

    public static LatencyCurve fromSweep(Path file, SweepResults r) {
        List<LatencyCurve.Row> rows = new ArrayList<>();
        for (SweepPoint p : r.sweep())
            rows.add(new LatencyCurve.Row(p.tokens(), p.eager().hostP50Ms(), p.graph().hostP50Ms(), p.graphMiB(), p.captureMs()));
        return new LatencyCurve(rows);
    }

    static LatencyCurve fromCsv(Path file, String text) {
        String[] lines = text.split("\r?\n", -1);
        int headerLine = -1;
        for (int i = 0; i < lines.length; i++)
            if (!skip(lines[i])) {
                headerLine = i;
                break;
            }
        String[] header = lines[headerLine].split(",", -1);
        int[] col = new int[5]; // tokens, eager_ms, graph_ms, graph_mib, capture_ms -> column index or -1
        java.util.Arrays.fill(col, -1);
        List<String> known = new ArrayList<>(REQUIRED);
        known.addAll(OPTIONAL);
        for (int c = 0; c < header.length; c++) {
            String name = header[c].strip().toLowerCase(java.util.Locale.ROOT);
            int k = known.indexOf(name);
            if (k < 0) throw bad(file, headerLine, "unknown column '" + header[c].strip() + "'; the header is tokens,eager_ms,graph_ms[,graph_mib][,capture_ms]");
            if (col[k] >= 0) throw bad(file, headerLine, "column '" + name + "' appears twice");
            col[k] = c;
        }
        for (int k = 0; k < 3; k++)
            if (col[k] < 0) throw bad(file, headerLine, "header lacks '" + REQUIRED.get(k) + "'; the header is tokens,eager_ms,graph_ms[,graph_mib][,capture_ms]");
        List<LatencyCurve.Row> rows = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = headerLine + 1; i < lines.length; i++) {
            if (skip(lines[i])) continue;
            String[] f = lines[i].split(",", -1);
            if (f.length != header.length) throw bad(file, i, "has " + f.length + " fields, the header has " + header.length);
            int tokens;
            try {
                tokens = Integer.parseInt(f[col[0]].strip());
            } catch (NumberFormatException e) {
                throw bad(file, i, "tokens '" + f[col[0]].strip() + "' is not an integer");
            }
            if (tokens < 1) throw bad(file, i, "tokens must be >= 1, got " + tokens);
            if (!seen.add(tokens)) throw bad(file, i, "tokens " + tokens + " appears twice");
            double eager = number(file, i, f, col[1], "eager_ms", true);
            double graph = number(file, i, f, col[2], "graph_ms", true);
            double mib = col[3] < 0 ? Double.NaN : number(file, i, f, col[3], "graph_mib", false);
            double cap = col[4] < 0 ? Double.NaN : number(file, i, f, col[4], "capture_ms", false);
            rows.add(new LatencyCurve.Row(tokens, eager, graph, mib, cap));
        }
        if (rows.isEmpty()) throw bad(file, headerLine, "header but no rows; give one candidate size a row");
        return new LatencyCurve(rows);
    }

    private static boolean skip(String line) {
        String s = line.strip();
        return s.isEmpty() || s.startsWith("#");
    }

    private static double number(Path file, int line, String[] f, int c, String name, boolean positive) {
        String raw = f[c].strip();
        double v;
        try {
            v = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw bad(file, line, name + " '" + raw + "' is not a number");
        }
        if (!Double.isFinite(v) || (positive ? v <= 0 : v < 0))
            throw bad(file, line, name + " must be " + (positive ? "> 0" : ">= 0") + " and finite, got " + raw);
        return v;
    }

    private static BenchException bad(Path file, int zeroBasedLine, String what) {
        return new BenchException("--curve " + file + " line " + (zeroBasedLine + 1) + ": " + what);
    }
}
