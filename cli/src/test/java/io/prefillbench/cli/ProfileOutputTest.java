package io.prefillbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prefillbench.BenchException;
import io.prefillbench.forward.ForwardProgram;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;
import io.prefillbench.forward.LoweredForward;
import io.prefillbench.forward.LoweredPlan;
import io.prefillbench.forward.OpKind;
import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.profile.ForwardProfile;
import io.prefillbench.profile.StepTimes;
import io.prefillbench.results.Floor;
import io.prefillbench.results.Profile;
import io.prefillbench.results.Results;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.SyntheticRuns;
import io.prefillbench.results.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The profile, floor and launch-cost blocks: from the arithmetic to JSON and back, their validation, their markdown. */
class ProfileOutputTest {
    @TempDir
    Path dir;

    /** ERNIE-4.5-0.3B at bucket 16, 10 tokens: every op 1 us, GEMMs 10 us (167 ops, 73 GEMMs: 824 us). */
    static Profile ernieProfile() {
        LoweredPlan plan = LoweredForward.of(ForwardProgram.of(Presets.byName("ernie-4.5-0.3b")), CaptureSizes.parse("16", CaptureSizes.HARD_CAP),
                32, 2048, 132, 90, ImplRegistry.standard(), ImplChoices.none()).plan(16);
        double[] us = new double[plan.ops().size()];
        for (int i = 0; i < us.length; i++) us[i] = plan.ops().get(i).op().kind() == OpKind.GEMM ? 10 : 1;
        return ProfilePass.of(ForwardProfile.of(List.of(new StepTimes(plan, 10, 1, 1, us, 11, false))), 11, false);
    }

    static Results withProfile(Profile p, Floor floor) {
        Results r = SyntheticRuns.run(3, 20, 1.0);
        List<Workload> ws = new ArrayList<>();
        for (Workload w : r.workloads())
            ws.add(new Workload(w.name(), w.seqLens(), w.tokens(), w.paddedSize(), w.fallback(), w.launchesPerForward(), w.eager(),
                    w.graph(), w.speedup(), w.histogramLogs(), p, 338.0, 2.0));
        return new Results(r.schema(), r.complete(), r.meta(), r.devices(), r.config(), r.captures(), ws, r.throttling(), floor);
    }

    static Floor floor() {
        long weights = 721_944_576L;
        return new Floor(4.0, weights, Floor.streamMs(weights, 4.0), 1L << 30, "test");
    }

    @Test
    void profileBlockHoldsFamiliesInOrderWithSharesAndEveryGemm() {
        Profile p = ernieProfile();
        assertTrue(p.method().startsWith("profiling pass with CUDA events"), p.method());
        assertTrue(p.method().contains("PDL off"), p.method());
        assertFalse(p.pdl());
        assertEquals(824.0, p.totalUs(), 1e-9);
        assertEquals(List.of("embed", "norm", "qkv GEMM", "rope+kv", "attention", "o GEMM", "gate_up GEMM", "act", "down GEMM",
                "final norm+gather", "LM head", "argmax", "other"), p.opFamilies().stream().map(Profile.OpFamilyTime::family).toList());
        assertEquals(180.0 / 824, p.opFamilies().get(2).share(), 1e-12);
        assertEquals(1.0, p.opFamilies().stream().mapToDouble(Profile.OpFamilyTime::share).sum(), 1e-12);
        assertEquals(73, p.gemms().size());
        Profile.GemmTime qkv = p.gemms().getFirst();
        assertEquals("L0.qkv", qkv.op());
        assertEquals(0.305152, qkv.tbPerS(), 1e-12);
        assertEquals(2.62144, qkv.tflopPerS(), 1e-12);
        assertEquals(4.194304, qkv.tflopPerSAtCapacity(), 1e-12);
    }

