package io.prefillbench.report;

import io.prefillbench.results.ServeResults;
import io.prefillbench.serve.ServeSummary;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.prefillbench.report.Html.esc;
import static io.prefillbench.report.Html.f;
import static io.prefillbench.report.Html.num;

/**
 * Report sections of serve files. Two or more {@code --rate} runs make one rate-sweep section (charts against the
 * arrival rate, one line per policy; graph share and padding waste per policy and rate; every run); a single
 * {@code --rate} run and every {@code --trace} run get a section of their own with a summary table.
 */
final class ServeSections {
    static final List<String> RUN_HEADER = List.of("file", "policy", "rate", "requests", "offered req/s", "admitted req/s", "req/s",
            "out tok/s", "TTFT p50", "TTFT p90", "TTFT p99", "TPOT p50", "TPOT p90", "TPOT p99", "steps (prefill/decode/mixed)", "graph share",
            "padding waste", "saturated");
    static final String SWEEP_ID = "serve-sweep";

    private ServeSections() {
    }

    /** The serve files that go into the rate-sweep section: every --rate run, when there are at least two. */
    static List<ServeRun> sweepRuns(List<ReportInput> inputs) {
        List<ServeRun> rated = inputs.stream().filter(i -> i instanceof ReportInput.Serve).map(i -> ServeRun.of((ReportInput.Serve) i))
                .filter(r -> r.rate() != null).toList();
        return rated.size() >= 2 ? rated : List.of();
    }

    static void sweep(StringBuilder sb, List<ServeRun> runs) {
        List<String> policies = ServeCharts.policies(runs);
        TreeSet<Double> rates = new TreeSet<>(runs.stream().map(ServeRun::rate).toList());
        ServeResults first = runs.getFirst().results();
        ExtraSections.open(sb, SWEEP_ID, "Serving: rate sweep", f("%d runs · %d polic%s × %d rate%s · %s · %s", runs.size(), policies.size(),
                policies.size() == 1 ? "y" : "ies", rates.size(), rates.size() == 1 ? "" : "s", first.devices().getFirst().name(), first.config().model()));
        long saturated = runs.stream().filter(ServeRun::saturated).count();
        sb.append("<p>TTFT and TPOT in ms per request (TPOT: mean time per output token after the first); throughput over each run's makespan, ")
                .append("from its first arrival to its last completion. ")
                .append(f("A cross marks a saturated run: its requests reached their first token at under %.0f%% of the rate they arrived at, "
                        + "so its queue grew and its latencies describe the length of the run, not a steady state.", 100 * ServeRun.KEEPS_UP));
        if (saturated > 0) sb.append(f(" %d of %d runs saturated.", saturated, runs.size()));
        sb.append("</p>\n");
        List<String> mismatch = configDifferences(runs);
        if (!mismatch.isEmpty())
            sb.append("<p class=\"warn\">These runs differ in more than policy and rate: ").append(esc(String.join("; ", mismatch))).append("</p>\n");
        sb.append("<div class=\"charts\">\n");
        sb.append(ServeCharts.ttft(runs)).append('\n');
        sb.append(ServeCharts.tpot(runs)).append('\n');
        sb.append(ServeCharts.requests(runs)).append('\n');
        sb.append(ServeCharts.outputTokens(runs)).append('\n');
        sb.append("</div>\n<h3>Graph share and padding waste (share of steps replayed from a graph · share of computed tokens that were padding)</h3>\n");
        List<String> header = new ArrayList<>(List.of("rate (req/s)"));
        for (String p : policies) {
            header.add(p + " graph share");
            header.add(p + " padding waste");
        }
        List<List<String>> rows = new ArrayList<>();
        for (double rate : rates) {
            List<String> row = new ArrayList<>(List.of(ServeRun.rateLabel(rate)));
            for (String p : policies) {
                ServeRun r = runs.stream().filter(x -> x.policy().equals(p) && x.rate() == rate).findFirst().orElse(null);
                row.add(r == null ? "–" : pct(r.results().summary().graphShare()) + (r.saturated() ? " ✕" : ""));
                row.add(r == null ? "–" : pct(r.results().summary().paddingWaste()));
            }
            rows.add(row);
        }
        HtmlReport.table(sb, "summary serve", header, rows);
        sb.append("<details><summary>every run</summary>\n");
        HtmlReport.table(sb, "summary serve", RUN_HEADER, runs.stream().sorted(Comparator.comparing((ServeRun r) -> policies.indexOf(r.policy()))
                .thenComparingDouble(ServeRun::rate)).map(ServeSections::row).toList());
        sb.append("</details>\n</section>\n");
    }

