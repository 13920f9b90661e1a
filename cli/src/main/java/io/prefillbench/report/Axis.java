package io.prefillbench.report;

import java.util.ArrayList;
import java.util.List;

/** Maps data values to pixels along one chart axis and proposes labelled ticks. */
sealed interface Axis {
    double map(double v);

    List<Tick> ticks();

    record Tick(double value, String label) {
    }

    /** Linear axis over [lo, hi] onto pixels [p0, p1] (p1 may be less than p0 for y). */
    record Linear(double lo, double hi, double p0, double p1) implements Axis {
        /** Linear axis that starts at zero (or the data minimum if negative) and ends at a nice value above max. */
        static Linear fromZero(double max, double p0, double p1) {
            double hi = max > 0 ? niceStep(max / 5) * Math.ceil(max / niceStep(max / 5)) : 1;
            return new Linear(0, hi, p0, p1);
        }

        public double map(double v) {
            return p0 + (v - lo) / (hi - lo) * (p1 - p0);
        }

        public List<Tick> ticks() {
            double step = niceStep((hi - lo) / 5);
            List<Tick> t = new ArrayList<>();
            for (double v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
                t.add(new Tick(v, label(v, step)));
            return t;
        }
    }

    /** Base-10 log axis over [lo, hi] (both positive), padded out to 1-2-5 boundaries. */
    record Log(double lo, double hi, double p0, double p1) implements Axis {
        static Log around(double min, double max, double p0, double p1) {
            double lo = Math.pow(10, Math.floor(Math.log10(min) * 2) / 2); // half-decade padding
            double hi = Math.pow(10, Math.ceil(Math.log10(max) * 2) / 2);
            if (hi <= lo) hi = lo * 10;
            return new Log(lo, hi, p0, p1);
        }

        public double map(double v) {
            return p0 + (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * (p1 - p0);
        }

        public List<Tick> ticks() {
            double decades = Math.log10(hi / lo);
            int[] mult = decades <= 1.5 ? new int[]{1, 2, 3, 5, 7} : decades <= 3 ? new int[]{1, 2, 5} : new int[]{1};
            List<Tick> t = new ArrayList<>();
            for (int e = (int) Math.floor(Math.log10(lo)); e <= (int) Math.ceil(Math.log10(hi)); e++)
                for (int m : mult) {
                    double v = m * Math.pow(10, e);
                    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t.add(new Tick(v, label(v, v)));
                }
            return t;
        }
    }

    /** "Nines" axis for percentiles: x = -log10(1 - p), so 50, 90, 99, 99.9 are evenly spaced. */
    record Nines(double maxNines, double p0, double p1) implements Axis {
        public double map(double percentile) {
            double n = -Math.log10(Math.max(1 - percentile / 100, Math.pow(10, -maxNines)));
            return p0 + n / maxNines * (p1 - p0);
        }

        public List<Tick> ticks() {
            List<Tick> t = new ArrayList<>(List.of(new Tick(0, "p0"), new Tick(50, "p50"), new Tick(90, "p90")));
            if (maxNines >= 2) t.add(new Tick(99, "p99"));
            if (maxNines >= 3) t.add(new Tick(99.9, "p99.9"));
            if (maxNines >= 4) t.add(new Tick(99.99, "p99.99"));
            return t;
        }
    }

    /** Categories in equal bands; map() gives the band's left edge. */
    record Band(List<String> names, double p0, double p1) implements Axis {
        double bandwidth() {
            return (p1 - p0) / Math.max(1, names.size());
        }

        public double map(double index) {
            return p0 + index * bandwidth();
        }

        /** At most {@link #MAX_LABELS} labels: with many bands (64 capture sizes) every k-th, so they never run together. */
        public List<Tick> ticks() {
            int every = Math.max(1, (names.size() + MAX_LABELS - 1) / MAX_LABELS);
            List<Tick> t = new ArrayList<>();
            for (int i = 0; i < names.size(); i += every) t.add(new Tick(i + 0.5, names.get(i)));
            return t;
        }

        static final int MAX_LABELS = 16;
    }

    static double niceStep(double rough) {
        if (!(rough > 0)) return 1;
        double mag = Math.pow(10, Math.floor(Math.log10(rough)));
        double r = rough / mag;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
    }

    private static String label(double v, double step) {
        if (Math.abs(v) < 1e-12) return "0";
        if (Math.abs(v) >= 1e6) return Html.f("%.3g", v);
        String s = Html.f("%.6f", v); // then strip trailing zeros: 0.250000 -> 0.25, 20.000000 -> 20
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
