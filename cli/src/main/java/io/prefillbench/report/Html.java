package io.prefillbench.report;

import java.util.Locale;

/** Escaping and number formatting shared by the HTML and SVG writers. */
final class Html {
    private Html() {
    }

    /** Escapes text for element content and double- or single-quoted attributes. */
    static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }

    /** Pixel coordinate, short. */
    static String px(double v) {
        return f("%.1f", v);
    }

    /** A value for tables: 3 significant digits, plain notation. */
    static String num(double v) {
        if (!Double.isFinite(v)) return "–";
        double a = Math.abs(v);
        if (a >= 100) return f("%.1f", v);
        if (a >= 10) return f("%.2f", v);
        if (a >= 1) return f("%.3f", v);
        return f("%.4f", v);
    }
}
