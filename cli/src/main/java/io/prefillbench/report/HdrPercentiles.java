package io.prefillbench.report;

import io.prefillbench.results.Workload;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.prefillbench.report.Html.f;

/** Percentile curves from the HdrHistogram interval logs beside a results file, on HdrHistogram's 1/(1-p) log axis. */
final class HdrPercentiles {
    static final String TITLE = "Percentiles from the HdrHistogram logs (dashed eager)";

    private HdrPercentiles() {
    }

    /** All intervals of one log merged; null when the file is not there or unreadable. */
    static Histogram read(Path file) {
        if (file == null || !Files.isRegularFile(file)) return null;
        try {
            HistogramLogReader r = new HistogramLogReader(file.toFile());
            Histogram all = null;
            for (EncodableHistogram h; (h = r.nextIntervalHistogram()) != null; ) {
                if (!(h instanceof Histogram hh)) continue;
                if (all == null) all = new Histogram(hh.getNumberOfSignificantValueDigits());
                all.add(hh);
            }
            return all == null || all.getTotalCount() == 0 ? null : all;
        } catch (FileNotFoundException | RuntimeException e) {
            return null;
        }
    }

    /** Logs of each workload (eager, graph), or null when any is missing: the caller then plots the raw samples. */
    static List<Histogram[]> logs(Path resultsFile, List<Workload> ws) {
        Path dir = resultsFile.toAbsolutePath().getParent();
        List<Histogram[]> out = new ArrayList<>();
        for (Workload w : ws) {
            if (w.histogramLogs() == null || w.histogramLogs().eager() == null || w.histogramLogs().graph() == null) return null;
            Histogram e = read(dir.resolve(w.histogramLogs().eager())), g = read(dir.resolve(w.histogramLogs().graph()));
            if (e == null || g == null) return null;
            out.add(new Histogram[]{e, g});
        }
        return out;
    }

    static String chart(List<Workload> ws, List<Histogram[]> logs) {
        double minY = Double.MAX_VALUE, maxY = 0;
        long maxN = 0;
        for (Histogram[] pair : logs)
            for (Histogram h : pair) {
                minY = Math.min(minY, h.getMinValue() / 1e6);
                maxY = Math.max(maxY, h.getMaxValue() / 1e6);
                maxN = Math.max(maxN, h.getTotalCount());
            }
        double nines = 4; // p99.99, as HdrHistogram's own plots; with fewer samples the top is the maximum
        SvgChart ch = new SvgChart(TITLE, HtmlReport.W, HtmlReport.H);
        Axis x = new Axis.Nines(nines, ch.plotLeft(), ch.plotRight());
        Axis y = maxY / minY > 20 ? Axis.Log.around(minY, maxY, ch.plotBottom(), ch.plotTop())
                : Axis.Linear.fromZero(maxY * 1.05, ch.plotBottom(), ch.plotTop());
        ch.axes(x, f("percentile (1/(1-p) log scale; %d samples per curve at most)", maxN), y, "host latency per forward (ms)", false);
        for (int i = 0; i < ws.size(); i++) {
            String color = SvgChart.PALETTE[i % SvgChart.PALETTE.length];
            for (int mode = 0; mode < 2; mode++) {
                Histogram h = logs.get(i)[mode];
                List<double[]> pts = new ArrayList<>();
                for (double n = 0; n <= nines + 1e-9; n += 0.05) {
                    double pct = 100 * (1 - Math.pow(10, -n));
                    pts.add(new double[]{x.map(pct), y.map(h.getValueAtPercentile(pct) / 1e6)});
                }
                ch.polyline(pts, color, mode == 0, f("%s %s: p50 %.3f, p99 %.3f, p99.99 %.3f ms (%d samples)", ws.get(i).name(),
                        mode == 0 ? "eager" : "graph", h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
                        h.getValueAtPercentile(99.99) / 1e6, h.getTotalCount()));
            }
            ch.legend(ws.get(i).name(), color, false);
        }
        ch.legend("eager", "#555555", true);
        return ch.render();
    }
}