    /**
     * Persistent layers at 16 (a choices row): the layers are one "layer" family, the GEMM tables hold the LM head only,
     * and the block goes through JSON, its validation and the markdown like any other.
     */
    @Test
    void aPersistentLayerPlanProfilesAsTheLayerFamily() {
        ImplChoices persist = new ImplChoices(new ImplChoices.Provenance("test", "-", "-", "-"), List.of(), List.of(), List.of(),
                List.of(new ImplChoices.KeyRow(16, 0, "test")));
        LoweredPlan plan = LoweredForward.of(ForwardProgram.of(Presets.byName("ernie-4.5-0.3b")), CaptureSizes.parse("16", CaptureSizes.HARD_CAP),
                32, 2048, 132, 90, ImplRegistry.standard(), persist).plan(16);
        double[] us = new double[plan.ops().size()];
        for (int i = 0; i < us.length; i++) us[i] = plan.ops().get(i).op().kind() == OpKind.LAYER ? 360 : 1; // one op, 18 layers of 20 us
        Profile p = ProfilePass.of(ForwardProfile.of(List.of(new StepTimes(plan, 10, 1, 1, us, 11, false))), 11, false);
        // "other": build_tile_map, kept in the persistent plan to copy the batch metadata in
        assertEquals(List.of("embed", "layer", "final norm+gather", "LM head", "argmax", "other"), p.opFamilies().stream().map(Profile.OpFamilyTime::family).toList());
        assertEquals(18 * 20 + 5, p.totalUs(), 1e-9);
        assertEquals(List.of("lm_head"), p.gemms().stream().map(Profile.GemmTime::op).toList());
        Results r = withProfile(p, floor());
        Path f = dir.resolve("persist.json");
        ResultsIo.writeAtomically(f, r);
        assertEquals(p, ResultsIo.read(f).workloads().getFirst().profile());
        String md = ProfileMarkdown.workload(r.workloads().getFirst(), true);
        assertTrue(md.contains("| layer | 360.0 | 98.6% |"), md);
        assertTrue(md.contains("| lm_head | 103424 x 1024 |"), md);
        assertFalse(md.contains("L0."), md);
    }

    @Test
    void jsonRoundTripKeepsTheNewBlocks() {
        Results r = withProfile(ernieProfile(), floor());
        Path f = dir.resolve("run.json");
        ResultsIo.writeAtomically(f, r);
        Results back = ResultsIo.read(f);
        assertEquals(r.floor(), back.floor());
        for (int i = 0; i < r.workloads().size(); i++) {
            Workload a = r.workloads().get(i), b = back.workloads().get(i);
            assertEquals(a.profile(), b.profile());
            assertEquals(338.0, b.eagerEnqueueUs());
            assertEquals(2.0, b.perLaunchUs());
        }
    }

    @Test
    void filesWithoutTheBlocksStillLoadAndWriteNoNulls() throws Exception {
        Results old = ResultsIo.read(Path.of("src/test/resources/fixtures/results-fixture.json"));
        assertNull(old.floor());
        assertNull(old.workloads().getFirst().profile());
        assertNull(old.workloads().getFirst().eagerEnqueueUs());
        Path f = dir.resolve("old.json");
        ResultsIo.writeAtomically(f, SyntheticRuns.run(3, 10, 1.0));
        String text = Files.readString(f);
        assertFalse(text.contains("\"profile\"") || text.contains("\"floor\"") || text.contains("perLaunchUs"), "absent blocks are left out");
        ResultsIo.read(f);
    }

