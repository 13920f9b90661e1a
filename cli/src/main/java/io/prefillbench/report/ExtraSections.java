package io.prefillbench.report;

import io.prefillbench.advise.Advice;
import io.prefillbench.results.Device;
import io.prefillbench.results.Meta;
import io.prefillbench.results.SweepConfig;
import io.prefillbench.results.SweepPoint;
import io.prefillbench.results.SweepResults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static io.prefillbench.report.Html.esc;
import static io.prefillbench.report.Html.f;
import static io.prefillbench.report.Html.num;

/** Report sections of the inputs beyond prefill and JMH results: sweeps, advice, the PyTorch baseline, JMH provenance. */
final class ExtraSections {
    static final List<String> SWEEP_HEADER = List.of("tokens", "eager p50", "eager p99", "eager GPU p50", "graph p50", "graph p99",
            "graph GPU p50", "speedup", "capture ms", "graph MiB", "pairs");
    static final List<String> ADVICE_HEADER = List.of("sizes", "count", "expected mean ms", "p99 ms", "graph MiB", "capture ms", "list");

    private ExtraSections() {
    }

    static void sweep(StringBuilder sb, String id, ReportInput.Sweep in, Advice advice) {
        SweepResults s = in.sweep();
        SweepConfig c = s.config();
        open(sb, id, in.source().getFileName().toString(), "sweep · " + s.deviceName() + " · " + c.model());
        Map<String, String> kv = metaRows(in.source().toString(), s.meta(), s.devices());
        kv.put("sweep", f("%d:%d:%d (%d points), %d sequence(s) per forward, warmup %d + %d timed pairs per point, seed %d, PDL %s",
                c.from(), c.to(), c.step(), s.sweep().size(), c.sequences(), c.warmupPerPoint(), c.iterationsPerPoint(), c.seed(), c.pdl() ? "on" : "off"));
        if (s.throttling() != null) kv.put("throttling", s.throttling().observed() ? "OBSERVED: " + s.throttling().details() : "none observed");
        metaTable(sb, kv);
        OptionalInt stop = SweepCharts.graphsStopPaying(s);
        double ms = s.sweep().stream().mapToDouble(SweepPoint::captureMs).sum(), mib = s.sweep().stream().mapToDouble(SweepPoint::graphMiB).sum();
        sb.append("<p>").append(stop.isPresent() ? "Graphs stop paying (graph p50 ≥ eager p50 at every larger point) from " + stop.getAsInt() + " tokens."
                : "Graphs are faster than eager at the largest measured size.").append(f(" Capturing all %d sizes took %.1f ms and %.2f MiB.", s.sweep().size(), ms, mib));
        if (advice != null) sb.append(" Green: the latency the advised sizes ").append(esc(advice.sizes())).append(" give at each token count.");
        sb.append("</p>\n<div class=\"charts\">\n");
        sb.append(SweepCharts.latency(s, advice)).append('\n');
        sb.append(SweepCharts.speedup(s)).append('\n');
        List<CaptureCostCharts.Cost> costs = s.sweep().stream().map(p -> new CaptureCostCharts.Cost(p.tokens(), p.captureMs(), p.graphMiB())).toList();
        sb.append(CaptureCostCharts.cumulative(costs, false)).append('\n');
        sb.append(CaptureCostCharts.cumulative(costs, true)).append('\n');
        sb.append("</div>\n<details><summary>every point</summary>\n");
        List<List<String>> rows = new ArrayList<>();
        for (SweepPoint p : s.sweep())
            rows.add(List.of(String.valueOf(p.tokens()), num(p.eager().hostP50Ms()), num(p.eager().hostP99Ms()), num(p.eager().gpuP50Ms()),
                    num(p.graph().hostP50Ms()), num(p.graph().hostP99Ms()), num(p.graph().gpuP50Ms()), f("%.3f×", p.speedupP50()),
                    num(p.captureMs()), num(p.graphMiB()), String.valueOf(p.graph().samples())));
        HtmlReport.table(sb, "summary", SWEEP_HEADER, rows);
        sb.append("</details>\n</section>\n");
    }

    static void advice(StringBuilder sb, String id, ReportInput.AdviceFile in) {
        Advice a = in.advice();
        open(sb, id, in.source().getFileName().toString(), "advice");
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("file", in.source().toString());
        kv.put("curve", a.curve());
        if (a.workload() != null) kv.put("workload", f("%s: %d requests, %d..%d tokens, mean %.1f", a.workload().source(), a.workload().requests(),
                a.workload().minTokens(), a.workload().maxTokens(), a.workload().meanTokens()));
        if (a.guard() != null) kv.put("padding guard", f("ratio %.2f, slack %d tokens", a.guard().padRatio(), a.guard().padSlack()));
        kv.put("chosen sizes", a.sizes().toString());
        metaTable(sb, kv);
        List<List<String>> rows = new ArrayList<>();
        for (Advice.Row r : a.comparisons())
            rows.add(List.of(r.name(), String.valueOf(r.sizes().size()), num(r.expectedMs()), num(r.p99Ms()),
                    r.graphMib() == null ? "–" : num(r.graphMib()), r.captureMs() == null ? "–" : num(r.captureMs()), abbreviate(r.sizes())));
        HtmlReport.table(sb, "summary", ADVICE_HEADER, rows);
        if (a.marginal() != null && !a.marginal().isEmpty()) {
            List<List<String>> m = new ArrayList<>();
            for (Advice.Marginal x : a.marginal()) m.add(List.of(String.valueOf(x.size()), num(x.savedMs()), f("%.2f%%", 100 * x.savedMs() / a.expectedMs())));
            sb.append("<h3>Marginal value of each chosen size (mean ms per request lost without it)</h3>\n");
            HtmlReport.table(sb, "summary", List.of("size", "saved ms", "saved %"), m);
        }
        sb.append("</section>\n");
    }

