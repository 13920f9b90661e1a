package io.prefillbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prefillbench.BenchException;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.ServeResults;
import io.prefillbench.results.SyntheticServes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Serve files in the report: reading them, the rate-sweep charts with saturated runs crossed, a single run's table. */
class ServeReportTest {
    static final List<String> POLICIES = List.of("mixed", "prefill-first", "eager");

    @TempDir
    Path dir;

    /** The study's 15 runs (5 rates × 3 policies) and its two four-prompt trace runs, written to {@code dir}, read back. */
    static List<ReportInput> study(Path dir) {
        List<ReportInput> in = new ArrayList<>();
        for (Path f : SyntheticServes.writeStudy(dir, SyntheticServes.Costs.H100, SyntheticServes.STUDY_RATES)) in.add(ReportInput.read(f));
        for (String policy : List.of("mixed", "prefill-first")) {
            Path f = dir.resolve("four80-" + policy + ".json");
            ResultsIo.writeAtomically(f, SyntheticServes.fourPrompts(policy, SyntheticServes.Costs.H100));
            in.add(ReportInput.read(f));
        }
        return in;
    }

    /** The SVG of the chart with this title in a page. */
    static String chart(String html, String title) {
        int t = html.indexOf("<title>" + Html.esc(title) + "</title>");
        assertTrue(t >= 0, "no chart " + title);
        return html.substring(html.lastIndexOf("<svg ", t), html.indexOf("</svg>", t));
    }

