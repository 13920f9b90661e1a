package io.prefillbench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static io.prefillbench.report.Html.f;

/** What capturing more sizes costs: cumulative capture time and graph memory against the number of sizes. */
final class CaptureCostCharts {
    static final String TIME_TITLE = "Cumulative capture time vs number of sizes";
    static final String MEMORY_TITLE = "Cumulative graph memory vs number of sizes";

    /** One captured size. */
    record Cost(int size, double captureMs, double graphMiB) {
    }

    private CaptureCostCharts() {
    }

    /** Sizes taken smallest first (the order a ladder grows in); x = how many sizes are captured. */
    static String cumulative(List<Cost> costs, boolean memory) {
        List<Cost> cs = new ArrayList<>(costs);
        cs.sort(Comparator.comparingInt(Cost::size));
        double total = 0;
        List<Double> cum = new ArrayList<>();
        for (Cost c : cs) cum.add(total += memory ? c.graphMiB() : c.captureMs());
        SvgChart ch = new SvgChart(memory ? MEMORY_TITLE : TIME_TITLE, SweepCharts.W, SweepCharts.H);
        Axis x = Axis.Linear.fromZero(cs.size(), ch.plotLeft(), ch.plotRight());
        Axis y = Axis.Linear.fromZero(Math.max(total, 1e-9) * 1.05, ch.plotBottom(), ch.plotTop());
        ch.axes(x, "number of captured sizes (smallest first)", y, memory ? "graph memory, all sizes (MiB)" : "capture time, all sizes (ms)", false);
        String color = memory ? "#59a14f" : "#b07aa1";
        List<double[]> line = new ArrayList<>();
        line.add(new double[]{x.map(0), y.map(0)});
        for (int i = 0; i < cs.size(); i++) line.add(new double[]{x.map(i + 1), y.map(cum.get(i))});
        ch.polyline(line, color, false, f("%d sizes: %.1f %s in all", cs.size(), total, memory ? "MiB" : "ms"));
        for (int i = 0; i < cs.size(); i++) {
            Cost c = cs.get(i);
            ch.point(x.map(i + 1), y.map(cum.get(i)), color, false, f("%d sizes (up to %d tokens): %.2f %s; size %d alone %.2f ms, %.2f MiB",
                    i + 1, c.size(), cum.get(i), memory ? "MiB" : "ms", c.size(), c.captureMs(), c.graphMiB()));
        }
        ch.legend(f("%d sizes, %.1f %s in all", cs.size(), total, memory ? "MiB" : "ms"), color, false);
        return ch.render();
    }
}
