package io.prefillbench.report;

import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ours against PyTorch over committed files of one lease (s31 call 1) and one of another lease (s30 call 1). */
class TorchRatiosTest {
    static final Path R = SweepReportTest.COMMITTED;
    static final String OURS = "prefill-ernie-4.5-0.3b-h200-20261201-073646-b.json";

    @TempDir
    Path dir;

    static ReportInput read(String name) {
        return ReportInput.read(R.resolve(name));
    }

    @Test
    void everyWorkloadAgainstBothPyTorchRunsOfItsLease() {
        List<ReportInput> in = List.of(read(OURS), read("torch-ernie-4.5-0.3b-h200-20261201-073646.json"),
                read("torch-ernie-4.5-0.3b-h200-20261201-073646-r2.json"), read("torch-llama-3.2-1b-h200-20261201-073646.json"));
        List<TorchRatios.Row> rows = TorchRatios.rows(in);
        // short, long, 4x80 and 8x16 each against the two ERNIE runs; the Llama baseline is another model
        assertEquals(List.of("short", "long", "batch-4x80", "batch-8x16"), rows.stream().map(TorchRatios.Row::workload).toList());
        TorchRatios.Row s = rows.getFirst();
        assertEquals("compile-cudagraphs", s.mode());
        assertEquals(0.4134, s.oursMs(), 5e-4);
        assertEquals(List.of(0.855682, 0.87172), s.torchMs());
        assertEquals(0.474, s.ratioLow(), 1e-3);
        assertEquals(0.483, s.ratioHigh(), 1e-3);
        assertEquals(2.75, s.oursMs() / s.floorMs(), 0.01);
        // the batches match on sequence lengths, not on token counts: 4x80 is PyTorch's 320-token batch
        TorchRatios.Row b = rows.get(2);
        assertEquals(List.of(1.066456, 1.256124), b.torchMs());
        String md = TorchRatios.markdown(in);
        assertTrue(md.contains("| short | 0.413 | compile-cudagraphs | 0.856 / 0.872 | 0.47–0.48 | 2.75 |"), md);
        String html = HtmlReport.renderAll(in);
        assertTrue(html.contains(Html.esc(TorchRatios.TITLE)) && html.contains("0.47–0.48"), "the section in the report");
    }

    @Test
    void aBaselineOfAnotherLeaseIsNotCompared() {
        // 055343's PyTorch ran about 1 h 40 min before 073646's run B: no ratio, no section
        List<ReportInput> in = List.of(read(OURS), read("torch-ernie-4.5-0.3b-h200-20261201-055343.json"));
        assertEquals(List.of(), TorchRatios.rows(in));
        assertEquals("", TorchRatios.markdown(in));
        assertTrue(!HtmlReport.renderAll(in).contains(Html.esc(TorchRatios.TITLE)));
        assertTrue(TorchRatios.sameLease("2026-12-01T07:37:16.706133059Z", "2026-12-01T07:40:46.045588+00:00"));
        assertTrue(!TorchRatios.sameLease("2026-12-01T07:37:16Z", "2026-12-01T08:07:17Z"));
        assertTrue(!TorchRatios.sameLease("2026-12-01T07:37:16Z", "yesterday"));
    }

    @Test
    void aBatchThatDoesNotMultiplyToItsTokensIsRefused() throws Exception {
        Path torch = dir.resolve("torch.json");
        Files.writeString(torch, "{\"schema\":\"prefillbench/torch-baseline/v1\",\"complete\":true,\"results\":[{\"tokens\":320,\"batch\":\"4x81\","
                + "\"compile-cudagraphs\":{\"p50\":1000000}}]}");
        BenchException e = assertThrows(BenchException.class, () -> ReportInput.read(torch));
        assertTrue(e.getMessage().contains("4x81"), e.getMessage());
        Files.writeString(torch, "{\"schema\":\"prefillbench/torch-baseline/v1\",\"complete\":true,\"results\":[{\"tokens\":320,\"batch\":\"4x80\","
                + "\"compile-cudagraphs\":{\"p50\":1000000}}]}");
        assertEquals(List.of(80, 80, 80, 80), ((ReportInput.Torch) ReportInput.read(torch)).torch().points().getFirst().seqLens());
    }
}
