package io.prefillbench.report;

import io.prefillbench.results.BenchInput;
import io.prefillbench.results.Workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static io.prefillbench.report.Html.f;

/**
 * Several runs on one chart: every prefill results file (current vs baseline, PDL on/off, ...) and the PyTorch
 * baseline, p50 per forward against the prompt's token count.
 */
final class RunComparison {
    static final String TITLE = "Runs compared: p50 per forward vs tokens (solid graph, dashed eager)";

    /** One line on the chart. */
    record Series(String name, boolean eager, List<double[]> tokensMs) {
    }

    private RunComparison() {
    }

    static List<Series> series(List<ReportInput> inputs) {
        List<Series> out = new ArrayList<>();
        for (ReportInput in : inputs) {
            if (in instanceof ReportInput.Bench(BenchInput.Prefill p)) {
                List<Workload> ws = p.results().workloads().stream().sorted(Comparator.comparingInt(Workload::tokens)).toList();
                String name = label(p.source(), p.results().meta().argv());
                // --no-graph / --no-eager runs: a mode that was not timed has no line
                out.add(new Series(name + " graph", false, ws.stream().filter(w -> w.graph() != null).map(w -> new double[]{w.tokens(), w.graph().hostNs().p50() / 1e6}).toList()));
                out.add(new Series(name + " eager", true, ws.stream().filter(w -> w.eager() != null).map(w -> new double[]{w.tokens(), w.eager().hostNs().p50() / 1e6}).toList()));
            } else if (in instanceof ReportInput.Torch t) {
                for (String mode : t.torch().points().stream().map(TorchBaseline.Point::mode).distinct().toList())
                    out.add(new Series("PyTorch " + mode, mode.contains("eager"), t.torch().points().stream().filter(q -> q.mode().equals(mode))
                            .sorted(Comparator.comparingInt(TorchBaseline.Point::tokens)).map(q -> new double[]{q.tokens(), q.p50() / 1e6}).toList()));
            }
        }
        return out;
    }

    /** File name without the common prefix noise, plus --no-pdl or --no-library-edges when the run had them. */
    static String label(Path source, List<String> argv) {
        String n = source.getFileName().toString().replaceFirst("\\.json$", "").replaceFirst("^prefill-", "")
                .replaceFirst("-\\d{8}-\\d{6}", "");
        if (argv != null && argv.contains("--no-pdl") && !n.contains("nopdl")) n += " (--no-pdl)";
        if (argv != null && argv.contains("--no-library-edges")) n += " (--no-library-edges)";
        return n;
    }

    static String chart(List<Series> series) {
        double minT = Double.MAX_VALUE, maxT = 0, maxY = 0;
        for (Series s : series)
            for (double[] p : s.tokensMs()) {
                minT = Math.min(minT, p[0]);
                maxT = Math.max(maxT, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        long runs = series.stream().map(s -> s.name().replaceFirst(" (graph|eager)$", "")).distinct().count();
        SvgChart ch = new SvgChart(TITLE, 2 * HtmlReport.W + 12, HtmlReport.H + 60, 56, 20, 54 + 16 * (int) (runs / 4));
        Axis x = maxT / minT > 8 ? Axis.Log.around(minT, maxT, ch.plotLeft() + 10, ch.plotRight() - 10)
                : new Axis.Linear(0, maxT * 1.1, ch.plotLeft(), ch.plotRight());
        Axis y = Axis.Linear.fromZero(maxY * 1.05, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "tokens per forward", y, "host p50 per forward (ms)", false);
        List<String> colorOf = new ArrayList<>();
        for (Series s : series) {
            String run = s.name().replaceFirst(" (graph|eager)$", "");
            if (!colorOf.contains(run)) colorOf.add(run);
            String color = SvgChart.PALETTE[colorOf.indexOf(run) % SvgChart.PALETTE.length];
            List<double[]> px = s.tokensMs().stream().map(p -> new double[]{x.map(p[0]), y.map(p[1])}).toList();
            ch.polyline(px, color, s.eager(), s.name());
            for (int i = 0; i < px.size(); i++)
                ch.point(px.get(i)[0], px.get(i)[1], color, !s.eager(), f("%s: %.0f tokens, p50 %.3f ms", s.name(), s.tokensMs().get(i)[0], s.tokensMs().get(i)[1]));
            if (!s.eager() || s.name().startsWith("PyTorch")) ch.legend(run, color, false);
        }
        return ch.render();
    }
}
