package io.prefillbench.forward;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The identity a results file records of the implementation choices: equal rows, equal identity; any row changed, a different one. */
class ImplChoicesIdentityTest {
    private static final String BASE = """
            {"provenance": {"card": "NVIDIA H200", "date": "2026-11-29", "source": "results/x.json", "note": "-"},
             "gemm": [{"n": 1280, "k": 1024, "m": 16, "arch": 90, "impl": "gemm_bf16", "splits": 8, "source": "x"}],
             "fusions": [], "l2Prefetch": []}""";

    @Test
    void sameRowsSameIdentityAnyRowChangedDiffers() {
        ImplChoices a = ImplChoices.parse(BASE), b = ImplChoices.parse(BASE);
        assertEquals(a.identity("bundled"), b.identity("bundled"));
        assertTrue(a.identity("bundled").startsWith("bundled (NVIDIA H200, 2026-11-29, sha256 "), a.identity("bundled"));
        ImplChoices splits = ImplChoices.parse(BASE.replace("\"splits\": 8", "\"splits\": 4"));
        ImplChoices prefetch = ImplChoices.parse(BASE.replace("\"l2Prefetch\": []", "\"l2Prefetch\": [{\"m\": 16, \"arch\": 90, \"source\": \"x\"}]"));
        assertNotEquals(a.identity("bundled"), splits.identity("bundled"));
        assertNotEquals(a.identity("bundled"), prefetch.identity("bundled"));
        assertNotEquals(a.identity("bundled"), ImplChoices.none().identity("bundled"));
    }

    /** provenance.run (where the file was written) chooses nothing: adding it keeps the identity; a row still moves it. */
    @Test
    void theRunBlockIsLeftOutOfTheIdentity() {
        ImplChoices a = ImplChoices.parse(BASE);
        String withRun = BASE.replace("\"note\": \"-\"}", "\"note\": \"-\", \"run\": {\"meta\": {\"gitSha\": \"abc\"}}}");
        ImplChoices b = ImplChoices.parse(withRun);
        assertTrue(b.provenance().run() != null, withRun);
        assertEquals(a.identity("file x"), b.identity("file x"));
        assertNotEquals(a.identity("file x"), ImplChoices.parse(withRun.replace("\"splits\": 8", "\"splits\": 4")).identity("file x"));
        assertNotEquals(a.identity("file x"), ImplChoices.parse(BASE.replace("\"note\": \"-\"", "\"note\": \"+\"")).identity("file x"),
                "the rest of the provenance still counts");
    }

