package io.prefillbench.report;

import io.prefillbench.serve.ServeSummary;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

import static io.prefillbench.report.Html.f;

/**
 * Charts of a serve rate sweep (several serve files): latency and throughput against the arrival rate, one line per
 * policy. Runs that did not keep up with their arrivals ({@link ServeRun#saturated()}) are drawn as crosses.
 */
final class ServeCharts {
    static final int W = 590, H = 370;
    static final String TTFT_TITLE = "Time to first token vs arrival rate (solid p50, dashed p99)";
    static final String TPOT_TITLE = "Time per output token vs arrival rate (solid p50, dashed p99)";
    static final String REQUESTS_TITLE = "Throughput vs arrival rate (requests/s)";
    static final String TOKENS_TITLE = "Output tokens/s vs arrival rate";
    /** Known policies in the order the study runs them; any other follows in order of appearance. */
    static final List<String> POLICY_ORDER = List.of("mixed", "prefill-first", "eager");

    /** One plotted quantity of a run; a dashed line with hollow markers when {@code dashed}. */
    private record Metric(String name, ToDoubleFunction<ServeSummary> value, boolean dashed) {
    }

    private ServeCharts() {
    }

    static List<String> policies(List<ServeRun> runs) {
        List<String> out = new ArrayList<>();
        for (String p : POLICY_ORDER) if (runs.stream().anyMatch(r -> r.policy().equals(p))) out.add(p);
        for (ServeRun r : runs) if (!out.contains(r.policy())) out.add(r.policy());
        return out;
    }

    /** Eager in the eager colour and mixed in the graph colour, as on every other chart of the report. */
    static String color(String policy, List<String> policies) {
        return switch (policy) {
            case "mixed" -> SvgChart.GRAPH;
            case "eager" -> SvgChart.EAGER;
            case "prefill-first" -> "#59a14f";
            default -> SvgChart.PALETTE[(policies.indexOf(policy) + 6) % SvgChart.PALETTE.length];
        };
    }

    static String ttft(List<ServeRun> runs) {
        return chart(TTFT_TITLE, runs, "time to first token (ms)",
                List.of(new Metric("TTFT p50", s -> s.ttftMs().p50(), false), new Metric("TTFT p99", s -> s.ttftMs().p99(), true)), " ms", false);
    }

    static String tpot(List<ServeRun> runs) {
        return chart(TPOT_TITLE, runs, "time per output token (ms)",
                List.of(new Metric("TPOT p50", s -> s.tpotMs().p50(), false), new Metric("TPOT p99", s -> s.tpotMs().p99(), true)), " ms", false);
    }

    /** Completed requests per second over the makespan; the dashed diagonal is the offered rate. */
    static String requests(List<ServeRun> runs) {
        return chart(REQUESTS_TITLE, runs, "completed requests per second", List.of(new Metric("req/s", ServeSummary::requestsPerS, false)), " req/s", true);
    }

    static String outputTokens(List<ServeRun> runs) {
        return chart(TOKENS_TITLE, runs, "output tokens per second", List.of(new Metric("output tok/s", ServeSummary::outputTokensPerS, false)), " tok/s", false);
    }

    private static String chart(String title, List<ServeRun> runs, String yTitle, List<Metric> metrics, String unit, boolean offeredDiagonal) {
        List<ServeRun> rated = runs.stream().filter(r -> r.rate() != null).sorted(Comparator.comparingDouble(ServeRun::rate)).toList();
        List<String> policies = policies(rated);
        double minX = rated.getFirst().rate(), maxX = rated.getLast().rate();
        double minY = Double.MAX_VALUE, maxY = 0;
        for (ServeRun r : rated)
            for (Metric m : metrics) {
                double v = m.value().applyAsDouble(r.results().summary());
                if (v > 0) minY = Math.min(minY, v);
                maxY = Math.max(maxY, v);
            }
        if (offeredDiagonal) {
            minY = Math.min(minY, minX);
            maxY = Math.max(maxY, maxX);
        }
        if (maxY <= 0) minY = maxY = 1; // nothing measured (e.g. one-token outputs have no TPOT)
        SvgChart ch = new SvgChart(title, W, H, 56, 20, 54 + 16 * ((policies.size() + metrics.size()) / 4));
        Axis x = maxX / minX > 8 ? Axis.Log.around(minX, maxX, ch.plotLeft() + 10, ch.plotRight() - 10)
                : minX == maxX ? new Axis.Linear(minX * 0.5, minX * 1.5, ch.plotLeft(), ch.plotRight())
                : new Axis.Linear(Math.max(0, minX - 0.1 * (maxX - minX)), maxX + 0.1 * (maxX - minX), ch.plotLeft(), ch.plotRight());
        boolean logY = maxY / minY > 10;
        Axis y = logY ? Axis.Log.around(minY, maxY, ch.plotBottom(), ch.plotTop()) : Axis.Linear.fromZero(maxY * 1.05, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "arrival rate (requests/s, Poisson)" + (x instanceof Axis.Log ? ", log scale" : ""), y, yTitle + (logY ? ", log scale" : ""), false);
        if (offeredDiagonal) {
            List<double[]> diag = new ArrayList<>();
            for (int i = 0; i <= 40; i++) {
                double r = x instanceof Axis.Log ? minX * Math.pow(maxX / minX, i / 40.0) : minX + (maxX - minX) * i / 40.0;
                diag.add(new double[]{x.map(r), y.map(r)});
            }
            ch.polyline(diag, "#888888", true, "served = offered (every arrival completed as it came)");
        }
        for (String policy : policies) {
            String color = color(policy, policies);
            List<ServeRun> line = rated.stream().filter(r -> r.policy().equals(policy)).toList();
            for (Metric m : metrics) {
                List<double[]> pts = new ArrayList<>();
                for (ServeRun r : line) {
                    double v = m.value().applyAsDouble(r.results().summary());
                    if (logY && !(v > 0)) continue; // a zero has no place on a log axis
                    pts.add(new double[]{x.map(r.rate()), y.map(v)});
                }
                ch.polyline(pts, color, m.dashed(), policy + " " + m.name());
                int k = 0;
                for (ServeRun r : line) {
                    double v = m.value().applyAsDouble(r.results().summary());
                    if (logY && !(v > 0)) continue;
                    double[] p = pts.get(k++);
                    String tip = f("%s at %s req/s: %s %s%s (%s)", policy, ServeRun.rateLabel(r.rate()), m.name(), Html.num(v), unit, r.source().getFileName())
                            + (r.saturated() ? f(" SATURATED: first tokens at %.1f req/s of %.1f offered", r.admitted(), r.offered()) : "");
                    if (r.saturated()) ch.cross(p[0], p[1], color, tip);
                    else if (m.dashed()) ch.ring(p[0], p[1], color, tip);
                    else ch.point(p[0], p[1], color, false, tip);
                }
            }
            ch.legend(policy, color, false);
        }
        if (metrics.size() > 1) ch.legend(metrics.get(1).name(), "#555555", true);
        if (offeredDiagonal) ch.legend("offered rate", "#888888", true);
        if (rated.stream().anyMatch(ServeRun::saturated)) ch.legendCross("saturated", "#555555");
        return ch.render();
    }
}