    /** Polyline tooltip -> number of points, in drawing order. */
    static Map<String, Integer> polylines(String svg) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<polyline [^>]*points=\"([^\"]*)\"><title>([^<]*)</title>").matcher(svg);
        while (m.find()) assertEquals(null, out.put(m.group(2), m.group(1).trim().split(" ").length), "two lines named " + m.group(2));
        return out;
    }

    static List<String> crosses(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<path class=\"saturated\"[^>]*><title>([^<]*)</title>").matcher(html);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void readsASyntheticServeFile() {
        Path f = dir.resolve("serve.json");
        ServeResults written = SyntheticServes.serve("prefill-first", 20, SyntheticServes.Costs.H100, 3);
        ResultsIo.writeAtomically(f, written);
        ReportInput.Serve in = (ReportInput.Serve) ReportInput.read(f);
        assertEquals(f, in.source());
        assertEquals("prefill-first", in.serve().config().policy());
        assertEquals(20.0, in.serve().config().rate());
        assertEquals(160, in.serve().requests().size());
        assertEquals(written.summary(), in.serve().summary());
        assertTrue(in.serve().summary().ttftMs().p50() > 0 && in.serve().summary().graphShare() == 1.0, in.serve().summary().toString());
    }

    @Test
    void brokenServeFilesAreRefusedNamingTheFile() throws Exception {
        Path good = dir.resolve("serve.json");
        ResultsIo.writeAtomically(good, SyntheticServes.serve("mixed", 5, SyntheticServes.Costs.H100, 1));
        Map<String, java.util.function.Consumer<ObjectNode>> breaks = new LinkedHashMap<>();
        breaks.put("incomplete", t -> t.put("complete", false));
        breaks.put("lack", t -> t.remove("summary"));
        breaks.put("malformed", t -> t.with("summary").put("ttftMs", "fast"));
        breaks.put("config.rate", t -> t.with("config").put("rate", -5));
        for (var e : breaks.entrySet()) {
            ObjectNode tree = (ObjectNode) ResultsIo.readTree(good);
            e.getValue().accept(tree);
            Path bad = dir.resolve(e.getKey() + ".json");
            Files.writeString(bad, tree.toString());
            BenchException ex = assertThrows(BenchException.class, () -> ReportInput.read(bad), e.getKey());
            assertTrue(ex.getMessage().startsWith(bad + ": ") && ex.getMessage().contains(e.getKey()), ex.getMessage());
        }
    }

    @Test
    void sweepChartsDrawOneLinePerPolicyAcrossEveryRate() {
        String html = HtmlReport.renderAll(study(dir));
        assertEquals(1, HtmlReportTest.count(html, "id=\"" + ServeSections.SWEEP_ID + "\""), "one sweep section for the 15 runs");
        Map<String, List<String>> expected = Map.of(
                ServeCharts.TTFT_TITLE, List.of("TTFT p50", "TTFT p99"), ServeCharts.TPOT_TITLE, List.of("TPOT p50", "TPOT p99"),
                ServeCharts.REQUESTS_TITLE, List.of("req/s"), ServeCharts.TOKENS_TITLE, List.of("output tok/s"));
        for (var e : expected.entrySet()) {
            Map<String, Integer> lines = polylines(chart(html, e.getKey()));
            List<String> names = new ArrayList<>();
            for (String p : POLICIES) for (String metric : e.getValue()) names.add(p + " " + metric);
            if (e.getKey().equals(ServeCharts.REQUESTS_TITLE)) names.addFirst("served = offered (every arrival completed as it came)");
            assertEquals(names, List.copyOf(lines.keySet()), e.getKey());
            for (String n : names) if (!n.startsWith("served")) assertEquals(5, lines.get(n), n + ": one point per rate");
        }
        // TTFT spans prefill-first's batching wait (~0.3 s at 5 req/s) and mixed's ~2 ms: log; TPOT 1.0-1.4 ms: linear
        assertTrue(chart(html, ServeCharts.TTFT_TITLE).contains("time to first token (ms), log scale"));
        assertTrue(chart(html, ServeCharts.TPOT_TITLE).contains(">time per output token (ms)</text>"), "TPOT y axis linear");
        // graph share and padding waste: one row per rate, two columns per policy
        assertTrue(html.contains("<th>rate (req/s)</th><th>mixed graph share</th><th>mixed padding waste</th><th>prefill-first graph share</th>"), "share table");
        assertTrue(html.contains("<td class=\"name\">200</td>"), "row of rate 200");
        // the trace runs are not on the rate axis; each has its own section
        assertEquals(2, HtmlReportTest.count(html, "<span class=\"sub\">serve · "), "one section per trace run");
        assertTrue(html.contains("trace four-80.csv"), html);
    }

    /**
     * The study's own saturation: the fake GPU takes ~150-175 requests/s, so every policy falls behind at 200 and none
     * at 5 or 20. Then a queue planted into one light run: its crosses appear on every chart, and only there.
     */
    @Test
    void saturatedRunsAreCrossedWhereTheyArePlanted() {
        List<ReportInput> in = study(dir);
        List<ServeRun> runs = ServeSections.sweepRuns(in);
        assertEquals(15, runs.size());
        for (ServeRun r : runs) {
            if (r.rate() == 200) assertTrue(r.saturated(), r.source() + ": offered " + r.offered() + ", admitted " + r.admitted());
            if (r.rate() <= 20) assertFalse(r.saturated(), r.source() + ": offered " + r.offered() + ", admitted " + r.admitted());
        }
        assertTrue(crosses(HtmlReport.renderAll(in)).stream().anyMatch(t -> t.startsWith("mixed at 200 req/s: TTFT p50") && t.contains("SATURATED")));

        List<Path> light = SyntheticServes.writeStudy(dir.resolve("light"), SyntheticServes.Costs.H100, List.of(5.0, 20.0, 50.0));
        List<ReportInput> clean = light.stream().map(ReportInput::read).toList();
        assertEquals(List.of(), crosses(HtmlReport.renderAll(clean)), "nothing saturates at 5-50 req/s");

        Path planted = dir.resolve("light/serve-mixed-r20.json");
        ServeResults r = ((ReportInput.Serve) ReportInput.read(planted)).serve();
        ResultsIo.writeAtomically(planted, SyntheticServes.withGrowingQueue(r, 20)); // 160 requests: the last one 3.2 s late
        String html = HtmlReport.renderAll(light.stream().map(ReportInput::read).toList());
        List<String> crosses = crosses(html);
        assertEquals(6, crosses.size(), "TTFT p50, p99, TPOT p50, p99, req/s, tok/s: " + crosses);
        for (String c : crosses) assertTrue(c.startsWith("mixed at 20 req/s: ") && c.contains("(serve-mixed-r20.json) SATURATED"), c);
        assertTrue(html.contains("<tr><td class=\"name\">20</td><td>100.0% ✕</td>"), "share table marks it");
        assertEquals(1, HtmlReportTest.count(html, " ✕</td>"), "and nothing else");
        assertTrue(html.contains("1 of 9 runs saturated."), "the section says so");
    }

    @Test
    void aSingleServeFileGetsASummaryTable() {
        Path f = dir.resolve("serve-eager-r50.json");
        ResultsIo.writeAtomically(f, SyntheticServes.serve("eager", 50, SyntheticServes.Costs.H100, 1));
        String html = HtmlReport.renderAll(List.of(ReportInput.read(f)));
        assertEquals(0, HtmlReportTest.count(html, "<svg "), "no charts for one run");
        assertFalse(html.contains("id=\"" + ServeSections.SWEEP_ID + "\""));
        assertTrue(html.contains("<h2>serve-eager-r50.json <span class=\"sub\">serve · eager · Synthetic GPU · ernie-4.5-0.3b</span></h2>"), html);
        assertTrue(html.contains("<th>TTFT p50</th>") && html.contains("<td class=\"name\">serve-eager-r50.json</td><td class=\"txt\">eager</td><td>50</td><td>300</td>"), html);
        assertTrue(html.contains("Poisson, 50 req/s, prompt lengths 5.5,0.45, output lengths 64:256"), html);
        assertFalse(html.contains("per forward"), "the lead does not describe prefill latencies on a serve-only page");
    }

    @Test
    void serveFilesMixWithEveryOtherKind() throws Exception {
        List<ReportInput> in = new ArrayList<>(SweepReportTest.committed());
        int before = in.size();
        in.addAll(study(dir));
        in.addAll(SweepReportTest.sweepAndAdvice(dir));
        String html = HtmlReport.renderAll(in);
        String alone = HtmlReport.renderAll(SweepReportTest.committed());
        // every section of the committed results is still there, unchanged
        Matcher m = Pattern.compile("(?s)<section class=\"input\" id=\"input-(\\d+)\">.*?</section>").matcher(alone);
        int sections = 0;
        while (m.find()) {
            sections++;
            // a committed sweep legitimately gains the advised sizes' step function from the advice file added here
            if (m.group().contains("<span class=\"sub\">sweep")) continue;
            assertTrue(html.contains(m.group()), "section " + m.group(1) + " changed");
        }
        assertEquals(before, sections);
        assertEquals(1, HtmlReportTest.count(html, "id=\"" + ServeSections.SWEEP_ID + "\""));
        assertTrue(html.contains(RunComparison.TITLE), "runs still compared");
    }
}