    static void torch(StringBuilder sb, String id, ReportInput.Torch in) {
        TorchBaseline t = in.torch();
        open(sb, id, in.source().getFileName().toString(), "PyTorch baseline · " + t.device() + " · " + t.model());
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("file", in.source().toString());
        kv.put("torch", t.torchVersion());
        kv.put("git", t.gitSha());
        kv.put("argv", String.join(" ", t.argv()));
        kv.put("timestamp", t.timestamp());
        metaTable(sb, kv);
        List<List<String>> rows = new ArrayList<>();
        for (TorchBaseline.Point p : t.points())
            rows.add(List.of(p.mode() + " @" + p.tokens(), String.valueOf(p.tokens()), num(p.p50() / 1e6), num(p.p90() / 1e6), num(p.p99() / 1e6),
                    num(p.max() / 1e6), String.valueOf(p.count())));
        HtmlReport.table(sb, "summary", List.of("mode @ tokens", "tokens", "p50 ms", "p90 ms", "p99 ms", "max ms", "samples"), rows);
        sb.append("</section>\n");
    }

    static void jmhMeta(StringBuilder sb, String id, ReportInput.JmhMeta in) {
        open(sb, id, in.source().getFileName().toString(), "JMH provenance");
        Meta m = io.prefillbench.results.ResultsIo.mapper().convertValue(in.tree().get("meta"), Meta.class);
        List<Device> devices = new ArrayList<>();
        in.tree().path("devices").forEach(d -> devices.add(io.prefillbench.results.ResultsIo.mapper().convertValue(d, Device.class)));
        Map<String, String> kv = metaRows(in.source().toString(), m, devices);
        kv.put("results", in.tree().path("results").asText("?"));
        metaTable(sb, kv);
        sb.append("</section>\n");
    }

    /** A gate verdict: the result, what was compared, and one row per workload with each metric's verdict. */
    static void gateVerdict(StringBuilder sb, String id, ReportInput.GateVerdict in) {
        com.fasterxml.jackson.databind.JsonNode t = in.tree();
        open(sb, id, in.source().getFileName().toString(), "gate verdict: " + t.path("result").asText());
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("file", in.source().toString());
        kv.put("baseline", t.path("baseline").asText("?"));
        kv.put("current", t.path("current").asText("?"));
        kv.put("result", t.path("result").asText("?"));
        metaTable(sb, kv);
        sb.append("<table><tr><th>workload</th><th>ratio</th><th>graph latency</th><th>eager latency</th><th>failed metrics</th></tr>\n");
        for (com.fasterxml.jackson.databind.JsonNode r : t.path("rows")) {
            List<String> failed = new ArrayList<>();
            r.path("failed").forEach(x -> failed.add(x.asText()));
            sb.append("<tr><td>").append(esc(r.path("label").asText())).append("</td><td>").append(esc(r.path("ratioVerdict").asText("-")))
                    .append("</td><td>").append(esc(r.path("graphVerdict").asText("-"))).append("</td><td>")
                    .append(esc(r.path("eagerVerdict").asText("-"))).append("</td><td>").append(esc(failed.isEmpty() ? "none" : String.join(", ", failed)))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n");
        for (com.fasterxml.jackson.databind.JsonNode n : t.path("notes")) sb.append("<p class=\"note\">").append(esc(n.asText())).append("</p>\n");
        sb.append("</section>\n");
    }

    static void open(StringBuilder sb, String id, String name, String sub) {
        sb.append("<section class=\"input\" id=\"").append(id).append("\">\n<h2>").append(esc(name)).append(" <span class=\"sub\">")
                .append(esc(sub)).append("</span></h2>\n");
    }

    static Map<String, String> metaRows(String file, Meta m, List<Device> devices) {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("file", file);
        for (Device d : devices)
            kv.put("device " + d.index(), f("%s (compute %s, %d SMs, %.1f GiB)", d.name(), d.computeCapability(), d.sms(), d.memoryBytes() / 1073741824.0));
        if (m != null) {
            kv.put("driver", m.driverVersion() + " (CUDA driver " + m.cudaDriver() + "), runtime " + m.cudaRuntime() + ", cuBLAS " + m.cublas());
            kv.put("git", m.gitSha() + (m.gitDirty() ? " (dirty)" : ""));
            kv.put("argv", m.argv() == null ? "" : String.join(" ", m.argv()));
            kv.put("timestamp", m.timestamp());
            kv.put("tool / JDK", m.tool() + " / " + m.jdk());
        }
        return kv;
    }

    static void metaTable(StringBuilder sb, Map<String, String> kv) {
        sb.append("<table class=\"meta\">\n");
        kv.forEach((k, v) -> sb.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n"));
        sb.append("</table>\n");
    }

    private static String abbreviate(List<Integer> s) {
        if (s.isEmpty()) return "none";
        if (s.size() <= 12) return s.toString();
        return s.subList(0, 5) + " … " + s.subList(s.size() - 3, s.size());
    }
}