    /** One serve file on its own: provenance, configuration and its summary row. */
    static void single(StringBuilder sb, String id, ReportInput.Serve in) {
        ServeResults r = in.serve();
        ServeResults.Config c = r.config();
        ExtraSections.open(sb, id, in.source().getFileName().toString(), "serve · " + c.policy() + " · " + r.devices().getFirst().name() + " · " + c.model());
        Map<String, String> kv = ExtraSections.metaRows(in.source().toString(), r.meta(), r.devices());
        kv.put("model", c.model() + (c.shape() == null ? "" : " " + c.shape()));
        kv.put("arrivals", c.rate() != null ? f("Poisson, %s req/s, prompt lengths %s, output lengths %s", ServeRun.rateLabel(c.rate()), c.promptLen(), c.outputLen())
                : "trace " + c.trace());
        kv.put("bounds", (c.requests() == null ? "" : c.requests() + " requests") + (c.requests() != null && c.durationS() != null ? ", " : "")
                + (c.durationS() == null ? "" : c.durationS() + " s of arrivals"));
        kv.put("engine", f("policy %s, token budget %d, %d sequences per step, max model len %d, %d capture sizes, batch %d prompts or %s ms (prefill-first), seed %d, PDL %s",
                c.policy(), c.tokenBudget(), c.maxSeqsPerStep(), c.maxModelLen(), c.sizes() == null ? 0 : c.sizes().size(), c.batchPrompts(),
                num(c.batchTimeoutMs()), c.seed(), c.pdl() ? "on" : "off"));
        ExtraSections.metaTable(sb, kv);
        ServeRun run = ServeRun.of(in);
        if (c.rate() != null && run.saturated())
            sb.append("<p class=\"warn\">").append(esc(f("Saturated: requests reached their first token at %.1f req/s but arrived at %.1f req/s; "
                    + "the queue grew through the run, so its latencies grow with its length.", run.admitted(), run.offered()))).append("</p>\n");
        HtmlReport.table(sb, "summary serve", RUN_HEADER, List.of(row(run)));
        sb.append("<p>TTFT and TPOT in ms; throughput over ").append(f("%.2f s", r.summary().makespanS()))
                .append(" from the first arrival to the last completion.</p>\n</section>\n");
    }

    private static List<String> row(ServeRun r) {
        ServeSummary s = r.results().summary();
        boolean rated = r.rate() != null;
        return List.of(r.source().getFileName().toString(), r.policy(), rated ? ServeRun.rateLabel(r.rate()) : "trace", String.valueOf(s.requests()),
                num(r.offered()), num(r.admitted()), num(s.requestsPerS()), f("%.0f", s.outputTokensPerS()), num(s.ttftMs().p50()), num(s.ttftMs().p90()),
                num(s.ttftMs().p99()), num(s.tpotMs().p50()), num(s.tpotMs().p90()), num(s.tpotMs().p99()), s.steps() + " (" + s.prefillSteps() + "/" + s.decodeSteps() + "/" + s.mixedSteps() + ")",
                pct(s.graphShare()), pct(s.paddingWaste()),
                rated ? (r.saturated() ? "yes" : "no") : "–");
    }

    private static String pct(double share) {
        return f("%.1f%%", 100 * share);
    }

    /** Configuration fields besides policy and rate (and what follows from the rate) that differ between runs. */
    private static List<String> configDifferences(List<ServeRun> runs) {
        List<String> out = new ArrayList<>();
        check(out, runs, "model", c -> c.model());
        check(out, runs, "prompt lengths", c -> c.promptLen());
        check(out, runs, "output lengths", c -> c.outputLen());
        check(out, runs, "capture sizes", c -> c.sizes());
        check(out, runs, "max sequences", c -> c.maxSeqsPerStep());
        check(out, runs, "max model len", c -> c.maxModelLen());
        check(out, runs, "PDL", c -> c.pdl());
        check(out, runs, "device", null);
        return out;
    }

    private static void check(List<String> out, List<ServeRun> runs, String name, java.util.function.Function<ServeResults.Config, Object> field) {
        List<Object> values = runs.stream().map(r -> field == null ? (Object) r.results().devices().getFirst().name() : field.apply(r.results().config()))
                .distinct().toList();
        if (values.size() > 1) out.add(name + " " + values);
    }
}
