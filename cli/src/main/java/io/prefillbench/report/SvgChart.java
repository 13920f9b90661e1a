package io.prefillbench.report;

import java.util.ArrayList;
import java.util.List;

import static io.prefillbench.report.Html.esc;
import static io.prefillbench.report.Html.px;

/**
 * One inline SVG chart: a titled frame with axes, gridlines and a legend; callers add marks in data space through
 * the axes they set. Everything is static markup (no script), so the report renders anywhere, offline.
 */
final class SvgChart {
    static final String EAGER = "#d95f02";
    static final String GRAPH = "#1b6ca8";
    static final String ADVICE = "#2ca02c";
    static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
            "#ff9da7", "#9c755f", "#bab0ac"};

    /** @param cross a cross as the swatch instead of a line (the mark of {@link #cross}) */
    record LegendEntry(String name, String color, boolean dashed, boolean cross) {
    }

    private final String title;
    private final int width, height;
    private final double left = 72, right, top, bottom;
    private final StringBuilder grid = new StringBuilder(), marks = new StringBuilder();
    private final List<LegendEntry> legend = new ArrayList<>();

    /** @param bottomMargin room under the plot for x tick labels and the axis title */
    SvgChart(String title, int width, int height, int bottomMargin, int rightMargin) {
        this(title, width, height, bottomMargin, rightMargin, 54);
    }

    /** @param topMargin room above the plot for the title and the legend rows (16 px per extra row) */
    SvgChart(String title, int width, int height, int bottomMargin, int rightMargin, int topMargin) {
        this.top = topMargin;
        this.title = title;
        this.width = width;
        this.height = height;
        this.right = width - rightMargin;
        this.bottom = height - bottomMargin;
    }

    SvgChart(String title, int width, int height) {
        this(title, width, height, 56, 20);
    }

    double plotLeft() {
        return left;
    }

    double plotRight() {
        return right;
    }

    double plotTop() {
        return top;
    }

    double plotBottom() {
        return bottom;
    }

    /** Draws the frame, gridlines, ticks and axis titles. */
    void axes(Axis x, String xTitle, Axis y, String yTitle, boolean slantXLabels) {
        for (Axis.Tick t : y.ticks()) {
            double py = y.map(t.value());
            grid.append("<line class=\"grid\" x1=\"").append(px(left)).append("\" x2=\"").append(px(right))
                    .append("\" y1=\"").append(px(py)).append("\" y2=\"").append(px(py)).append("\"/>");
            grid.append("<text class=\"tick\" x=\"").append(px(left - 6)).append("\" y=\"").append(px(py + 4))
                    .append("\" text-anchor=\"end\">").append(esc(t.label())).append("</text>");
        }
        for (Axis.Tick t : x.ticks()) {
            double pxv = x instanceof Axis.Band b ? b.map(t.value() - 0.5) + b.bandwidth() / 2 : x.map(t.value());
            if (!(x instanceof Axis.Band))
                grid.append("<line class=\"grid\" x1=\"").append(px(pxv)).append("\" x2=\"").append(px(pxv))
                        .append("\" y1=\"").append(px(top)).append("\" y2=\"").append(px(bottom)).append("\"/>");
            if (slantXLabels)
                grid.append("<text class=\"tick\" text-anchor=\"end\" transform=\"translate(").append(px(pxv + 4)).append(',')
                        .append(px(bottom + 12)).append(") rotate(-30)\">").append(esc(t.label())).append("</text>");
            else
                grid.append("<text class=\"tick\" x=\"").append(px(pxv)).append("\" y=\"").append(px(bottom + 16))
                        .append("\" text-anchor=\"middle\">").append(esc(t.label())).append("</text>");
        }
        grid.append("<rect class=\"frame\" x=\"").append(px(left)).append("\" y=\"").append(px(top)).append("\" width=\"")
                .append(px(right - left)).append("\" height=\"").append(px(bottom - top)).append("\"/>");
        grid.append("<text class=\"axis-title\" x=\"").append(px((left + right) / 2)).append("\" y=\"").append(px(height - 8))
                .append("\" text-anchor=\"middle\">").append(esc(xTitle)).append("</text>");
        grid.append("<text class=\"axis-title\" text-anchor=\"middle\" transform=\"translate(16,").append(px((top + bottom) / 2))
                .append(") rotate(-90)\">").append(esc(yTitle)).append("</text>");
    }

    void polyline(List<double[]> points, String color, boolean dashed, String tooltip) {
        if (points.isEmpty()) return;
        marks.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\"")
                .append(dashed ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"");
        for (double[] p : points) marks.append(px(p[0])).append(',').append(px(p[1])).append(' ');
        marks.append("\">");
        if (tooltip != null) marks.append("<title>").append(esc(tooltip)).append("</title>");
        marks.append("</polyline>");
    }

    void point(double x, double y, String color, boolean square, String tooltip) {
        if (square)
            marks.append("<rect x=\"").append(px(x - 4)).append("\" y=\"").append(px(y - 4))
                    .append("\" width=\"8\" height=\"8\" fill=\"").append(color).append("\">");
        else
            marks.append("<circle cx=\"").append(px(x)).append("\" cy=\"").append(px(y)).append("\" r=\"4.5\" fill=\"")
                    .append(color).append("\">");
        marks.append("<title>").append(esc(tooltip)).append("</title>").append(square ? "</rect>" : "</circle>");
    }

    void bar(double x, double width, double yTop, double yBase, String color, String tooltip) {
        double y0 = Math.min(yTop, yBase), h = Math.abs(yBase - yTop);
        marks.append("<rect class=\"bar\" x=\"").append(px(x)).append("\" y=\"").append(px(y0)).append("\" width=\"")
                .append(px(width)).append("\" height=\"").append(px(h)).append("\" fill=\"").append(color).append("\">")
                .append("<title>").append(esc(tooltip)).append("</title></rect>");
    }

    /** Vertical whisker from y1 to y2 with caps. */
    void whisker(double x, double y1, double y2, String color) {
        if (!Double.isFinite(y1) || !Double.isFinite(y2)) return;
        marks.append("<path stroke=\"").append(color).append("\" stroke-width=\"1.5\" fill=\"none\" d=\"M").append(px(x))
                .append(',').append(px(y1)).append("V").append(px(y2)).append("M").append(px(x - 5)).append(',')
                .append(px(y1)).append("h10M").append(px(x - 5)).append(',').append(px(y2)).append("h10\"/>");
    }

    /** Horizontal reference line at pixel y, labelled. */
    void reference(double y, String label) {
        marks.append("<line class=\"ref\" x1=\"").append(px(left)).append("\" x2=\"").append(px(right)).append("\" y1=\"")
                .append(px(y)).append("\" y2=\"").append(px(y)).append("\"/>");
        marks.append("<text class=\"tick\" x=\"").append(px(right - 4)).append("\" y=\"").append(px(y - 4))
                .append("\" text-anchor=\"end\">").append(esc(label)).append("</text>");
    }

    /** An open circle (hollow marker). */
    void ring(double x, double y, String color, String tooltip) {
        marks.append("<circle cx=\"").append(px(x)).append("\" cy=\"").append(px(y)).append("\" r=\"4.5\" fill=\"#fff\" stroke=\"")
                .append(color).append("\" stroke-width=\"2\"><title>").append(esc(tooltip)).append("</title></circle>");
    }

    /** A cross (class {@code saturated}): a point that is not a steady state, e.g. a serve run that fell behind its arrivals. */
    void cross(double x, double y, String color, String tooltip) {
        marks.append("<path class=\"saturated\" stroke=\"").append(color).append("\" stroke-width=\"2.5\" fill=\"none\" d=\"M")
                .append(px(x - 5)).append(',').append(px(y - 5)).append("l10,10m0,-10l-10,10\"><title>").append(esc(tooltip))
                .append("</title></path>");
    }

    /** A short mark on the x axis at pixel x (e.g. a chosen capture size). */
    void tick(double x, String color, String tooltip) {
        marks.append("<line x1=\"").append(px(x)).append("\" x2=\"").append(px(x)).append("\" y1=\"").append(px(bottom))
                .append("\" y2=\"").append(px(bottom - 8)).append("\" stroke=\"").append(color).append("\" stroke-width=\"2\"><title>")
                .append(esc(tooltip)).append("</title></line>");
    }

    /** Vertical reference line at pixel x, labelled at the top. */
    void vreference(double x, String label) {
        marks.append("<line class=\"ref\" x1=\"").append(px(x)).append("\" x2=\"").append(px(x)).append("\" y1=\"")
                .append(px(top)).append("\" y2=\"").append(px(bottom)).append("\"/>");
        boolean rightHalf = x > (left + right) / 2;
        marks.append("<text class=\"tick\" x=\"").append(px(x + (rightHalf ? -4 : 4))).append("\" y=\"").append(px(top + 14))
                .append("\" text-anchor=\"").append(rightHalf ? "end" : "start").append("\">").append(esc(label)).append("</text>");
    }

    void legend(String name, String color, boolean dashed) {
        legend.add(new LegendEntry(name, color, dashed, false));
    }

    /** A legend entry for the crosses of {@link #cross}. */
    void legendCross(String name, String color) {
        legend.add(new LegendEntry(name, color, false, true));
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" role=\"img\">");
        sb.append("<title>").append(esc(title)).append("</title>");
        sb.append("<text class=\"chart-title\" x=\"").append(px(left)).append("\" y=\"22\">").append(esc(title)).append("</text>");
        sb.append(grid).append(marks);
        // legend: a row between title and plot, left-aligned
        double x = left, y = 40;
        for (LegendEntry e : legend) {
            double w = 34 + 6.6 * e.name().length();
            if (x > left && x + w > right) { // wrap rather than run off the chart
                x = left;
                y += 16;
            }
            if (e.cross())
                sb.append("<path stroke=\"").append(e.color()).append("\" stroke-width=\"2.5\" fill=\"none\" d=\"M").append(px(x + 4)).append(',')
                        .append(px(y - 5)).append("l10,10m0,-10l-10,10\"/>");
            else
                sb.append("<line x1=\"").append(px(x)).append("\" x2=\"").append(px(x + 18)).append("\" y1=\"").append(px(y)).append("\" y2=\"")
                        .append(px(y)).append("\" stroke=\"").append(e.color()).append("\" stroke-width=\"3\"").append(e.dashed() ? " stroke-dasharray=\"5 3\"" : "")
                        .append("/>");
            sb.append("<text class=\"legend\" x=\"").append(px(x + 22)).append("\" y=\"").append(px(y + 4)).append("\">").append(esc(e.name()))
                    .append("</text>");
            x += w;
        }
        return sb.append("</svg>").toString();
    }
}
