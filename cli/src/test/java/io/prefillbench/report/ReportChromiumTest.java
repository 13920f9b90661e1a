package io.prefillbench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens the fixture report in real headless Chromium: the DOM it builds must hold the charts and the table, and a
 * screenshot must come out. Skips where Chromium is absent; .ci/run installs it with scripts/install-chromium.sh.
 */
class ReportChromiumTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path dir;

    @Test
    void chromiumRendersTheReport() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "no /usr/bin/chromium: run scripts/install-chromium.sh to test the report in a real browser");
        Path html = dir.resolve("report.html");
        Files.writeString(html, HtmlReportTest.renderFixtures());

        String dom = chromium(List.of("--dump-dom", html.toUri().toString()), dir.resolve("dom.txt"));
        assertEquals(7, HtmlReportTest.count(dom, "<svg "), "parsed DOM holds all charts");
        for (String t : HtmlReportTest.CHART_TITLES) assertTrue(dom.contains("<title>" + Html.esc(t) + "</title>"), t);
        assertTrue(dom.contains("<table class=\"summary\">"), "summary table");
        assertEquals(5 + 3, HtmlReportTest.count(dom, "<td class=\"name\">"), "5 workload rows + 3 JMH rows");
        assertTrue(dom.contains("<polyline"), "percentile curves drawn");

        Path png = dir.resolve("report.png");
        chromium(List.of("--screenshot=" + png, "--window-size=1280,2000", html.toUri().toString()), dir.resolve("shot.txt"));
        assertTrue(Files.exists(png), "screenshot written");
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, java.util.Arrays.copyOf(bytes, 8));
        // a blank 1280x2000 page compresses to a few KB; charts, text and tables make it far larger
        assertTrue(bytes.length > 50_000, "screenshot suspiciously small: " + bytes.length + " bytes");
        String keep = System.getProperty("report.screenshot");
        if (keep != null) Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The whole page over the committed results plus a sweep and its advice in Chromium, and one screenshot per chart
     * kind (each chart alone on a page) kept under target/report-shots for a person to look at.
     */
    @Test
    void chromiumRendersEveryChartKind() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "no /usr/bin/chromium: run scripts/install-chromium.sh to test the report in a real browser");
        List<ReportInput> inputs = new ArrayList<>(SweepReportTest.committed());
        inputs.addAll(SweepReportTest.sweepAndAdvice(dir));
        inputs.addAll(ServeReportTest.study(dir));
        String page = HtmlReport.renderAll(inputs);
        Path html = dir.resolve("all.html");
        Files.writeString(html, page);
        String dom = chromium(List.of("--dump-dom", html.toUri().toString()), dir.resolve("all-dom.txt"));
        assertEquals(HtmlReportTest.count(page, "<svg "), HtmlReportTest.count(dom, "<svg "), "Chromium parsed every chart");
        Path shots = Path.of("target", "report-shots");
        Files.createDirectories(shots);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<svg .*?</svg>", java.util.regex.Pattern.DOTALL).matcher(page);
        java.util.Set<String> kinds = new java.util.LinkedHashSet<>();
        while (m.find()) {
            String svg = m.group();
            String title = svg.replaceFirst("(?s)^.*?<title>(.*?)</title>.*$", "$1");
            String kind = title.replaceAll("\\(.*", "").replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-+$", "");
            if (!kinds.add(kind)) continue; // one screenshot per chart kind
            Path one = dir.resolve(kind + ".html");
            String style = page.substring(page.indexOf("<style>"), page.indexOf("</style>") + 8); // the report's own CSS
            Files.writeString(one, "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + style + "</head><body style=\"margin:4px\">" + svg + "</body></html>");
            Path png = shots.resolve(kind + ".png");
            chromium(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=1220,500", one.toUri().toString()), dir.resolve(kind + ".txt"));
            byte[] bytes = Files.readAllBytes(png);
            assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, java.util.Arrays.copyOf(bytes, 8), kind);
            assertTrue(bytes.length > 8_000, kind + " screenshot suspiciously small: " + bytes.length + " bytes");
        }
        assertTrue(kinds.size() >= 16, "chart kinds (4 of them serve charts): " + kinds);
        for (String serve : List.of(ServeCharts.TTFT_TITLE, ServeCharts.TPOT_TITLE, ServeCharts.REQUESTS_TITLE, ServeCharts.TOKENS_TITLE))
            assertTrue(kinds.contains(serve.replaceAll("\\(.*", "").replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-+$", "")), serve + " shot");
    }

    /**
     * Every kind of input on one page, serve runs included, in Chromium with its console logged: the page must log
     * nothing (no script error, nothing the browser complains about) and hold every chart and saturation cross. The
     * same page with a planted console error must be caught, so the check itself is known to work.
     */
    @Test
    void chromiumRendersServeRunsWithoutConsoleErrors() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "no /usr/bin/chromium: run scripts/install-chromium.sh to test the report in a real browser");
        List<ReportInput> inputs = new ArrayList<>(SweepReportTest.committed());
        inputs.addAll(ServeReportTest.study(dir));
        String page = HtmlReport.renderAll(inputs);
        assertTrue(page.contains("class=\"saturated\""), "the study has saturated runs");

        Path planted = dir.resolve("planted.html");
        Files.writeString(planted, page.replace("</body>", "<script>console.error('planted report error')</script></body>"));
        chromium(List.of("--enable-logging=stderr", "--v=0", "--dump-dom", planted.toUri().toString()), dir.resolve("planted.txt"));
        assertTrue(consoleLines(dir.resolve("planted.txt.err")).stream().anyMatch(l -> l.contains("planted report error")),
                "the console check does not see a planted error: " + consoleLines(dir.resolve("planted.txt.err")));

        Path html = dir.resolve("serve.html");
        Files.writeString(html, page);
        String dom = chromium(List.of("--enable-logging=stderr", "--v=0", "--dump-dom", html.toUri().toString()), dir.resolve("serve.txt"));
        assertEquals(List.of(), consoleLines(dir.resolve("serve.txt.err")), "console messages");
        assertEquals(HtmlReportTest.count(page, "<svg "), HtmlReportTest.count(dom, "<svg "), "Chromium parsed every chart");
        assertEquals(HtmlReportTest.count(page, "class=\"saturated\""), HtmlReportTest.count(dom, "class=\"saturated\""), "every cross");
        for (String t : List.of(ServeCharts.TTFT_TITLE, ServeCharts.TPOT_TITLE, ServeCharts.REQUESTS_TITLE, ServeCharts.TOKENS_TITLE))
            assertTrue(dom.contains("<title>" + Html.esc(t) + "</title>"), t);
    }

    /** Chromium's console messages in its stderr log ({@code --enable-logging=stderr}): lines tagged CONSOLE. */
    private static List<String> consoleLines(Path stderr) throws IOException {
        return Files.readAllLines(stderr).stream().filter(l -> l.contains(":CONSOLE")).toList();
    }

    /** Runs headless Chromium with an isolated profile and no network chatter; returns its stdout. */
    private String chromium(List<String> args, Path stdout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + dir.resolve("profile")));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
                .redirectError(dir.resolve(stdout.getFileName() + ".err").toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + cmd);
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(dir.resolve(stdout.getFileName() + ".err")));
        return Files.readString(stdout);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no stderr)";
        }
    }
}
