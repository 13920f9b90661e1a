package io.prefillbench.report;

import io.prefillbench.results.LatencyStats;
import io.prefillbench.results.ModeTiming;
import io.prefillbench.results.Results;
import io.prefillbench.results.Workload;

import java.util.List;

import static io.prefillbench.report.Html.f;

/** Per-workload timing charts of a prefill results file: speedup dots with their CI, host time beside GPU time. */
final class TimingCharts {
    static final String SPEEDUP_TITLE = "Graph speedup per workload (p50 ratio, 95% CI)";
    static final String HOST_GPU_TITLE = "Host vs GPU time per workload (p50)";

    private TimingCharts() {
    }

    /** Speedup as a dot with its 95% bootstrap interval, on a scale that starts near 1 (a bar from 0 hides a 2% gain). */
    static String speedupDots(Results r) {
        List<Workload> ws = r.workloads().stream().filter(w -> w.speedup() != null).toList(); // both modes timed
        double lo = 1, hi = 1;
        for (Workload w : ws) {
            lo = Math.min(lo, Math.min(w.speedup().ci95Low(), w.speedup().p50Ratio()));
            hi = Math.max(hi, Math.max(w.speedup().ci95High(), w.speedup().p50Ratio()));
        }
        double pad = Math.max(0.01, (hi - lo) * 0.12);
        SvgChart ch = new SvgChart(SPEEDUP_TITLE, HtmlReport.W, HtmlReport.H, 90, 20);
        Axis.Band x = new Axis.Band(ws.stream().map(w -> w.name() + " @" + w.paddedSize()).toList(), ch.plotLeft(), ch.plotRight());
        Axis y = new Axis.Linear(lo - pad, hi + pad, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "workload @ padded size", y, "eager p50 / graph p50 (×)", true);
        ch.reference(y.map(1), ws.isEmpty() ? "no workload timed in both modes" : "1.0× (no gain)");
        for (int i = 0; i < ws.size(); i++) {
            Workload w = ws.get(i);
            double cx = x.map(i) + x.bandwidth() / 2;
            String color = w.fallback() == null ? SvgChart.GRAPH : "#999999";
            ch.whisker(cx, y.map(w.speedup().ci95Low()), y.map(w.speedup().ci95High()), "#222222");
            ch.point(cx, y.map(w.speedup().p50Ratio()), color, false, f("%s @%d: %.3f× [%.3f, %.3f]%s", w.name(), w.paddedSize(),
                    w.speedup().p50Ratio(), w.speedup().ci95Low(), w.speedup().ci95High(), w.fallback() == null ? "" : " (fallback)"));
        }
        ch.legend("p50 ratio, 95% CI", SvgChart.GRAPH, false);
        if (ws.stream().anyMatch(w -> w.fallback() != null)) ch.legend("fallback", "#999999", false);
        return ch.render();
    }

    /** Per workload: eager and graph, host p50 (filled) above GPU p50 (open), joined; the join is what the host adds. */
    static String hostVsGpu(Results r) {
        List<Workload> ws = r.workloads();
        double maxY = 0;
        for (Workload w : ws)
            for (ModeTiming m : java.util.stream.Stream.of(w.eager(), w.graph()).filter(java.util.Objects::nonNull).toList()) maxY = Math.max(maxY, Math.max(m.hostNs().p50(), m.gpuNs().p50()) / 1e6);
        SvgChart ch = new SvgChart(HOST_GPU_TITLE, HtmlReport.W, HtmlReport.H, 90, 20);
        Axis.Band x = new Axis.Band(ws.stream().map(w -> w.name() + " @" + w.paddedSize()).toList(), ch.plotLeft(), ch.plotRight());
        Axis y = Axis.Linear.fromZero(maxY * 1.08, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "workload @ padded size; host minus GPU = launch and host overhead", y, "p50 per forward (ms)", true);
        for (int i = 0; i < ws.size(); i++) {
            Workload w = ws.get(i);
            for (int mode = 0; mode < 2; mode++) {
                ModeTiming m = mode == 0 ? w.eager() : w.graph();
                if (m == null) continue; // --no-graph / --no-eager run
                String color = mode == 0 ? SvgChart.EAGER : SvgChart.GRAPH;
                double cx = x.map(i) + x.bandwidth() * (mode == 0 ? 0.35 : 0.65);
                LatencyStats h = m.hostNs(), g = m.gpuNs();
                ch.whisker(cx, y.map(g.p50() / 1e6), y.map(h.p50() / 1e6), color);
                String what = f("%s %s: host %.3f ms, GPU %.3f ms, host overhead %.3f ms", w.name(), mode == 0 ? "eager" : "graph",
                        h.p50() / 1e6, g.p50() / 1e6, (h.p50() - g.p50()) / 1e6);
                ch.point(cx, y.map(h.p50() / 1e6), color, false, what);
                ch.ring(cx, y.map(g.p50() / 1e6), color, what);
            }
        }
        ch.legend("eager", SvgChart.EAGER, false);
        ch.legend("graph", SvgChart.GRAPH, false);
        ch.legend("● host  ○ GPU (CUDA events)", "#555555", false);
        return ch.render();
    }
}