    /**
     * The sixth session's tuned files, which carry their run's meta and devices blocks since the thirteenth session: each
     * still has the identity the run that used it recorded, and names the jar's commit and the device.
     */
    @Test
    void theSixthSessionsTunedFilesKeepTheIdentityTheirRunsRecorded() throws Exception {
        ObjectMapper m = new ObjectMapper();
        for (String call : List.of("call8", "call9")) {
            java.nio.file.Path dir = java.nio.file.Path.of("../results/h200-ab-20261129/s6-tune-gemm", call);
            ImplChoices c = ImplChoices.read(dir.resolve("impl-choices-tuned-h200.json"));
            java.nio.file.Path runFile;
            try (var files = java.nio.file.Files.newDirectoryStream(dir, "prefill-s6tune-tuned-1-h200-*.json.gz")) {
                runFile = files.iterator().next();
            }
            var run = m.readTree(new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(runFile)));
            assertEquals(run.get("config").get("implChoices").asText(), c.identity("file impl-choices-tuned-h200.json"), call);
            assertEquals("68c1743937b26458c2e94d20eadaad87310096fb", c.provenance().run().get("meta").get("gitSha").asText(), call);
            assertFalse(c.provenance().run().get("meta").get("gitDirty").asBoolean(), call);
            assertEquals("NVIDIA H200", c.provenance().run().get("devices").get(0).get("name").asText(), call);
        }
    }

    /**
     * Every --impl-choices input committed under results/ says where it ran: provenance.run with the meta block's git SHA
     * and dirty flag and a device (tune-gemm writes it; results/add-run-blocks.py added it to the files session scripts
     * wrote). A file without it is caught (planted below).
     */
    @Test
    void everyChoicesFileUnderResultsNamesTheRunThatUsedIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path results = java.nio.file.Path.of("../results");
        List<String> missing = choicesWithoutRunBlock(results);
        assertEquals(List.of(), missing);
        assertTrue(choicesCount(results) >= 34, "the committed choices files were found");
        java.nio.file.Files.writeString(tmp.resolve("choices-planted.json"), BASE);
        assertEquals(List.of(tmp.resolve("choices-planted.json").toString()), choicesWithoutRunBlock(tmp));
    }

    private static long choicesCount(java.nio.file.Path root) throws java.io.IOException {
        try (var s = java.nio.file.Files.walk(root)) {
            return s.filter(ImplChoicesIdentityTest::isChoicesFile).count();
        }
    }

    private static boolean isChoicesFile(java.nio.file.Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".json") && (n.startsWith("choices-") || n.startsWith("impl-choices"));
    }

    private static List<String> choicesWithoutRunBlock(java.nio.file.Path root) throws java.io.IOException {
        try (var s = java.nio.file.Files.walk(root)) {
            return s.filter(ImplChoicesIdentityTest::isChoicesFile).filter(f -> {
                var run = ImplChoices.read(f).provenance().run();
                return run == null || !run.path("meta").path("gitSha").asText().matches("[0-9a-f]{40}")
                        || !run.path("meta").has("gitDirty") || run.path("devices").path(0).path("name").asText().isEmpty();
            }).map(java.nio.file.Path::toString).sorted().toList();
        }
    }

    /** Files written before persistentLayers existed keep the identity their results recorded; a row changes it. */
    @Test
    void persistentLayersRowsChangeTheIdentityAndTheirAbsenceDoesNot() {
        ImplChoices a = ImplChoices.parse(BASE);
        assertEquals("bundled (NVIDIA H200, 2026-11-29, sha256 0db187364105)", a.identity("bundled"), "the digest before the property existed");
        assertEquals(List.of(), a.persistentLayers());
        ImplChoices empty = ImplChoices.parse(BASE.replace("\"l2Prefetch\": []", "\"l2Prefetch\": [], \"persistentLayers\": []"));
        assertEquals(a.identity("bundled"), empty.identity("bundled"));
        ImplChoices persist = ImplChoices.parse(BASE.replace("\"l2Prefetch\": []",
                "\"l2Prefetch\": [], \"persistentLayers\": [{\"m\": 16, \"arch\": 90, \"source\": \"x\"}]"));
        assertNotEquals(a.identity("bundled"), persist.identity("bundled"));
        assertEquals(List.of(new ImplChoices.KeyRow(16, 90, "x")), persist.persistentLayers());
        assertTrue(persist.persistentLayers(new CaptureKey(16, 16, 16, 132, 90)));
        assertFalse(persist.persistentLayers(new CaptureKey(16, 16, 16, 132, 80)), "another arch");
        assertFalse(persist.persistentLayers(new CaptureKey(32, 32, 20, 132, 90)), "another bucket");
        ImplChoices off = ImplChoices.parse(BASE.replace("\"l2Prefetch\": []",
                "\"l2Prefetch\": [], \"persistentLayers\": [{\"m\": 16, \"arch\": 90, \"on\": false, \"source\": \"x\"}]"));
        assertFalse(off.persistentLayers(new CaptureKey(16, 16, 16, 132, 90)), "a candidate row that is off");
    }

    @Test
    void choicesRoundTripThroughJsonWithAndWithoutPersistentLayers() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ImplChoices without = ImplChoices.parse(BASE);
        String json = m.writeValueAsString(without);
        assertFalse(json.contains("persistentLayers"), json);
        assertEquals(without, ImplChoices.parse(json));
        ImplChoices with = without.withPersistentLayers(List.of(new ImplChoices.KeyRow(16, 90, "x"), new ImplChoices.KeyRow(8, 0, false, "candidate")));
        String withJson = m.writeValueAsString(with);
        assertTrue(withJson.contains("\"persistentLayers\""), withJson);
        assertEquals(with, ImplChoices.parse(withJson));
        assertEquals(List.of(), ImplChoices.none().persistentLayers());
        assertEquals(List.of(), ImplChoices.bundled().persistentLayers(), "the bundled file switches no persistent layer on until measured");
    }

    @Test
    void theBundledFileHasAnIdentity() {
        assertTrue(ImplChoices.bundled().identity("bundled").contains("sha256 "));
    }

    /**
     * What a run records is the identity of the rows that applied to its forward: rows for another model or another size
     * leave it unchanged (a baseline stays usable), a changed row that applied changes it.
     */
    @Test
    void aRunRecordsTheRowsThatAppliedToItsForward() {
        ImplChoices bundled = ImplChoices.bundled();
        LoweredForward ernie = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64,128,512", 32, 132, ImplRegistry.standard(), bundled);
        ImplChoices applied = bundled.appliedTo(ernie);
        // ERNIE's layer GEMMs at 16, 64 (streaming rows), 128 and 512 (cuBLASLt), its LM head at 16 seqs: no Llama row
        assertTrue(applied.gemm().stream().noneMatch(r -> r.k() == 2048 || r.k() == 8192), applied.gemm().toString());
        assertTrue(applied.gemm().stream().anyMatch(r -> r.n() == 1280 && r.m() == 128 && r.mMax() == null), "the exact row at 128 applied");
        assertTrue(applied.gemm().size() < bundled.gemm().size());
        // a row for another model: the applied identity stays; a changed applied row: it moves
        List<ImplChoices.GemmRow> more = new java.util.ArrayList<>(bundled.gemm());
        more.add(new ImplChoices.GemmRow(4096, 4096, 256, 90, "cublaslt_gemm", 0, "another model"));
        ImplChoices other = bundled.withGemm(bundled.provenance(), more);
        assertNotEquals(bundled.identity("bundled"), other.identity("bundled"), "the whole file's identity moves");
        assertEquals(applied.identity("bundled"), other.appliedTo(ernie).identity("bundled"), "the run's does not");
        List<ImplChoices.GemmRow> changed = new java.util.ArrayList<>();
        for (ImplChoices.GemmRow r : bundled.gemm())
            changed.add(r.n() == 6144 && r.impl().equals("gemm_bf16_stream_m16_n32")
                    ? new ImplChoices.GemmRow(r.n(), r.k(), r.m(), r.arch(), r.impl(), 2, r.source(), r.algo(), r.mMax()) : r);
        ImplChoices moved = bundled.withGemm(bundled.provenance(), changed);
        assertNotEquals(applied.identity("bundled"), moved.appliedTo(ernie).identity("bundled"));
    }

    /**
     * A fusion row that names its producer (the bundled silu_into_gate_up rows name ERNIE's TMA tiles) applies only where
     * a GEMM row runs that producer: Llama-3.2-1B at the same sizes keeps cuBLASLt + silu_mul, so the row is not in its
     * run's identity, and moving it changes ERNIE's identity but not Llama's.
     */
    @Test
    void aProducerSpecificFusionRowAppliesOnlyWhereItsProducerRuns() {
        ImplChoices bundled = ImplChoices.bundled();
        String sizes = "64,128,512";
        LoweredForward ernie = ForwardTestSupport.lower("ernie-4.5-0.3b", sizes, 32, 132, ImplRegistry.standard(), bundled);
        LoweredForward llama = ForwardTestSupport.lower("llama-3.2-1b", sizes, 32, 132, ImplRegistry.standard(), bundled);
        // Llama fuses nothing but its last layer's gate_up on the last rows at 64, 128 and 512 (v78: the 32-row kernel, whose
        // 17..32 SiLU row covers its capacity)
        assertEquals(List.of("L15.gate_up@128", "L15.gate_up@512", "L15.gate_up@64"), llama.all().stream().flatMap(p -> p.ops().stream()
                .filter(o -> !o.fused().isEmpty()).map(o -> o.op().name() + "@" + p.key().size())).sorted().toList(), "Llama's fused ops");
        assertTrue(ernie.plan(128).op("L0.gate_up").fused().contains("L0.silu_mul"), "ERNIE fuses SiLU at 128");
        assertTrue(bundled.appliedTo(ernie).fusions().stream().anyMatch(r -> r.covers(128)), bundled.appliedTo(ernie).fusions().toString());
        assertEquals(List.of(ImplRegistry.SILU_INTO_GATE_UP + " 17", ImplRegistry.LAST_ROWS + " 33"),
                bundled.appliedTo(llama).fusions().stream().map(r -> r.fusion() + " " + r.m()).toList(), "the fusion rows applied to Llama");
        List<ImplChoices.FusionRow> moved = new java.util.ArrayList<>();
        for (ImplChoices.FusionRow r : bundled.fusions())  // ERNIE's SiLU rows at 128 (its TMA tile) start at 72 instead of 65
            moved.add(r.covers(128) && !r.fusion().equals(ImplRegistry.LAST_ROWS)
                    ? new ImplChoices.FusionRow(r.fusion(), 72, r.arch(), r.source(), r.mMax(), r.producer()) : r);
        ImplChoices other = bundled.withFusions(moved);
        assertNotEquals(bundled.appliedTo(ernie).identity("bundled"), other.appliedTo(ernie).identity("bundled"));
        assertEquals(bundled.appliedTo(llama).identity("bundled"), other.appliedTo(llama).identity("bundled"));
    }
}
