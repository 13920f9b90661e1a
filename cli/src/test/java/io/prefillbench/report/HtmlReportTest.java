package io.prefillbench.report;

import io.prefillbench.results.BenchInput;
import io.prefillbench.results.Results;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.Workload;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlReportTest {
    static final Path RESULTS = Path.of("src/test/resources/fixtures/results-fixture.json");
    static final Path JMH = Path.of("src/test/resources/fixtures/jmh-fixture.json");
    static final List<String> CHART_TITLES = List.of("Latency vs tokens (p50, whiskers to p90)",
            "Graph speedup per workload (p50 ratio, 95% CI)", "Latency percentiles per workload (solid graph, dashed eager)",
            "Capture time per captured size (ms)", "Graph memory per captured size (MiB)", "JMH scores, eager vs graph (ms/op)",
            TimingCharts.HOST_GPU_TITLE);

    static String renderFixtures() {
        return HtmlReport.render(List.of(BenchInput.read(RESULTS), BenchInput.read(JMH)));
    }

    @Test
    void fixtureReportHasEveryChartTableAndHeaderField() {
        String html = renderFixtures();
        assertEquals(7, count(html, "<svg "), "6 prefill charts (host vs GPU added) + 1 JMH chart");
        for (String t : CHART_TITLES) assertTrue(html.contains("<title>" + Html.esc(t) + "</title>"), t);
        Results r = ResultsIo.read(RESULTS);
        for (Workload w : r.workloads()) assertTrue(html.contains("<td class=\"name\">" + Html.esc(w.name())), w.name());
        for (String field : List.of("FIXTURE", "580.159.04", "0123456789abcdef0123456789abcdef01234567",
                "prefill --model ernie-4.5-0.3b --sizes 16,64,512", "2026-11-24T23:00:00Z", "cuBLAS 13.1.0",
                // a file written before these conditions existed: what the gate reads for them
                "<th>run conditions</th><td>warm-up 0 ms, prime 0 ms, first tokens sync: cudaStreamSynchronize"))
            assertTrue(html.contains(field), field);
        // the summary cell of "short" shows the same speedup the file records
        Workload shortW = r.workloads().getFirst();
        assertTrue(html.contains(Html.f("%.2f× [%.2f, %.2f]", shortW.speedup().p50Ratio(), shortW.speedup().ci95Low(),
                shortW.speedup().ci95High())));
    }

    /** A file whose graph samples ran 30 % slower for the first 40 % of a loop is flagged; the steady fixture is not. */
    @Test
    void samplesThatMoveWithinATimedLoopAreFlagged() {
        assertFalse(renderFixtures().contains("moved within the timed loop"));
        Results drifting = io.prefillbench.results.SampleDriftTest.withDriftingGraph(io.prefillbench.results.SyntheticRuns.run(2, 300, 1.0));
        String html = HtmlReport.render(List.of(new BenchInput.Prefill(Path.of("drifting.json"), drifting)));
        assertTrue(html.contains("<p class=\"warn\">Host samples moved within the timed loop"), html);
        assertTrue(html.contains(drifting.workloads().get(0).name() + " graph: 0.46"), html);
    }

    @Test
    void reportIsSelfContained() {
        String html = renderFixtures();
        assertFalse(html.contains("<script"), "no script");
        for (String ref : List.of(" src=", " href=", "url(", "@import", "<link"))
            assertFalse(html.contains(ref), "external reference: " + ref);
        // the only URL is the SVG namespace, which is an identifier, not a fetch
        Matcher m = Pattern.compile("https?://[^\"\\s<]*").matcher(html);
        while (m.find()) assertEquals("http://www.w3.org/2000/svg", m.group());
    }

    @Test
    void inputTextIsEscapedEverywhere() {
        Results r = ResultsIo.read(RESULTS);
        String evil = "<img src=x onerror=alert(1)>\"'&";
        List<Workload> ws = new ArrayList<>();
        for (Workload w : r.workloads())
            ws.add(new Workload(evil, w.seqLens(), w.tokens(), w.paddedSize(), w.fallback(), w.launchesPerForward(),
                    w.eager(), w.graph(), w.speedup(), w.histogramLogs()));
        Results bad = new Results(r.schema(), r.complete(), r.meta(), r.devices(), r.config(), r.captures(), ws, r.throttling());
        String html = HtmlReport.render(List.of(new BenchInput.Prefill(Path.of("a<b>.json"), bad)));
        assertFalse(html.contains("<img"), "raw markup from input leaked");
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"));
        assertTrue(html.contains("a&lt;b&gt;.json"));
    }

    @Test
    void axisTicksAreNiceNumbers() {
        Axis.Linear y = Axis.Linear.fromZero(3.7, 300, 0);
        assertEquals(4.0, y.hi(), 1e-12);
        assertEquals(List.of("0", "1", "2", "3", "4"), y.ticks().stream().map(Axis.Tick::label).toList());
        assertEquals(List.of("0", "0.2", "0.4", "0.6", "0.8", "1"),
                new Axis.Linear(0, 1, 0, 1).ticks().stream().map(Axis.Tick::label).toList());
        Axis.Log x = Axis.Log.around(10, 960, 0, 100);
        assertEquals(List.of("10", "20", "50", "100", "200", "500", "1000"), x.ticks().stream().map(Axis.Tick::label).toList());
        assertEquals(0, x.map(10), 1e-9);
        Axis.Nines p = new Axis.Nines(2, 0, 200);
        assertEquals(100, p.map(90), 1e-9);
        assertEquals(200, p.map(99), 1e-9);
    }

    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }
}
