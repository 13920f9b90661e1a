package io.prefillbench.cli;

import io.prefillbench.cuda.CublasLtMatmul;
import io.prefillbench.cuda.CublasLtTuning;
import io.prefillbench.forward.ImplChoices;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tune-gemm's row selection and pinning (no GPU): which rows it tunes, which algorithm each row ends up with. */
class TuneGemmCommandTest {
    static final CublasLtMatmul.Algo FIRST = CublasLtMatmul.Algo.parse("id=66 tile=20 stages=35 splitK=1 reduction=0 swizzle=0 custom=0 inner=0 cluster=0");
    static final CublasLtMatmul.Algo OTHER = CublasLtMatmul.Algo.parse("id=66 tile=24 stages=31 splitK=1 reduction=0 swizzle=1 custom=0 inner=0 cluster=0");

    static ImplChoices.GemmRow row(int n, int m, int arch, String impl) {
        return new ImplChoices.GemmRow(n, 1024, m, arch, impl, 0, "src " + n + "@" + m);
    }

    static TuneGemmCommand.Pick pick(ImplChoices.GemmRow r, double currentUs, CublasLtMatmul.Algo best, double bestUs) {
        return new TuneGemmCommand.Pick(r, new CublasLtTuning.Timing(FIRST, currentUs, null), new CublasLtTuning.Timing(best, bestUs, null));
    }

    @Test
    void tunesTheLibraryRowsOfThisArchAndSizesOnly() {
        ImplChoices c = new ImplChoices(new ImplChoices.Provenance("c", "d", "s", "n"),
                List.of(row(1280, 512, 90, "cublaslt_gemm"), row(1280, 512, 80, "cublaslt_gemm"), row(1024, 128, 0, "cublaslt_gemm"),
                        row(6144, 512, 90, "gemm_bf16_large")), List.of(), List.of());
        assertEquals(List.of(c.gemm().get(0), c.gemm().get(2)), TuneGemmCommand.tunable(c, 90, null));
        assertEquals(List.of(c.gemm().get(0)), TuneGemmCommand.tunable(c, 90, List.of(512)));
        assertEquals(List.of(c.gemm().get(1), c.gemm().get(2)), TuneGemmCommand.tunable(c, 80, null));
    }

    @Test
    void pinsTheFastestWhereItWinsByTheMinimumGainAndKeepsTheRest() {
        ImplChoices.GemmRow a = row(1280, 512, 90, "cublaslt_gemm"), b = row(1024, 512, 90, "cublaslt_gemm"),
                c = row(6144, 512, 90, "cublaslt_gemm"), other = row(3072, 512, 90, "gemm_bf16_large");
        Map<ImplChoices.GemmRow, TuneGemmCommand.Pick> picks = new LinkedHashMap<>();
        picks.put(a, pick(a, 10.0, OTHER, 9.0));     // 10% faster: pinned
        picks.put(b, pick(b, 10.0, OTHER, 9.75));    // 2.5%: below 3%, kept
        picks.put(c, pick(c, 10.0, FIRST, 10.0));    // the current one is the fastest: kept
        List<ImplChoices.GemmRow> out = TuneGemmCommand.pin(List.of(a, other, b, c), picks, 0.03, "GPU X");
        assertEquals(4, out.size());
        assertEquals(OTHER.describe(), out.get(0).algo());
        assertTrue(out.get(0).source().startsWith("src 1280@512; algo: tune-gemm on GPU X, 9.00 us vs 10.00 us"), out.get(0).source());
        assertEquals(other, out.get(1));
        assertEquals(b, out.get(2));
        assertEquals(c, out.get(3));
        // at a minimum gain of 2% the 2.5% row is pinned too; the same algorithm never counts as a win
        List<ImplChoices.GemmRow> loose = TuneGemmCommand.pin(List.of(a, other, b, c), picks, 0.02, "GPU X");
        assertEquals(OTHER.describe(), loose.get(2).algo());
        assertNull(loose.get(3).algo());
    }

    @Test
    void theWrittenChoicesReadBackWithTheirPinnedAlgorithms() {
        ImplChoices.GemmRow a = row(1280, 512, 90, "cublaslt_gemm");
        ImplChoices in = new ImplChoices(new ImplChoices.Provenance("c", "d", "s", "n"), List.of(a), List.of(),
                List.of(new ImplChoices.KeyRow(64, 90, false, "x")));
        List<ImplChoices.GemmRow> rows = TuneGemmCommand.pin(in.gemm(), Map.of(a, pick(a, 10, OTHER, 8)), 0.03, "GPU X");
        ImplChoices back = ImplChoices.parse(in.withGemm(new ImplChoices.Provenance("GPU X", "2026-11-29", "tune", "n"), rows).toJson());
        assertEquals(OTHER, CublasLtMatmul.Algo.parse(back.gemm().get(0).algo()));
        assertEquals(in.l2Prefetch(), back.l2Prefetch());
        assertEquals("GPU X", back.provenance().card());
    }

    @Test
    void badOptionsFailBeforeAnyGpuCall() {
        for (String[] args : new String[][] {{"tune-gemm", "--candidates", "0"}, {"tune-gemm", "--iterations", "0"}, {"tune-gemm", "--min-gain", "1"}}) {
            var cl = BenchCli.newCommandLine();
            var err = new StringWriter();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(err));
            assertEquals(2, cl.execute(args), String.join(" ", args));
            assertTrue(err.toString().contains(args[1]), err.toString());
        }
    }

    /** The tuned file says where it was timed: the run's meta (git SHA, dirty flag, driver, argv, ...) and device survive a read. */
    @Test
    void theTunedFileCarriesTheRunsMetaAndDevice() {
        var meta = new io.prefillbench.results.Meta("prefillbench 0.1.0", List.of("tune-gemm", "--json", "t.json"), "abc123", true, "25",
                "13.0", "13.0", "580.159.04", "13.1.0", "2026-11-30T00:00:00Z", "host", null);
        var device = new io.prefillbench.results.Device(0, "NVIDIA H200", "9.0", 132, 1L << 37, 62914560L, 1980, 3201, "0000:00:06.0");
        ImplChoices b = ImplChoices.bundled();
        ImplChoices.Provenance p = new ImplChoices.Provenance("NVIDIA H200", "2026-11-30", "bench tune-gemm", "n",
                TuneGemmCommand.runBlock(meta, device));
        ImplChoices back = ImplChoices.parse(b.withGemm(p, b.gemm()).toJson());
        assertEquals("abc123", back.provenance().run().at("/meta/gitSha").asText());
        assertTrue(back.provenance().run().at("/meta/gitDirty").asBoolean());
        assertEquals("580.159.04", back.provenance().run().at("/meta/driverVersion").asText());
        assertEquals("tune-gemm", back.provenance().run().at("/meta/argv/0").asText());
        assertEquals("NVIDIA H200", back.provenance().run().at("/devices/0/name").asText());
        assertNull(b.provenance().run(), "the bundled file has no run block");
        assertTrue(!b.toJson().contains("\"run\""), "and writes none");
    }
}