    /** Writes a valid file, edits its JSON tree, and expects the load to be refused naming {@code expected}. */
    private void refused(Consumer<ObjectNode> edit, String expected) throws Exception {
        Path f = dir.resolve("edited.json");
        ResultsIo.writeAtomically(f, withProfile(ernieProfile(), floor()));
        JsonNode tree = ResultsIo.mapper().readTree(f.toFile());
        edit.accept((ObjectNode) tree);
        Files.writeString(f, ResultsIo.mapper().writeValueAsString(tree));
        BenchException e = assertThrows(BenchException.class, () -> ResultsIo.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static ObjectNode profileOf(ObjectNode root) {
        return (ObjectNode) root.get("workloads").get(0).get("profile");
    }

    @Test
    void negativeFamilyTimeIsRefused() throws Exception {
        refused(t -> ((ObjectNode) profileOf(t).get("opFamilies").get(1)).put("gpuUs", -36.0), "opFamilies[1].gpuUs must be a non-negative");
    }

    @Test
    void sharesThatDoNotSumToOneAreRefused() throws Exception {
        refused(t -> ((ObjectNode) profileOf(t).get("opFamilies").get(2)).put("share", 0.5), "shares sum to");
    }

    @Test
    void negativeGemmRateIsRefused() throws Exception {
        refused(t -> ((ObjectNode) profileOf(t).get("gemms").get(0)).put("tbPerS", -0.6), "gemms[0].tbPerS must be a non-negative");
    }

    @Test
    void gemmWithMoreRealRowsThanCapacityIsRefused() throws Exception {
        refused(t -> ((ObjectNode) profileOf(t).get("gemms").get(0)).put("mReal", 17), "mReal <= m");
    }

    @Test
    void profileWithoutTheMethodIsRefused() throws Exception {
        refused(t -> profileOf(t).put("method", "guessed"), "method must start with \"profiling pass with CUDA events\"");
    }

    @Test
    void negativeEnqueueTimeIsRefused() throws Exception {
        refused(t -> ((ObjectNode) t.get("workloads").get(1)).put("perLaunchUs", -2.0), "workloads[1].perLaunchUs must be a non-negative");
    }

    @Test
    void floorInconsistentWithItsInputsIsRefused() throws Exception {
        refused(t -> ((ObjectNode) t.get("floor")).put("weightStreamMs", 0.1), "weightBytes / d2dTBps gives");
        refused(t -> ((ObjectNode) t.get("floor")).put("d2dTBps", 0.0), "floor.d2dTBps must be positive");
    }

    /** A stand-in for cuBLASLt: 1 us per GFLOP-ish, the best candidate 10 % faster; counts the shapes it was asked for. */
    static final class FakeLibrary implements CublasColumns.Timer {
        final List<String> asked = new ArrayList<>();

        @Override
        public Profile.CublasTime time(int m, int n, int k) {
            asked.add(m + "x" + n + "x" + k);
            double first = 1 + 2.0 * m * n * k / 1e9;
            return new Profile.CublasTime(first, "id=1", 0.9 * first, "id=2", 8, 4);
        }
    }

    @Test
    void theLibraryColumnTimesEachShapeOnceAndTravelsThroughJsonAndMarkdown() {
        Profile p = ernieProfile();
        FakeLibrary lib = new FakeLibrary();
        CublasColumns cols = new CublasColumns(lib);
        Profile a = cols.attach(p), b = cols.attach(p); // two workloads of one run: the second times nothing
        assertEquals(p.gemmShapes().size(), lib.asked.size());
        assertEquals(lib.asked.size(), new java.util.HashSet<>(lib.asked).size());
        assertEquals(a, b);
        for (Profile.GemmShapeTime s : a.gemmShapes()) {
            assertEquals(1 + 2.0 * s.m() * s.n() * s.k() / 1e9, s.cublas().firstUs(), 1e-12);
            assertEquals(s.gpuUs() / s.count(), s.usPerOp(), 1e-12);
        }
        Results r = withProfile(a, floor());
        Path f = dir.resolve("vs.json");
        ResultsIo.writeAtomically(f, r);
        assertEquals(a, ResultsIo.read(f).workloads().getFirst().profile());
        String md = ProfileMarkdown.workload(r.workloads().getFirst(), false);
        assertTrue(md.contains("| GEMM n x k | m | ours (impl, splits) | ours us/op |"), md);
        // qkv at bucket 16: 18 ops of 10 us; the library 1 + 2*16*1280*1024/1e9 us, best 0.9 of it
        Profile.GemmShapeTime qkv = a.gemmShapes().getFirst();
        assertEquals(1280, qkv.n());
        double best = 0.9 * (1 + 2.0 * 16 * 1280 * 1024 / 1e9);
        assertTrue(md.contains(String.format(java.util.Locale.ROOT, "| 1280 x 1024 | 16 | %s, %d | 10.00 |", qkv.impl(), qkv.splits())), md);
        assertTrue(md.contains(String.format(java.util.Locale.ROOT, "| %.2f | %.1f | %.2fx |", best, 2.0 * 16 * 1280 * 1024 / (best * 1e6), best / 10)), md);
        assertTrue(md.contains(CublasColumns.METHOD), md);
        // without the column neither the table nor the key appears
        assertFalse(ProfileMarkdown.workload(withProfile(p, floor()).workloads().getFirst(), false).contains("cuBLASLt best"));
        assertFalse(readsCublasKey(withProfile(p, floor())));
        assertTrue(readsCublasKey(r));
    }

    /** Whether the written file's first workload's first GEMM shape has a "cublas" field (meta has a cuBLAS version of its own). */
    private boolean readsCublasKey(Results r) {
        Path f = dir.resolve("plain.json");
        ResultsIo.writeAtomically(f, r);
        try {
            return profileOf((ObjectNode) ResultsIo.mapper().readTree(f.toFile())).get("gemmShapes").get(0).has("cublas");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aLibraryColumnWhoseBestIsSlowerThanItsFirstIsRefused() throws Exception {
        Path f = dir.resolve("edited-vs.json");
        ResultsIo.writeAtomically(f, withProfile(new CublasColumns(new FakeLibrary()).attach(ernieProfile()), floor()));
        ResultsIo.read(f);
        JsonNode tree = ResultsIo.mapper().readTree(f.toFile());
        ((ObjectNode) profileOf((ObjectNode) tree).get("gemmShapes").get(0).get("cublas")).put("bestUs", 1e3);
        Files.writeString(f, ResultsIo.mapper().writeValueAsString(tree));
        BenchException e = assertThrows(BenchException.class, () -> ResultsIo.read(f));
        assertTrue(e.getMessage().contains("gemmShapes[0].cublas.bestUs 1000.0 exceeds firstUs"), e.getMessage());
    }

    @Test
    void markdownShowsFamiliesShapesFloorAndLaunchCost() {
        Results r = withProfile(ernieProfile(), floor());
        String floorTable = ProfileMarkdown.floorAndLaunches(r);
        // 721,944,576 bytes / 4 TB/s = 0.180 ms; short's graph p50 over it
        assertTrue(floorTable.contains("weight-streaming floor 0.180 ms"), floorTable);
        Workload shortW = r.workloads().getFirst();
        String ratio = String.format(java.util.Locale.ROOT, "%.1fx of floor", shortW.graph().hostNs().p50() / 1e6 / floor().weightStreamMs());
        assertTrue(floorTable.contains("| short | 338.0 | 2.00 | 190 |"), floorTable);
        assertTrue(floorTable.contains(ratio), floorTable);

        String md = ProfileMarkdown.workload(shortW, false);
        assertTrue(md.contains("profiling pass with CUDA events"), md);
        assertTrue(md.contains("| qkv GEMM | 180.0 | 21.8% |"), md);
        assertTrue(md.contains("| **sum of ops** | **824.0** | 100% |"), md);
        assertTrue(md.contains("| 1280 x 1024 | 16 | gemm_bf16_stream_m16 | 8 | 18 | 180.0 | 0.31 | 2.62 | 4.19 |"), md);
        assertFalse(md.contains("| L0.qkv |"), "per-op rows only with --profile");
        assertTrue(ProfileMarkdown.workload(shortW, true).contains("| L0.qkv | 1280 x 1024 | 10/16 | gemm_bf16_stream_m16 | 8 | 10.0 | 0.31 | 2.62 | 4.19 |"));
        assertEquals("", ProfileMarkdown.workload(SyntheticRuns.run(3, 10, 1.0).workloads().getFirst(), true));
    }
}
