package io.prefillbench.gate;

import java.util.List;
import java.util.Locale;

/**
 * Everything one gate run decided; serialised as the --json verdict.
 *
 * @param schema  always {@value #SCHEMA} (also how the tool recognises the file as its own before replacing it)
 * @param kind    "prefill" or "jmh"
 * @param notes   warnings: workloads only in the current run, unknown or accepted run-condition differences,
 *                accepted mismatches, unpaired JMH points
 * @param missing baseline workloads the current run lacks (fail the gate unless --allow-missing)
 * @param result  "pass", "regression" (some row failed) or "missing" (rows pass, workloads missing)
 */
public record GateOutcome(String schema, String baseline, String current, String kind, GateOptions options, List<GateRow> rows,
                          List<String> notes, List<String> missing, String result) {
    public static final String SCHEMA = "prefillbench/gate/v1";

    public GateOutcome(String baseline, String current, String kind, GateOptions options, List<GateRow> rows,
                       List<String> notes, List<String> missing) {
        this(SCHEMA, baseline, current, kind, options, List.copyOf(rows), List.copyOf(notes), List.copyOf(missing),
                rows.stream().anyMatch(r -> !r.failed().isEmpty()) ? "regression"
                        : !missing.isEmpty() && !options.allowMissing() ? "missing" : "pass");
    }

    public boolean regressed() {
        return !result.equals("pass");
    }

    /** 0 pass, 1 a failed row or a missing workload. */
    public int exitCode() {
        return regressed() ? 1 : 0;
    }

    public long count(Verdict v) {
        return rows.stream().filter(r -> r.verdict() == v).count();
    }

    /** nvbench-compare-like table (one verdict column per metric), notes and a closing one-line verdict. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        String unit = rows.isEmpty() ? "ms" : rows.getFirst().unit();
        sb.append("| workload | baseline ratio | current ratio [bounds] | ratio change % [bounds] | ratio | graph base ")
                .append(unit).append(" | graph current | graph change % [bounds] | graph | eager base ").append(unit)
                .append(" | eager current | eager change % [bounds] | eager | row |\n");
        sb.append("|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---|---|\n");
        for (GateRow r : rows) {
            Bounded cr = r.currentRatio(), ch = r.ratioChange();
            sb.append("| ").append(r.label().replace("|", "\\|"))
                    .append(" | ").append(r.baselineRatio() == null ? "n/a" : f("%.3f", r.baselineRatio()))
                    .append(" | ").append(cr == null ? "n/a" : f("%.3f [%s, %s]", cr.estimate(), num(cr.low()), num(cr.high())))
                    .append(" | ").append(ch == null ? "n/a" : f("%+.1f [%s, %s]", pct(ch.estimate()), pctNum(ch.low()), pctNum(ch.high())))
                    .append(" | ").append(verdict(r.ratioVerdict()));
            latency(sb, r.graphBaseline(), r.graphCurrent(), r.graphSpeed(), r.graphVerdict());
            latency(sb, r.eagerBaseline(), r.eagerCurrent(), r.eagerSpeed(), r.eagerVerdict());
            sb.append(" | ").append(r.failed().isEmpty() ? verdict(r.verdict()).replace("*", "") : "**FAIL: " + String.join(", ", r.failed()) + "**");
            sb.append(" |\n");
        }
        sb.append('\n').append(f("bounds: one-sided at confidence %.2f; tolerance %.1f%%; ratio = eager/graph (higher is better);"
                        + " latency change: positive is slower; failing metrics: %s%n",
                options.confidence(), options.tolerance() * 100,
                String.join(",", options.failOn().stream().sorted().map(Metric::label).toList())));
        for (String n : notes) sb.append("note: ").append(n).append('\n');
        for (String m : missing)
            sb.append(options.allowMissing() ? "note: " : "FAIL: ").append(m).append(": in baseline, missing from current")
                    .append(options.allowMissing() ? " (allowed)" : " (pass --allow-missing to gate the rest)").append('\n');
        sb.append(f("gate: %s (%d rows: %d SLOWER, %d NOISY, %d FASTER, %d SAME%s)%n", regressed() ? "FAIL" : "PASS",
                rows.size(), count(Verdict.SLOWER), count(Verdict.NOISY), count(Verdict.FASTER), count(Verdict.SAME),
                missing.isEmpty() ? "" : "; " + missing.size() + " missing"));
        return sb.toString();
    }

    private static void latency(StringBuilder sb, Double base, Double cur, Bounded speed, Verdict v) {
        if (speed == null) {
            sb.append(" | ").append(base == null ? "n/a" : f("%.4g", base)).append(" | ").append(cur == null ? "n/a" : f("%.4g", cur))
                    .append(" | n/a | ").append(verdict(v));
            return;
        }
        // speed = base/current; as a latency change, positive is slower
        sb.append(" | ").append(f("%.4g", base)).append(" | ").append(f("%.4g", cur))
                .append(" | ").append(f("%+.1f [%s, %s]", pct(1 / speed.estimate()), pctNum(1 / speed.high()), pctNum(1 / speed.low())))
                .append(" | ").append(verdict(v));
    }

    private static String verdict(Verdict v) {
        return switch (v) {
            case SAME -> "SAME";
            case NA -> "n/a";
            default -> "**" + v + "**";
        };
    }

    private static double pct(double factor) {
        return (factor - 1) * 100;
    }

    private static String num(double v) {
        return Double.isFinite(v) ? f("%.3f", v) : (v > 0 ? "inf" : "-inf");
    }

    private static String pctNum(double factor) {
        return Double.isFinite(factor) ? f("%+.1f", pct(factor)) : (factor > 0 ? "+inf" : "-inf");
    }

    private static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }
}
