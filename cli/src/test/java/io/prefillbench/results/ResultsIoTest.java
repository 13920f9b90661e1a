package io.prefillbench.results;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsIoTest {
    @TempDir
    Path dir;

    @Test
    void writeThenReadRoundTripsEveryField() {
        Results r = SyntheticRuns.run(3, 40, 1.0);
        Path f = dir.resolve("run.json");
        ResultsIo.writeAtomically(f, r);
        Results back = ResultsIo.read(f);
        assertEquals(r.meta(), back.meta());
        assertEquals(r.devices(), back.devices());
        assertEquals(r.config(), back.config());
        assertEquals(r.captures(), back.captures());
        assertEquals(r.throttling(), back.throttling());
        assertEquals(r.workloads().size(), back.workloads().size());
        for (int i = 0; i < r.workloads().size(); i++) {
            Workload a = r.workloads().get(i), b = back.workloads().get(i);
            assertEquals(a.name(), b.name());
            assertEquals(a.fallback(), b.fallback());
            assertEquals(a.speedup(), b.speedup());
            assertEquals(a.eager().hostNs(), b.eager().hostNs());
            assertArrayEquals(a.eager().samplesHostNs(), b.eager().samplesHostNs());
            assertArrayEquals(a.graph().samplesHostNs(), b.graph().samplesHostNs());
        }
    }

    @Test
    void atomicWriteReplacesAndLeavesNoTempFile() throws IOException {
        Path f = dir.resolve("run.json");
        Files.writeString(f, "old");
        ResultsIo.writeAtomically(f, SyntheticRuns.run(3, 10, 1.0));
        ResultsIo.read(f);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the final file remains");
        }
    }

    @Test
    void committedFixtureReads() {
        Results r = ResultsIo.read(Path.of("src/test/resources/fixtures/results-fixture.json"));
        assertEquals("FIXTURE", r.deviceName());
        assertEquals(5, r.workloads().size());
        // written before the graphs' edge census: the counts read as absent, not as zero
        assertTrue(r.captures().stream().allMatch(c -> c.pdlEdges() == null && c.libraryEdges() == null && c.fullEdges() == null));
    }

    @Test
    void edgeCensusRoundTrips() {
        Path f = dir.resolve("edges.json");
        ResultsIo.writeAtomically(f, SyntheticRuns.run(3, 10, 1.0));
        Capture c = ResultsIo.read(f).captures().stream().filter(x -> x.size() == 512).findFirst().orElseThrow();
        assertEquals(22, c.fullEdges());
        assertEquals(96, c.pdlEdges());
        assertEquals(72, c.libraryEdges());
    }

    /** A size's decode graph (s19) nests in its capture and round-trips; a size without one writes no field. */
    /** The fresh-prompt graph (s26): its capture and the workload marker round-trip, and only where there is one. */
    @Test
    void freshGraphCaptureAndMarkerRoundTrip() throws IOException {
        Results r = SyntheticRuns.run(4, 10, 1.0);
        List<Capture> captures = new java.util.ArrayList<>(r.captures());
        Capture c = captures.get(1);
        Capture fresh = new Capture(c.size(), 3.1, 149, 0L, 22L, 10L, 1, 147, 0);
        captures.set(1, new Capture(c.size(), c.captureMs(), c.graphNodes(), c.graphBytes(), c.exactWorstTiles(), c.heuristicTiles(),
                c.fullEdges(), c.pdlEdges(), c.libraryEdges(), null, fresh));
        List<Workload> ws = new java.util.ArrayList<>(r.workloads());
        Workload w = ws.get(0);
        ws.set(0, new Workload(w.name(), w.seqLens(), w.tokens(), w.paddedSize(), w.fallback(), w.launchesPerForward(), w.eager(), w.graph(),
                w.speedup(), w.histogramLogs(), w.profile(), w.eagerEnqueueUs(), w.perLaunchUs(), null, Boolean.TRUE));
        Results with = new Results(r.schema(), r.complete(), r.meta(), r.devices(), r.config(), captures, ws, r.throttling(), r.floor());
        Path f = dir.resolve("fresh.json");
        ResultsIo.writeAtomically(f, with);
        Results back = ResultsIo.read(f);
        assertEquals(fresh, back.captures().get(1).freshGraph());
        assertEquals(Boolean.TRUE, back.workloads().get(0).freshGraph());
        assertEquals(null, back.workloads().get(1).freshGraph());
        String json = Files.readString(f);
        assertEquals(1, json.split("\"freshGraph\" : \\{", -1).length - 1, "only the size with a fresh-prompt graph writes its capture");
        assertEquals(1, json.split("\"freshGraph\" : true", -1).length - 1, "only the workload that ran it is marked");
    }

    @Test
    void decodeGraphCaptureRoundTripsAndIsAbsentWithoutOne() throws IOException {
        Results r = SyntheticRuns.run(3, 10, 1.0);
        List<Capture> captures = new java.util.ArrayList<>(r.captures());
        Capture c16 = captures.get(0);
        Capture decode = new Capture(16, 2.6, 167, 0L, 16L, 16L, 1, 165, 0);
        captures.set(0, new Capture(c16.size(), c16.captureMs(), c16.graphNodes(), c16.graphBytes(), c16.exactWorstTiles(), c16.heuristicTiles(),
                c16.fullEdges(), c16.pdlEdges(), c16.libraryEdges(), decode));
        Results with = new Results(r.schema(), r.complete(), r.meta(), r.devices(), r.config(), captures, r.workloads(), r.throttling(), r.floor());
        Path f = dir.resolve("decode.json");
        ResultsIo.writeAtomically(f, with);
        Results back = ResultsIo.read(f);
        assertEquals(decode, back.captures().get(0).decodeGraph());
        assertEquals(captures, back.captures());
        String json = Files.readString(f);
        assertEquals(1, json.split("\"decodeGraph\"", -1).length - 1, "only the size with a decode graph writes the field");
    }

    @Test
    void missingEmptyTruncatedAndForeignFilesFailWithOneLineNamingTheFile() throws IOException {
        Path good = dir.resolve("good.json");
        ResultsIo.writeAtomically(good, SyntheticRuns.run(3, 10, 1.0));
        String text = Files.readString(good);

        expectBad(dir.resolve("absent.json"), "no such file");
        expectBad(write("empty.json", ""), "empty");
        expectBad(write("blank.json", "  \n"), "empty");
        expectBad(write("truncated.json", text.substring(0, text.length() / 2)), "truncated");
        expectBad(write("garbage.json", "{\"schema\": nope}"), "not valid JSON");
        expectBad(write("array.json", "[1,2]"), "not a prefillbench results object");
        expectBad(edit(text, "schema.json", o -> o.put("schema", "prefillbench/results/v0")), "schema is \"prefillbench/results/v0\"");
        expectBad(edit(text, "noschema.json", o -> o.remove("schema")), "no \"schema\"");
        expectBad(edit(text, "incomplete.json", o -> o.put("complete", false)), "incomplete");
        expectBad(edit(text, "nometa.json", o -> o.remove("meta")), "missing \"meta\"");
        expectBad(edit(text, "noworkloads.json", o -> o.putArray("workloads")), "\"workloads\" is empty");
        expectBad(edit(text, "nograph.json", o -> ((ObjectNode) o.get("workloads").get(1)).remove("graph")),
                "workloads[1] has a speedup but only eager timing");
        expectBad(edit(text, "nomode.json", o -> ((ObjectNode) o.get("workloads").get(1)).remove(java.util.List.of("eager", "graph", "speedup"))),
                "one mode must be timed");
        expectBad(edit(text, "unpaired.json", o -> ((ArrayNode) o.get("workloads").get(0).get("graph").get("samplesHostNs")).remove(0)),
                "samples must be paired");
        expectBad(edit(text, "badtype.json", o -> ((ObjectNode) o.get("workloads").get(0)).put("tokens", "ten")), "malformed field");
    }

    @Test
    void statisticsThatDisagreeWithTheSamplesAreRefusedNamingTheField() throws IOException {
        Path good = dir.resolve("good.json");
        ResultsIo.writeAtomically(good, SyntheticRuns.run(3, 40, 1.0));
        String text = Files.readString(good);
        // every sample 1 ns, the stored summary and speedup left as they were
        expectBad(edit(text, "ones.json", o -> {
            for (String mode : new String[] {"eager", "graph"}) {
                ArrayNode a = (ArrayNode) o.get("workloads").get(0).get(mode).get("samplesHostNs");
                for (int i = 0; i < a.size(); i++) a.set(i, 1L);
            }
        }), "workloads[0].eager.hostNs.p50 is ");
        expectBad(edit(text, "ratio.json", o -> ((ObjectNode) o.get("workloads").get(2).get("speedup")).put("p50Ratio", 1.02)),
                "workloads[2].speedup.p50Ratio is 1.02 but the samples give");
        expectBad(edit(text, "mean.json", o -> ((ObjectNode) o.get("workloads").get(1).get("graph").get("hostNs")).put("mean", 1.0)),
                "workloads[1].graph.hostNs.mean is 1.0 but the 40 samples give");
        expectBad(edit(text, "count.json", o -> ((ObjectNode) o.get("workloads").get(1).get("graph").get("gpuNs")).put("count", 3)),
                "workloads[1].graph.gpuNs.count is 3 but there are 40 samples");
    }

    @Test
    void oneModeRunsRoundTrip() throws IOException {
        Path good = dir.resolve("good.json");
        ResultsIo.writeAtomically(good, SyntheticRuns.run(3, 40, 1.0));
        Path eagerOnly = edit(Files.readString(good), "eager-only.json", o -> {
            for (var w : o.get("workloads")) ((ObjectNode) w).putNull("graph").putNull("speedup");
        });
        Results r = ResultsIo.read(eagerOnly);
        assertEquals(null, r.workloads().getFirst().graph());
        assertEquals(40, r.workloads().getFirst().eager().samplesHostNs().length);
    }

    @Test
    void everyCommittedResultsFileLoadsAndItsStatisticsMatchItsSamples() throws IOException {
        int n = 0;
        try (var files = Files.walk(Path.of("../results"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                if (!Files.readString(f).contains("\"prefillbench/results/v1\"")) continue; // JMH, torch, sidecars
                Results r = ResultsIo.read(f);
                assertTrue(r.workloads().size() > 0, f.toString());
                n++;
            }
        }
        assertTrue(n >= 8, "committed prefill results found: " + n);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private Path edit(String json, String name, Consumer<ObjectNode> change) throws IOException {
        ObjectNode o = (ObjectNode) ResultsIo.mapper().readTree(json);
        change.accept(o);
        return write(name, ResultsIo.mapper().writeValueAsString(o));
    }

    private static void expectBad(Path file, String expected) {
        BenchException e = assertThrows(BenchException.class, () -> ResultsIo.read(file), file.toString());
        assertEquals(BenchException.EXIT_BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
