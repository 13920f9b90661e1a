package io.prefillbench.gate;

import java.util.List;
import java.util.Locale;

/**
 * Everything one gate run decided; serialised as the --json verdict.
 *
 * @param kind   "prefill" or "jmh"
 * @param notes  workloads present in only one run, accepted mismatches, unpaired JMH points
 * @param result "pass" or "regression"
 */
public record GateOutcome(String baseline, String current, String kind, GateOptions options, List<GateRow> rows,
                          List<String> notes, String result) {

    public GateOutcome(String baseline, String current, String kind, GateOptions options, List<GateRow> rows,
                       List<String> notes) {
        this(baseline, current, kind, options, List.copyOf(rows), List.copyOf(notes),
                rows.stream().anyMatch(r -> r.verdict() == Verdict.SLOWER) ? "regression" : "pass");
    }

    public boolean regressed() {
        return result.equals("regression");
    }

    /** 0 pass, 1 regression. */
    public int exitCode() {
        return regressed() ? 1 : 0;
    }

    public long count(Verdict v) {
        return rows.stream().filter(r -> r.verdict() == v).count();
    }

    /** nvbench-compare-like table, notes and a closing one-line verdict. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        String unit = rows.isEmpty() ? "ms" : rows.getFirst().graphUnit();
        sb.append("| workload | baseline ratio | current ratio [bounds] | ratio change % [bounds] | graph base ")
                .append(unit).append(" | graph current ").append(unit).append(" | graph change % | verdict |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (GateRow r : rows) {
            Bounded cr = r.currentRatio(), ch = r.ratioChange();
            sb.append("| ").append(r.label().replace("|", "\\|"))
                    .append(" | ").append(f("%.3f", r.baselineRatio()))
                    .append(" | ").append(f("%.3f [%s, %s]", cr.estimate(), num(cr.low()), num(cr.high())))
                    .append(" | ").append(f("%+.1f [%s, %s]", pct(ch.estimate()), pctNum(ch.low()), pctNum(ch.high())))
                    .append(" | ").append(f("%.4g", r.graphBaseline()))
                    .append(" | ").append(f("%.4g", r.graphCurrent()))
                    // latency change: positive is slower
                    .append(" | ").append(f("%+.1f", (r.graphCurrent() / r.graphBaseline() - 1) * 100))
                    .append(" | ").append(r.verdict() == Verdict.SAME ? "SAME" : "**" + r.verdict() + "**");
            if (r.verdict() != Verdict.SAME && r.ratioVerdict() != r.graphVerdict())
                sb.append(" (ratio ").append(r.ratioVerdict()).append(", graph ").append(r.graphVerdict()).append(')');
            sb.append(" |\n");
        }
        sb.append('\n').append(f("bounds: one-sided at confidence %.2f; tolerance %.1f%%; ratio = eager/graph (higher is better)%n",
                options.confidence(), options.tolerance() * 100));
        for (String n : notes) sb.append("note: ").append(n).append('\n');
        sb.append(f("gate: %s (%d rows: %d SLOWER, %d NOISY, %d FASTER, %d SAME)%n", regressed() ? "FAIL" : "PASS",
                rows.size(), count(Verdict.SLOWER), count(Verdict.NOISY), count(Verdict.FASTER), count(Verdict.SAME)));
        return sb.toString();
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
