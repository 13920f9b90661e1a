package io.prefillbench.report;

import io.prefillbench.results.Capture;
import io.prefillbench.results.JmhComparison;
import io.prefillbench.results.JmhResults;
import io.prefillbench.results.LatencyStats;
import io.prefillbench.results.Results;
import io.prefillbench.results.Workload;

import java.util.ArrayList;
import java.util.List;

import static io.prefillbench.report.Html.f;
import static io.prefillbench.report.Html.num;

/** The per-workload summary of a results file (and the score table of a JMH file), as cells for markdown and HTML. */
public final class SummaryTable {
    static final List<String> PREFILL_HEADER = List.of("workload", "tokens", "padded", "eager p50", "eager p90",
            "eager p99", "eager max", "graph p50", "graph p90", "graph p99", "graph max", "speedup [95% CI]",
            "capture ms", "graph MiB", "launches/fwd eager/graph");
    static final List<String> JMH_HEADER = List.of("benchmark", "mode", "params", "eager", "± error", "graph",
            "± error", "unit", "speedup");

    private SummaryTable() {
    }

    /** Rows of cells; latencies are host wall time per forward in ms. */
    static List<List<String>> prefillRows(Results r) {
        List<List<String>> rows = new ArrayList<>();
        for (Workload w : r.workloads()) {
            Capture c = w.fallback() == null ? r.captureFor(w.paddedSize()) : null;
            List<String> row = new ArrayList<>();
            row.add(w.name() + (w.fallback() != null ? " (fallback: " + w.fallback() + ")" : ""));
            row.add(String.valueOf(w.tokens()));
            row.add(String.valueOf(w.paddedSize()));
            addMs(row, w.eager() == null ? null : w.eager().hostNs());
            addMs(row, w.graph() == null ? null : w.graph().hostNs());
            row.add(w.speedup() == null ? "–" : f("%.2f× [%.2f, %.2f]", w.speedup().p50Ratio(), w.speedup().ci95Low(), w.speedup().ci95High()));
            row.add(c == null ? "–" : num(c.captureMs()));
            row.add(c == null ? "–" : num(c.graphMiB()));
            row.add(w.launchesPerForward().eager() + "/" + w.launchesPerForward().graph());
            rows.add(row);
        }
        return rows;
    }

    static List<List<String>> jmhRows(JmhResults j) {
        List<List<String>> rows = new ArrayList<>();
        for (JmhComparison c : j.rows()) {
            rows.add(List.of(c.benchmark().substring(c.benchmark().lastIndexOf('.') + 1), c.jmhMode(),
                    String.join(" ", c.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()),
                    num(c.eager().score()), num(c.eager().error()), num(c.graph().score()), num(c.graph().error()),
                    c.graph().unit(), f("%.2f×", c.ratio())));
        }
        return rows;
    }

    /** Markdown table of a results file, latencies in ms. */
    public static String prefillMarkdown(Results r) {
        return markdown(PREFILL_HEADER, prefillRows(r));
    }

    public static String jmhMarkdown(JmhResults j) {
        return markdown(JMH_HEADER, jmhRows(j));
    }

    static String markdown(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            int col = i;
            boolean numeric = i > 0 && rows.stream().allMatch(r -> isNumeric(r.get(col)));
            sb.append(numeric ? "---:|" : "---|");
        }
        sb.append('\n');
        for (List<String> row : rows)
            sb.append("| ").append(String.join(" | ", row.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
        return sb.toString();
    }

    /** Cells that read as numbers (or the "–" placeholder) are right-aligned. */
    static boolean isNumeric(String cell) {
        return !cell.isEmpty() && (Character.isDigit(cell.charAt(0)) || cell.charAt(0) == '-' || cell.equals("–"));
    }

    private static void addMs(List<String> row, LatencyStats s) {
        if (s == null) { // mode not timed (--no-graph / --no-eager)
            row.addAll(List.of("–", "–", "–", "–"));
            return;
        }
        row.add(num(s.p50() / 1e6));
        row.add(num(s.p90() / 1e6));
        row.add(num(s.p99() / 1e6));
        row.add(num(s.max() / 1e6));
    }
}
