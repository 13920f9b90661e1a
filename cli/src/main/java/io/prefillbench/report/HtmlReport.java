package io.prefillbench.report;

import io.prefillbench.advise.Advice;
import io.prefillbench.results.BenchInput;
import io.prefillbench.results.Capture;
import io.prefillbench.results.Device;
import io.prefillbench.results.JmhComparison;
import io.prefillbench.results.JmhResults;
import io.prefillbench.results.LatencyStats;
import io.prefillbench.results.Meta;
import io.prefillbench.results.Results;
import io.prefillbench.results.SampleDrift;
import io.prefillbench.results.RunConfig;
import io.prefillbench.results.Workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.prefillbench.report.Html.esc;
import static io.prefillbench.report.Html.f;

/**
 * Renders results and JMH files into one self-contained HTML page: inline CSS and inline SVG, no script and no
 * network, so it can be attached to an issue or opened from disk. All text from the inputs is escaped.
 */
public final class HtmlReport {
    static final int W = 590, H = 370;

    private HtmlReport() {
    }

    public static String render(List<BenchInput> inputs) {
        return renderAll(inputs.stream().<ReportInput>map(ReportInput.Bench::new).toList());
    }

    /** Every kind of input on one page; with two or more runs (or a PyTorch baseline) a comparison comes first. */
    public static String renderAll(List<ReportInput> inputs) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"prefillbench\"><title>prefillbench report</title>\n<style>")
                .append(CSS).append("</style></head>\n<body>\n<h1>prefillbench report</h1>\n");
        sb.append("<p class=\"lead\">").append(inputs.size()).append(" input file").append(inputs.size() == 1 ? "" : "s")
                .append(inputs.stream().allMatch(i -> i instanceof ReportInput.Serve) ? "." // serve sections say what their latencies are
                        : ". Latencies are host wall time per forward in milliseconds; speedup = eager p50 / graph p50.").append("</p>\n");
        Advice advice = inputs.stream().filter(i -> i instanceof ReportInput.AdviceFile).map(i -> ((ReportInput.AdviceFile) i).advice())
                .findFirst().orElse(null);
        List<RunComparison.Series> runs = RunComparison.series(inputs);
        if (runs.stream().map(r -> r.name().replaceFirst(" (graph|eager)$", "")).distinct().count() >= 2)
            sb.append("<section class=\"input\" id=\"comparison\">\n<h2>Runs compared</h2>\n<div class=\"charts\">\n")
                    .append(RunComparison.chart(runs)).append("\n</div>\n</section>\n");
        TorchRatios.section(sb, inputs);
        List<ServeRun> serveSweep = ServeSections.sweepRuns(inputs);
        boolean serveSweepDrawn = false;
        int n = 0;
        for (ReportInput in : inputs) {
            String id = "input-" + (++n);
            switch (in) {
                case ReportInput.Bench(BenchInput.Prefill p) -> prefillSection(sb, id, p);
                case ReportInput.Bench(BenchInput.Jmh j) -> jmhSection(sb, id, j.jmh());
                case ReportInput.Sweep sw -> ExtraSections.sweep(sb, id, sw, advice);
                case ReportInput.AdviceFile a -> ExtraSections.advice(sb, id, a);
                case ReportInput.Torch t -> ExtraSections.torch(sb, id, t);
                case ReportInput.JmhMeta m -> ExtraSections.jmhMeta(sb, id, m);
                case ReportInput.GateVerdict g -> ExtraSections.gateVerdict(sb, id, g);
                case ReportInput.Serve sv when sv.serve().config().rate() != null && !serveSweep.isEmpty() -> {
                    if (!serveSweepDrawn) ServeSections.sweep(sb, serveSweep); // where the first of its files stands
                    serveSweepDrawn = true;
                }
                case ReportInput.Serve sv -> ServeSections.single(sb, id, sv);
            }
        }
        return sb.append("</body></html>\n").toString();
    }

    private static void prefillSection(StringBuilder sb, String id, BenchInput.Prefill p) {
        Results r = p.results();
        sb.append("<section class=\"input\" id=\"").append(id).append("\">\n<h2>").append(esc(p.source().getFileName()))
                .append(" <span class=\"sub\">").append(esc(r.deviceName())).append(" · ").append(esc(r.config().model()))
                .append("</span></h2>\n");
        header(sb, p, r);
        sb.append("<h3>Summary</h3>\n");
        table(sb, "summary", SummaryTable.PREFILL_HEADER, SummaryTable.prefillRows(r));
        sb.append("<h3>Charts</h3>\n<div class=\"charts\">\n");
        sb.append(latencyVsTokens(r)).append('\n');
        sb.append(TimingCharts.speedupDots(r)).append('\n');
        sb.append(TimingCharts.hostVsGpu(r)).append('\n');
        List<org.HdrHistogram.Histogram[]> logs = HdrPercentiles.logs(p.source(), r.workloads());
        sb.append(logs != null ? HdrPercentiles.chart(r.workloads(), logs) : percentileCurves(r)).append('\n');
        sb.append(captureBars(r, false)).append('\n');
        sb.append(captureBars(r, true)).append('\n');
        if (r.captures().size() >= 8) {
            List<CaptureCostCharts.Cost> costs = r.captures().stream().map(c -> new CaptureCostCharts.Cost(c.size(), c.captureMs(), c.graphMiB())).toList();
            sb.append(CaptureCostCharts.cumulative(costs, false)).append('\n');
            sb.append(CaptureCostCharts.cumulative(costs, true)).append('\n');
        }
        sb.append("</div>\n</section>\n");
    }

    private static void header(StringBuilder sb, BenchInput.Prefill p, Results r) {
        Meta m = r.meta();
        RunConfig c = r.config();
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("file", p.source().toString());
        for (Device d : r.devices())
            kv.put("device " + d.index(), f("%s (compute %s, %d SMs, %.1f GiB, L2 %.0f MiB, SM %d MHz, mem %d MHz, bus %s)",
                    d.name(), d.computeCapability(), d.sms(), d.memoryBytes() / 1073741824.0, d.l2Bytes() / 1048576.0,
                    d.smClockMHz(), d.memClockMHz(), d.busId()));
        kv.put("driver", m.driverVersion() + " (CUDA driver " + m.cudaDriver() + ")");
        kv.put("CUDA runtime", m.cudaRuntime() + ", cuBLAS " + m.cublas());
        kv.put("git", m.gitSha() + (m.gitDirty() ? " (dirty)" : ""));
        kv.put("argv", m.argv() == null ? "" : String.join(" ", m.argv()));
        kv.put("timestamp", m.timestamp());
        kv.put("host", m.host());
        kv.put("tool / JDK", m.tool() + " / " + m.jdk());
        kv.put("model", c.model() + (c.modelShape() == null ? "" : " " + c.modelShape()));
        kv.put("config", f("sizes %s, maxNumSeqs %d, warmup %d, iterations %d, seed %d, gemm %s", c.sizes(),
                c.maxNumSeqs(), c.warmup(), c.iterations(), c.seed(), c.gemm()));
        // what the timed loops started from: the conditions the gate compares besides the sizes and counts (0 / sync in files before them)
        Map<String, Object> cond = c.conditions();
        kv.put("run conditions", f("warm-up %s ms, prime %s ms, first tokens %s, host timing %s", cond.get("warmupMs"), cond.get("primeMs"),
                cond.get("firstTokens"), cond.get("hostTiming") == null ? "events (before the field)" : cond.get("hostTiming")));
        if (r.throttling() != null)
            kv.put("throttling", (r.throttling().observed() ? "OBSERVED: " : "none observed") +
                    (r.throttling().details() == null || !r.throttling().observed() ? "" : r.throttling().details()));
        sb.append("<table class=\"meta\">\n");
        kv.forEach((k, v) -> sb.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n"));
        sb.append("</table>\n");
        if (r.throttling() != null && r.throttling().observed())
            sb.append("<p class=\"warn\">Clock throttling was observed during this run; treat its latencies with care.</p>\n");
        List<String> drift = SampleDrift.beyondLimit(r);
        if (!drift.isEmpty())
            sb.append("<p class=\"warn\">Host samples moved within the timed loop (median of its first fifth → its last): ")
                    .append(esc(String.join("; ", drift))).append(" (").append(esc(SampleDrift.READING)).append("): these p50s mix two speeds.</p>\n");
    }

    static void table(StringBuilder sb, String cls, List<String> header, List<List<String>> rows) {
        sb.append("<table class=\"").append(cls).append("\">\n<thead><tr>");
        for (String h : header) sb.append("<th>").append(esc(h)).append("</th>");
        sb.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            sb.append("<tr>");
            for (int i = 0; i < row.size(); i++)
                sb.append(i == 0 ? "<td class=\"name\">" : SummaryTable.isNumeric(row.get(i)) ? "<td>" : "<td class=\"txt\">")
                        .append(esc(row.get(i))).append("</td>");
            sb.append("</tr>\n");
        }
        sb.append("</tbody></table>\n");
    }

    /** p50 host latency against batch tokens, eager and graph, whiskers up to p90. */
    static String latencyVsTokens(Results r) {
        List<Workload> ws = new ArrayList<>(r.workloads());
        ws.sort(Comparator.comparingInt(Workload::tokens));
        double minT = ws.getFirst().tokens(), maxT = ws.getLast().tokens();
        double minY = Double.MAX_VALUE, maxY = 0;
        for (Workload w : ws)
            for (var t : timings(w)) {
                minY = Math.min(minY, t.hostNs().p50() / 1e6);
                maxY = Math.max(maxY, t.hostNs().p90() / 1e6);
            }
        SvgChart ch = new SvgChart("Latency vs tokens (p50, whiskers to p90)", W, H);
        Axis x = maxT / minT > 8 ? Axis.Log.around(minT, maxT, ch.plotLeft() + 10, ch.plotRight() - 10)
                : new Axis.Linear(Math.max(0, minT - 0.1 * (maxT - minT + 1)), maxT + 0.1 * (maxT - minT + 1), ch.plotLeft(), ch.plotRight());
        Axis y = maxY / minY > 20 ? Axis.Log.around(minY, maxY, ch.plotBottom(), ch.plotTop())
                : Axis.Linear.fromZero(maxY * 1.05, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "tokens in batch", y, "host latency per forward (ms)", false);
        for (int mode = 0; mode < 2; mode++) {
            String color = mode == 0 ? SvgChart.EAGER : SvgChart.GRAPH;
            String name = mode == 0 ? "eager" : "graph";
            List<Workload> timed = new ArrayList<>();
            for (Workload w : ws) if ((mode == 0 ? w.eager() : w.graph()) != null) timed.add(w); // --no-graph/--no-eager runs
            if (timed.isEmpty()) continue;
            List<double[]> line = new ArrayList<>();
            for (Workload w : timed) {
                LatencyStats s = (mode == 0 ? w.eager() : w.graph()).hostNs();
                double px = x.map(w.tokens()) + (mode == 0 ? -3 : 3); // nudge so whiskers do not overlap
                line.add(new double[]{px, y.map(s.p50() / 1e6)});
                ch.whisker(px, y.map(s.p50() / 1e6), y.map(s.p90() / 1e6), color);
            }
            ch.polyline(line, color, false, name);
            for (int i = 0; i < timed.size(); i++) {
                LatencyStats s = (mode == 0 ? timed.get(i).eager() : timed.get(i).graph()).hostNs();
                ch.point(line.get(i)[0], line.get(i)[1], color, mode == 1,
                        f("%s %s: %d tokens, p50 %.3f ms, p90 %.3f ms", timed.get(i).name(), name, timed.get(i).tokens(),
                                s.p50() / 1e6, s.p90() / 1e6));
            }
            ch.legend(name, color, false);
        }
        return ch.render();
    }

    /** Latency against percentile from the raw samples, per workload (colour) and mode (dashed eager, solid graph). */
    static String percentileCurves(Results r) {
        List<Workload> ws = r.workloads();
        double minY = Double.MAX_VALUE, maxY = 0;
        int maxN = 0;
        for (Workload w : ws)
            for (var t : timings(w)) {
                long[] s = t.samplesHostNs();
                for (long v : s) {
                    minY = Math.min(minY, v / 1e6);
                    maxY = Math.max(maxY, v / 1e6);
                }
                maxN = Math.max(maxN, s.length);
            }
        // resolve as many nines as the sample count supports: 100 samples -> p99, 1000 -> p99.9
        double nines = Math.clamp(Math.floor(Math.log10(maxN)), 1, 3);
        SvgChart ch = new SvgChart("Latency percentiles per workload (solid graph, dashed eager)", W, H);
        Axis x = new Axis.Nines(nines, ch.plotLeft(), ch.plotRight());
        Axis y = maxY / minY > 20 ? Axis.Log.around(minY, maxY, ch.plotBottom(), ch.plotTop())
                : Axis.Linear.fromZero(maxY * 1.05, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "percentile", y, "host latency per forward (ms)", false);
        for (int i = 0; i < ws.size(); i++) {
            Workload w = ws.get(i);
            String color = SvgChart.PALETTE[i % SvgChart.PALETTE.length];
            for (int mode = 0; mode < 2; mode++) {
                if ((mode == 0 ? w.eager() : w.graph()) == null) continue;
                long[] s = (mode == 0 ? w.eager() : w.graph()).samplesHostNs().clone();
                Arrays.sort(s);
                List<double[]> pts = new ArrayList<>();
                for (int k = 0; k < s.length; k++) {
                    double pct = 100.0 * k / s.length; // sample k is exceeded by (n-k)/n of the samples
                    pts.add(new double[]{x.map(pct), y.map(s[k] / 1e6)});
                }
                ch.polyline(pts, color, mode == 0, w.name() + (mode == 0 ? " eager" : " graph"));
            }
            ch.legend(w.name(), color, false);
        }
        ch.legend("eager", "#555555", true);
        return ch.render();
    }

    /** The modes a workload timed: both, or one in a --no-graph / --no-eager run. */
    private static List<io.prefillbench.results.ModeTiming> timings(Workload w) {
        List<io.prefillbench.results.ModeTiming> t = new ArrayList<>();
        if (w.eager() != null) t.add(w.eager());
        if (w.graph() != null) t.add(w.graph());
        return t;
    }

    /** Capture cost per captured size: milliseconds to capture, or MiB the graph holds. */
    static String captureBars(Results r, boolean memory) {
        List<Capture> cs = r.captures();
        String title = memory ? "Graph memory per captured size (MiB)" : "Capture time per captured size (ms)";
        SvgChart ch = new SvgChart(title, W, H);
        Axis.Band x = new Axis.Band(cs.stream().map(c -> String.valueOf(c.size())).toList(), ch.plotLeft(), ch.plotRight());
        double maxY = cs.stream().mapToDouble(c -> memory ? c.graphMiB() : c.captureMs()).max().orElse(1);
        Axis y = Axis.Linear.fromZero(maxY * 1.08, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "captured graph size (tokens)", y, memory ? "graph memory (MiB)" : "capture time (ms)", false);
        double bw = x.bandwidth() * 0.6;
        String color = memory ? "#59a14f" : "#b07aa1";
        for (int i = 0; i < cs.size(); i++) {
            Capture c = cs.get(i);
            double v = memory ? c.graphMiB() : c.captureMs();
            ch.bar(x.map(i) + x.bandwidth() * 0.2, bw, y.map(v), y.map(0), color,
                    f("size %d: %.2f ms capture, %.2f MiB, %d nodes", c.size(), c.captureMs(), c.graphMiB(), c.graphNodes())
                            + (c.pdlEdges() == null ? "" : f(", edges %d full / %d PDL / %d library", c.fullEdges(), c.pdlEdges(), c.libraryEdges())));
        }
        if (cs.isEmpty()) ch.reference(y.map(0.5), "no graphs captured");
        return ch.render();
    }

    private static void jmhSection(StringBuilder sb, String id, JmhResults j) {
        sb.append("<section class=\"input\" id=\"").append(id).append("\">\n<h2>").append(esc(j.source().getFileName()))
                .append(" <span class=\"sub\">JMH</span></h2>\n");
        sb.append("<table class=\"meta\"><tr><th>file</th><td>").append(esc(j.source())).append("</td></tr></table>\n");
        table(sb, "summary jmh", SummaryTable.JMH_HEADER, SummaryTable.jmhRows(j));
        if (!j.unpaired().isEmpty())
            sb.append("<p class=\"warn\">Unpaired points: ").append(esc(String.join("; ", j.unpaired()))).append("</p>\n");
        sb.append("<div class=\"charts\">\n");
        // one chart per unit, since scores of different units share no axis
        Map<String, List<JmhComparison>> byUnit = new LinkedHashMap<>();
        for (JmhComparison c : j.rows()) byUnit.computeIfAbsent(c.graph().unit(), k -> new ArrayList<>()).add(c);
        byUnit.forEach((unit, rows) -> sb.append(jmhBars(unit, rows)).append('\n'));
        sb.append("</div>\n</section>\n");
    }

    /** Eager and graph scores side by side per benchmark point, error bars from JMH's scoreError. */
    static String jmhBars(String unit, List<JmhComparison> rows) {
        SvgChart ch = new SvgChart("JMH scores, eager vs graph (" + unit + ")", W, H, 110, 20);
        Axis.Band x = new Axis.Band(rows.stream().map(c -> String.join(" ", c.params().values())).toList(),
                ch.plotLeft(), ch.plotRight());
        double maxY = 0;
        for (JmhComparison c : rows)
            for (var s : List.of(c.eager(), c.graph()))
                maxY = Math.max(maxY, s.score() + (Double.isFinite(s.error()) ? s.error() : 0));
        Axis y = Axis.Linear.fromZero(maxY * 1.08, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "benchmark point", y, unit, true);
        double bw = x.bandwidth() * 0.35;
        for (int i = 0; i < rows.size(); i++) {
            JmhComparison c = rows.get(i);
            for (int mode = 0; mode < 2; mode++) {
                var s = mode == 0 ? c.eager() : c.graph();
                String color = mode == 0 ? SvgChart.EAGER : SvgChart.GRAPH;
                double bx = x.map(i) + x.bandwidth() * 0.15 + mode * bw;
                ch.bar(bx, bw, y.map(s.score()), y.map(0), color,
                        f("%s %s: %.4g ± %.2g %s", c.label(), mode == 0 ? "eager" : "graph", s.score(), s.error(), unit));
                if (Double.isFinite(s.error()))
                    ch.whisker(bx + bw / 2, y.map(Math.max(0, s.score() - s.error())), y.map(s.score() + s.error()), "#222222");
            }
        }
        ch.legend("eager", SvgChart.EAGER, false);
        ch.legend("graph", SvgChart.GRAPH, false);
        return ch.render();
    }

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;margin:24px;background:#fff}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
            h2 .sub{font-weight:normal;color:#666;font-size:14px}h3{font-size:15px;margin:18px 0 6px}
            .lead{color:#555;margin:0 0 12px}.warn{color:#a4000f;font-weight:600}
            table{border-collapse:collapse;margin:6px 0 12px}
            table.meta th{text-align:left;color:#555;font-weight:600;padding:2px 12px 2px 0;vertical-align:top;white-space:nowrap}
            table.meta td{padding:2px 0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;word-break:break-all}
            table.summary th,table.summary td{border:1px solid #d5d5d5;padding:3px 7px;text-align:right;font-variant-numeric:tabular-nums}
            table.summary th{background:#f2f4f7;font-size:12.5px}table.summary td{white-space:nowrap}
            table.summary td.name{text-align:left;white-space:normal;min-width:9em;max-width:24em}table.summary td.txt,table.summary th:first-child{text-align:left}
            table.summary tbody tr:nth-child(even){background:#fafafa}
            table.serve th,table.serve td{font-size:12px;padding:2px 5px}table.serve td.name{min-width:6em}
            .charts{display:flex;flex-wrap:wrap;gap:12px}
            svg.chart{border:1px solid #e3e3e3;background:#fff}
            svg .grid{stroke:#ececec;stroke-width:1}svg .frame{fill:none;stroke:#999}
            svg .ref{stroke:#444;stroke-dasharray:4 3;stroke-width:1}
            svg text{font-family:system-ui,sans-serif;fill:#333}svg .tick{font-size:11px}svg .legend{font-size:12px}
            svg .axis-title{font-size:12px;fill:#555}svg .chart-title{font-size:14px;font-weight:600}
            """;
}
