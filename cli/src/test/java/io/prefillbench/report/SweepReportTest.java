package io.prefillbench.report;

import io.prefillbench.BenchException;
import io.prefillbench.advise.Advice;
import io.prefillbench.advise.Advisor;
import io.prefillbench.advise.Budgets;
import io.prefillbench.advise.CurveReader;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.SweepPoint;
import io.prefillbench.results.SweepResults;
import io.prefillbench.results.SweepTiming;
import io.prefillbench.results.SyntheticSweeps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Report over sweeps, advice, the committed results directory (PyTorch baseline and JMH sidecar included). */
class SweepReportTest {
    static final Path COMMITTED = Path.of("../results");

    @TempDir
    Path dir;

    /** A 64-point sweep in which graphs stop paying from 400 tokens, and advice computed from it; both written to files. */
    static List<ReportInput> sweepAndAdvice(Path dir) {
        SweepResults s = SyntheticSweeps.sweep(5, 8, 512, 8);
        List<SweepPoint> pts = new ArrayList<>();
        for (SweepPoint p : s.sweep()) {
            if (p.tokens() < 400) pts.add(p);
            else { // plant: the graph 3% slower than eager from 400 tokens on
                SweepTiming g = new SweepTiming(p.eager().hostP50Ms() * 1.03, p.graph().hostP99Ms(), p.graph().hostMeanMs(),
                        p.graph().gpuP50Ms(), p.graph().gpuP99Ms(), p.graph().gpuMeanMs(), p.graph().samples());
                pts.add(new SweepPoint(p.tokens(), 1, p.captureMs(), p.graphBytes(), p.graphMiB(), p.graphNodes(), p.eager(), g, 1 / 1.03));
            }
        }
        s = new SweepResults(s.schema(), true, s.meta(), s.devices(), s.config(), pts, s.throttling());
        Path sweep = dir.resolve("sweep.json"), advice = dir.resolve("advice.json");
        ResultsIo.writeAtomically(sweep, s);
        int[] requests = IntStream.range(0, 2000).map(i -> 8 + (i * 131) % 380).toArray(); // below where graphs stop paying
        Advice a = new Advisor(CurveReader.fromSweep(sweep, s), PaddingGuard.DEFAULT).advise(sweep.toString(), requests, "synthetic",
                new Budgets(8, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY), new int[]{16, 64, 512});
        ResultsIo.writeAtomically(advice, a);
        return List.of(ReportInput.read(sweep), ReportInput.read(advice));
    }

    static List<ReportInput> committed() throws Exception {
        try (Stream<Path> files = Files.list(COMMITTED)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().map(ReportInput::read).toList();
        }
    }

    @Test
    void sweepSectionHasEveryChartTheStepFunctionAndWhereGraphsStopPaying() {
        List<ReportInput> in = sweepAndAdvice(dir);
        SweepResults s = ((ReportInput.Sweep) in.get(0)).sweep();
        assertEquals(400, SweepCharts.graphsStopPaying(s).orElseThrow());
        String html = HtmlReport.renderAll(in);
        for (String t : List.of(SweepCharts.LATENCY_TITLE, SweepCharts.SPEEDUP_TITLE, CaptureCostCharts.TIME_TITLE, CaptureCostCharts.MEMORY_TITLE))
            assertTrue(html.contains("<title>" + Html.esc(t) + "</title>"), t);
        assertTrue(html.contains("graphs stop paying at 400"), "stop marker");
        assertTrue(html.contains("advised sizes ("), "step function legend");
        Advice a = ((ReportInput.AdviceFile) in.get(1)).advice();
        for (int size : a.sizes()) assertTrue(html.contains("advised size " + size + "<"), "tick of advised size " + size);
        assertTrue(html.contains("GPU p50 (CUDA events)"), "GPU time drawn");
        assertTrue(html.contains("| 512 | ") || html.contains("<td class=\"name\">512</td>"), "every point in the table");
        // without advice there is no step function
        assertFalse(HtmlReport.renderAll(List.of(in.get(0))).contains("advised sizes ("));
    }

    @Test
    void sixtyFourBandsGetThinnedTickLabels() {
        Axis.Band b = new Axis.Band(IntStream.rangeClosed(1, 64).mapToObj(i -> String.valueOf(8 * i)).toList(), 0, 500);
        assertTrue(b.ticks().size() <= Axis.Band.MAX_LABELS, "labels: " + b.ticks().size());
        assertEquals("8", b.ticks().getFirst().label());
        assertEquals(13, new Axis.Band(IntStream.range(0, 13).mapToObj(String::valueOf).toList(), 0, 500).ticks().size());
    }

    @Test
    void reportOverTheCommittedResultsDirectoryWorks() throws Exception {
        List<ReportInput> in = committed();
        assertTrue(in.stream().anyMatch(i -> i instanceof ReportInput.Torch), "PyTorch baseline accepted");
        assertTrue(in.stream().anyMatch(i -> i instanceof ReportInput.JmhMeta), "JMH .meta.json sidecar accepted");
        String html = HtmlReport.renderAll(in);
        assertTrue(html.contains("<title>" + Html.esc(RunComparison.TITLE) + "</title>"), "runs compared on one chart");
        assertTrue(html.contains("PyTorch compile-cudagraphs"), "PyTorch series on the comparison chart");
        assertTrue(html.contains("(--no-pdl)") || html.contains("nopdl"), "PDL off run labelled");
        assertTrue(html.contains("<title>" + Html.esc(HdrPercentiles.TITLE) + "</title>"), "percentiles from the .hlog files");
        assertTrue(html.contains("p99.99"), "HdrHistogram axis to p99.99");
        assertTrue(html.contains("<title>" + Html.esc(TimingCharts.HOST_GPU_TITLE) + "</title>"));
        assertTrue(html.contains("<title>" + Html.esc(CaptureCostCharts.TIME_TITLE) + "</title>"), "capture64 file: cumulative capture cost");
    }

    @Test
    void unknownSchemasAndBrokenFilesStillExit2() throws Exception {
        Path torch = dir.resolve("torch.json");
        Files.writeString(torch, "{\"schema\":\"prefillbench/torch-baseline/v1\",\"complete\":true,\"results\":[{\"tokens\":0}]}");
        BenchException e = assertThrows(BenchException.class, () -> ReportInput.read(torch));
        assertTrue(e.getMessage().contains("results[0].tokens is not a positive integer"), e.getMessage());
        Path meta = dir.resolve("x.meta.json");
        Files.writeString(meta, "{\"schema\":\"prefillbench/jmh-meta/v1\"}");
        assertTrue(assertThrows(BenchException.class, () -> ReportInput.read(meta)).getMessage().contains("lacks \"meta\""));
    }
}
