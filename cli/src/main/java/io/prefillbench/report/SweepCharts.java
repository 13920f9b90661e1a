package io.prefillbench.report;

import io.prefillbench.advise.Advice;
import io.prefillbench.advise.CurveReader;
import io.prefillbench.advise.LatencyCurve;
import io.prefillbench.advise.ServingModel;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.results.SweepPoint;
import io.prefillbench.results.SweepResults;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.ToDoubleFunction;

import static io.prefillbench.report.Html.f;

/** Charts of a {@code prefill --sweep} file: latency against token count and speedup against token count. */
final class SweepCharts {
    static final int W = 590, H = 370;
    static final String LATENCY_TITLE = "Latency vs token count (p50; dashed = GPU time)";
    static final String SPEEDUP_TITLE = "Graph speedup vs token count (eager p50 / graph p50)";

    private SweepCharts() {
    }

    /**
     * The smallest measured T from which the graph is never faster than eager (host p50) at any larger point;
     * empty when graphs pay at the last point.
     */
    static OptionalInt graphsStopPaying(SweepResults s) {
        List<SweepPoint> ps = s.sweep();
        int from = -1;
        for (int i = ps.size() - 1; i >= 0; i--) {
            if (ps.get(i).graph().hostP50Ms() >= ps.get(i).eager().hostP50Ms()) from = ps.get(i).tokens();
            else break;
        }
        return from < 0 ? OptionalInt.empty() : OptionalInt.of(from);
    }

    /** Eager and graph host p50 (solid) and GPU p50 (dashed); with advice, the latency its chosen sizes give at each T. */
    static String latency(SweepResults s, Advice advice) {
        List<SweepPoint> ps = s.sweep();
        double maxY = 0;
        for (SweepPoint p : ps) maxY = Math.max(maxY, Math.max(p.eager().hostP50Ms(), p.graph().hostP50Ms()));
        LatencyCurve curve = CurveReader.fromSweep(null, s);
        List<double[]> steps = new ArrayList<>();
        int[] chosen = advice == null ? null : advice.sizes().stream().mapToInt(Integer::intValue)
                .filter(v -> v >= curve.minTokens() && v <= curve.maxTokens()).toArray();
        ServingModel model = advice == null ? null : new ServingModel(curve, new PaddingGuard(advice.guard().padRatio(), advice.guard().padSlack()));
        if (model != null) for (int t = 1; t <= curve.maxTokens(); t++) maxY = Math.max(maxY, model.cost(chosen, t));

        SvgChart ch = new SvgChart(LATENCY_TITLE, W, H);
        Axis x = Axis.Linear.fromZero(curve.maxTokens(), ch.plotLeft(), ch.plotRight());
        Axis y = Axis.Linear.fromZero(maxY * 1.05, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "tokens per forward (" + s.config().sequences() + " sequence" + (s.config().sequences() == 1 ? "" : "s") + ")", y,
                "latency per forward (ms)", false);
        series(ch, ps, x, y, p -> p.eager().hostP50Ms(), SvgChart.EAGER, false, "eager host p50");
        series(ch, ps, x, y, p -> p.graph().hostP50Ms(), SvgChart.GRAPH, false, "graph host p50");
        series(ch, ps, x, y, p -> p.eager().gpuP50Ms(), SvgChart.EAGER, true, "eager GPU p50 (CUDA events)");
        series(ch, ps, x, y, p -> p.graph().gpuP50Ms(), SvgChart.GRAPH, true, "graph GPU p50 (CUDA events)");
        for (SweepPoint p : ps)
            ch.point(x.map(p.tokens()), y.map(p.graph().hostP50Ms()), SvgChart.GRAPH, false, f("T=%d: eager %.3f ms (GPU %.3f), graph %.3f ms (GPU %.3f), %.3fx",
                    p.tokens(), p.eager().hostP50Ms(), p.eager().gpuP50Ms(), p.graph().hostP50Ms(), p.graph().gpuP50Ms(), p.speedupP50()));
        ch.legend("eager", SvgChart.EAGER, false);
        ch.legend("graph", SvgChart.GRAPH, false);
        ch.legend("GPU time", "#555555", true);
        if (model != null) {
            double prev = Double.NaN;
            for (int t = curve.minTokens(); t <= curve.maxTokens(); t++) {
                double c = model.cost(chosen, t);
                if (!Double.isNaN(prev) && c != prev) steps.add(new double[]{x.map(t - 0.5), y.map(prev)});
                if (c != prev) steps.add(new double[]{x.map(t == curve.minTokens() ? t : t - 0.5), y.map(c)});
                prev = c;
            }
            steps.add(new double[]{x.map(curve.maxTokens()), y.map(prev)});
            ch.polyline(steps, SvgChart.ADVICE, false, "advised sizes " + advice.sizes() + ": latency at each token count");
            for (int size : chosen) ch.tick(x.map(size), SvgChart.ADVICE, "advised size " + size);
            ch.legend("advised sizes (" + chosen.length + ")", SvgChart.ADVICE, false);
        }
        OptionalInt stop = graphsStopPaying(s);
        if (stop.isPresent()) ch.vreference(x.map(stop.getAsInt()), "graphs stop paying at " + stop.getAsInt());
        return ch.render();
    }

    private static void series(SvgChart ch, List<SweepPoint> ps, Axis x, Axis y, ToDoubleFunction<SweepPoint> v, String color,
                               boolean dashed, String name) {
        List<double[]> line = new ArrayList<>();
        for (SweepPoint p : ps) line.add(new double[]{x.map(p.tokens()), y.map(v.applyAsDouble(p))});
        ch.polyline(line, color, dashed, name);
    }

    /** Speedup per token count as dots on a scale around 1 (not bars from 0). */
    static String speedup(SweepResults s) {
        List<SweepPoint> ps = s.sweep();
        double lo = 1, hi = 1;
        for (SweepPoint p : ps) {
            lo = Math.min(lo, p.speedupP50());
            hi = Math.max(hi, p.speedupP50());
        }
        double pad = Math.max(0.01, (hi - lo) * 0.1);
        SvgChart ch = new SvgChart(SPEEDUP_TITLE, W, H);
        Axis x = Axis.Linear.fromZero(ps.getLast().tokens(), ch.plotLeft(), ch.plotRight());
        Axis y = new Axis.Linear(lo - pad, hi + pad, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "tokens per forward", y, "speedup (×)", false);
        ch.reference(y.map(1), "1.0× (no gain)");
        for (SweepPoint p : ps)
            ch.point(x.map(p.tokens()), y.map(p.speedupP50()), p.speedupP50() > 1 ? SvgChart.GRAPH : SvgChart.EAGER, false,
                    f("T=%d: %.3f× (eager %.3f / graph %.3f ms, %d pairs)", p.tokens(), p.speedupP50(), p.eager().hostP50Ms(),
                            p.graph().hostP50Ms(), p.graph().samples()));
        ch.legend("graph faster", SvgChart.GRAPH, false);
        ch.legend("graph not faster", SvgChart.EAGER, false);
        return ch.render();
    }
}
