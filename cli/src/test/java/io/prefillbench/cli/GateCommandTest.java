package io.prefillbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prefillbench.results.Device;
import io.prefillbench.results.Results;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.SyntheticRuns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GateCommandTest {
    @TempDir
    Path dir;
    Path base, same, slower;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void writeRuns() {
        base = dir.resolve("base.json");
        same = dir.resolve("same.json");
        slower = dir.resolve("slower.json");
        ResultsIo.writeAtomically(base, SyntheticRuns.run(1, 300, 1.0));
        ResultsIo.writeAtomically(same, SyntheticRuns.run(2, 300, 1.0));
        ResultsIo.writeAtomically(slower, SyntheticRuns.run(3, 300, 1 / 0.9)); // every graph 11% slower: ratio -10%
    }

    static Run gate(String... args) {
        CommandLine cl = BenchCli.newCommandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("gate"));
        all.addAll(List.of(args));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Gate compares prefill runs only: a serve file is refused by what it is (exit 2), not gated or misread. */
    @Test
    void aServeFileIsRefusedWithExitTwo() {
        Path serve = dir.resolve("serve-mixed-r20.json");
        ResultsIo.writeAtomically(serve, io.prefillbench.results.SyntheticServes.serve("mixed", 20, io.prefillbench.results.SyntheticServes.Costs.H100, 1));
        for (String[] args : List.of(new String[]{"--baseline", base.toString(), "--current", serve.toString()},
                new String[]{"--baseline", serve.toString(), "--current", base.toString()})) {
            Run r = gate(args);
            assertEquals(2, r.exit(), r.out() + r.err());
            assertEquals("", r.out());
            assertTrue(r.err().startsWith("error: " + serve + ": a serve run; gate compares prefill runs only") && r.err().contains("`report`"), r.err());
        }
    }

    @Test
    void sameDistributionPasses() {
        Run r = gate("--baseline", base.toString(), "--current", same.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("| workload | baseline ratio |"), r.out());
        assertTrue(r.out().contains("gate: PASS (5 rows"), r.out());
    }

    @Test
    void aFileAgainstItselfPasses() {
        Run r = gate("--baseline", base.toString(), "--current", base.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("0 SLOWER"), r.out());
    }

    @Test
    void plantedTenPercentRegressionFailsAndJsonVerdictSaysSo() throws IOException {
        Path verdict = dir.resolve("out/verdict.json");
        Run r = gate("--baseline", base.toString(), "--current", slower.toString(), "--json", verdict.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("**SLOWER**"), r.out());
        assertTrue(r.out().contains("gate: FAIL"), r.out());
        JsonNode v = ResultsIo.mapper().readTree(verdict.toFile());
        assertEquals("regression", v.get("result").asText());
        // where the verdict comes from: this gate run and the GPU of the compared runs
        assertEquals("gate", v.path("meta").path("argv").path(0).asText(), v.toString());
        assertTrue(v.path("meta").path("gitSha").isTextual(), v.toString());
        assertEquals("FIXTURE", v.path("devices").path(0).path("name").asText(), v.toString());
        // the fallback workload runs eager in both modes, so only the four captured ones regress
        long slowerRows = 0;
        for (JsonNode row : v.get("rows")) if (row.get("verdict").asText().equals("SLOWER")) slowerRows++;
        assertTrue(slowerRows >= 4, "rows: " + v.get("rows"));
        JsonNode longRow = v.get("rows").get(3);
        assertEquals("long@512", longRow.get("label").asText());
        assertEquals(0.9, longRow.get("ratioChange").get("estimate").asDouble(), 0.03);
    }

    @Test
    void unusableInputsExitTwo() throws IOException {
        String text = Files.readString(base);
        Path empty = Files.writeString(dir.resolve("empty.json"), "");
        Path truncated = Files.writeString(dir.resolve("truncated.json"), text.substring(0, text.length() - 100));
        Path schema = Files.writeString(dir.resolve("schema.json"), text.replace("prefillbench/results/v1", "other/v9"));
        expectTwo(gate("--baseline", dir.resolve("nope.json").toString(), "--current", same.toString()), "no such file");
        expectTwo(gate("--baseline", base.toString(), "--current", empty.toString()), "empty");
        expectTwo(gate("--baseline", base.toString(), "--current", truncated.toString()), "truncated");
        expectTwo(gate("--baseline", schema.toString(), "--current", same.toString()), "schema is \"other/v9\"");
        expectTwo(gate("--baseline", base.toString(), "--current", same.toString(), "--tolerance", "1.5"), "tolerance");
        expectTwo(gate("--baseline", base.toString()), "--current");
        expectTwo(gate("--baseline", base.toString(), "--current", "src/test/resources/fixtures/jmh-fixture.json"),
                "cannot compare prefill results baseline");
    }

    @Test
    void deviceOrPresetMismatchExitsTwoUnlessAllowed() {
        Results r = SyntheticRuns.run(2, 300, 1.0);
        Device d = r.devices().getFirst();
        Results other = new Results(r.schema(), r.complete(), r.meta(),
                List.of(new Device(0, "NVIDIA H200", d.computeCapability(), d.sms(), d.memoryBytes(), d.l2Bytes(),
                        d.smClockMHz(), d.memClockMHz(), d.busId())), r.config(), r.captures(), r.workloads(), r.throttling());
        Path h200 = dir.resolve("h200.json");
        ResultsIo.writeAtomically(h200, other);
        expectTwo(gate("--baseline", base.toString(), "--current", h200.toString()),
                "device differs: baseline \"FIXTURE\", current \"NVIDIA H200\"");
        Run allowed = gate("--baseline", base.toString(), "--current", h200.toString(), "--allow-mismatch");
        assertEquals(0, allowed.exit(), allowed.out() + allowed.err());
        assertTrue(allowed.out().contains("note: device differs (allowed)"), allowed.out());
    }

    @Test
    void noCommonWorkloadsExitsTwo() throws IOException {
        ObjectNode o = (ObjectNode) ResultsIo.mapper().readTree(same.toFile());
        for (JsonNode w : (ArrayNode) o.get("workloads")) ((ObjectNode) w).put("name", "renamed-" + w.get("name").asText());
        Path renamed = dir.resolve("renamed.json");
        ResultsIo.mapper().writeValue(renamed.toFile(), o);
        expectTwo(gate("--baseline", base.toString(), "--current", renamed.toString()), "no common workloads");
    }

    @Test
    void jmhFilesGate() throws IOException {
        Path jmh = Path.of("src/test/resources/fixtures/jmh-fixture.json");
        Run pass = gate("--baseline", jmh.toString(), "--current", jmh.toString());
        assertEquals(0, pass.exit(), pass.out() + pass.err());
        assertTrue(pass.out().contains("forward avgt preset=ernie-4.5-0.3b workload=short"), pass.out());
        // graph 15% slower on every point
        ArrayNode arr = (ArrayNode) ResultsIo.mapper().readTree(jmh.toFile());
        for (JsonNode b : arr)
            if (b.get("params").get("mode").asText().equals("graph")) {
                ObjectNode pm = (ObjectNode) b.get("primaryMetric");
                pm.put("score", pm.get("score").asDouble() * 1.15);
            }
        Path slowJmh = dir.resolve("jmh-slow.json");
        ResultsIo.mapper().writeValue(slowJmh.toFile(), arr);
        Run fail = gate("--baseline", jmh.toString(), "--current", slowJmh.toString());
        assertEquals(1, fail.exit(), fail.out() + fail.err());
        assertTrue(fail.out().contains("gate: FAIL (3 rows: 3 SLOWER"), fail.out());
    }

    /** A copy of a results file with one change to its JSON tree. */
    Path edited(Path from, String name, java.util.function.Consumer<ObjectNode> change) throws IOException {
        ObjectNode o = (ObjectNode) ResultsIo.mapper().readTree(from.toFile());
        change.accept(o);
        Path to = dir.resolve(name);
        ResultsIo.mapper().writeValue(to.toFile(), o);
        return to;
    }

    @Test
    void differentRunConditionsAreRefusedNamingEachUnlessAllowed() throws IOException {
        Path noPdl = edited(same, "nopdl.json", o -> ((ObjectNode) o.get("config")).put("pdl", false).put("padSlack", 0));
        expectTwo(gate("--baseline", base.toString(), "--current", noPdl.toString()),
                "run conditions differ: pdl: baseline true, current false; padSlack: baseline 64, current 0 (");
        Run allowed = gate("--baseline", base.toString(), "--current", noPdl.toString(), "--allow-config-diff");
        assertEquals(0, allowed.exit(), allowed.out() + allowed.err());
        assertTrue(allowed.out().contains("note: run condition differs (allowed): pdl: baseline true, current false"), allowed.out());
    }

    @Test
    void aSpunRunIsRefusedAgainstABaselineWrittenBeforeTheField() throws IOException {
        // files without firstTokens synchronized: that is a known condition, so a spun run does not compare against them
        Path old = edited(same, "old-sync.json", o -> ((ObjectNode) o.get("config")).remove("firstTokens"));
        Path spun = edited(same, "spun.json", o -> ((ObjectNode) o.get("config")).put("firstTokens", "spin: the host spins"));
        expectTwo(gate("--baseline", old.toString(), "--current", spun.toString()),
                "run conditions differ: firstTokens: baseline sync: cudaStreamSynchronize after the forward's launch, current spin: the host spins (");
        Run synced = gate("--baseline", old.toString(), "--current", same.toString());
        assertEquals(0, synced.exit(), synced.out() + synced.err());
        assertTrue(!synced.out().contains("firstTokens"), synced.out());
    }

    /** A current whose graph samples ran 30 % slower for the first 40 % of its loop (a JIT warm-up inside it) gets a note. */
    @Test
    void samplesThatMoveWithinTheTimedLoopAreNoted() throws IOException {
        Run steady = gate("--baseline", base.toString(), "--current", same.toString());
        assertTrue(!steady.out().contains("moved within"), steady.out());
        Path drifting = dir.resolve("drifting.json");
        ResultsIo.writeAtomically(drifting, io.prefillbench.results.SampleDriftTest.withDriftingGraph(SyntheticRuns.run(2, 300, 1.0)));
        Run r = gate("--baseline", base.toString(), "--current", drifting.toString());
        assertTrue(r.out().contains("note: current's host samples moved within its timed loop: short graph: "), r.out() + r.err());
        assertTrue(!r.out().contains("baseline's host samples moved"), r.out());
    }

    /** A file written before --warmup-ms / --prime-ms had neither: it reads 0, so a run that used one is refused against it. */
    @ParameterizedTest
    @ValueSource(strings = {"warmupMs", "primeMs"})
    void aRunWithATimedWarmUpOrPrimeIsRefusedAgainstOneWrittenBeforeTheField(String field) throws IOException {
        Path old = edited(same, "old-" + field + ".json", o -> ((ObjectNode) o.get("config")).remove(field));
        Path timed = edited(same, field + ".json", o -> ((ObjectNode) o.get("config")).put(field, 2000));
        expectTwo(gate("--baseline", old.toString(), "--current", timed.toString()),
                "run conditions differ: " + field + ": baseline 0, current 2000 (");
    }

    @Test
    void conditionsAnOldFileLacksAreAWarningNotARefusal() throws IOException {
        Path old = edited(same, "old.json", o -> {
            ObjectNode c = (ObjectNode) o.get("config");
            for (String f : List.of("maxModelLen", "timedBy", "pdl", "padRatio", "padSlack", "modeOrder", "slowdownCycles")) c.remove(f);
        });
        Run r = gate("--baseline", old.toString(), "--current", base.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("note: warning: run conditions not recorded, so not compared: maxModelLen (baseline), timedBy (baseline)"), r.out());
    }

    @Test
    void aBaselineWorkloadMissingFromTheCurrentRunFailsUnlessAllowed() throws IOException {
        Path fewer = edited(same, "fewer.json", o -> ((ArrayNode) o.get("workloads")).remove(3));
        Run r = gate("--baseline", base.toString(), "--current", fewer.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL: long@512: in baseline, missing from current (pass --allow-missing"), r.out());
        assertTrue(r.out().contains("gate: FAIL (4 rows: 0 SLOWER"), r.out());
        Run allowed = gate("--baseline", base.toString(), "--current", fewer.toString(), "--allow-missing");
        assertEquals(0, allowed.exit(), allowed.out() + allowed.err());
    }

    @Test
    void tooFewSamplesAreRefusedNamingTheMinimum() {
        Path one = dir.resolve("one.json");
        ResultsIo.writeAtomically(one, SyntheticRuns.run(4, 1, 1.0));
        expectTwo(gate("--baseline", base.toString(), "--current", one.toString(), "--allow-config-diff"),
                one + ": short@16 has 1 sample per mode; gating needs at least 30 (--min-samples)");
        Run lowered = gate("--baseline", base.toString(), "--current", base.toString(), "--min-samples", "300");
        assertEquals(0, lowered.exit(), lowered.err());
    }

    @Test
    void failOnIsValidatedAndChangesWhatFails() {
        expectTwo(gate("--baseline", base.toString(), "--current", slower.toString(), "--fail-on", "ratio,speed"), "--fail-on: 'speed' is not a metric");
        // the planted slowdown is in the graph path only: judging eager alone passes it
        Run eagerOnly = gate("--baseline", base.toString(), "--current", slower.toString(), "--fail-on", "eager");
        assertEquals(0, eagerOnly.exit(), eagerOnly.out());
        assertTrue(eagerOnly.out().contains("failing metrics: eager"), eagerOnly.out());
    }

    /**
     * A policy file beside the baseline (results/baselines/<device>.fail-on) sets the failing metrics when --fail-on is
     * not given: the planted graph slowdown passes a policy of eager only, and an explicit --fail-on still wins.
     */
    @Test
    void aPolicyBesideTheBaselineSetsWhatFailsUnlessFailOnIsGiven() throws IOException {
        assertEquals(1, gate("--baseline", base.toString(), "--current", slower.toString()).exit());
        Files.writeString(dir.resolve("base.fail-on"), "# this host's graph replay is too noisy to gate (why, for the reader)\neager\n");
        Run policy = gate("--baseline", base.toString(), "--current", slower.toString());
        assertEquals(0, policy.exit(), policy.out() + policy.err());
        assertTrue(policy.out().startsWith("policy: --fail-on eager from " + dir.resolve("base.fail-on")), policy.out());
        assertTrue(policy.out().contains("failing metrics: eager"), policy.out());
        Run explicit = gate("--baseline", base.toString(), "--current", slower.toString(), "--fail-on", "graph");
        assertEquals(1, explicit.exit(), explicit.out());
        assertTrue(!explicit.out().contains("policy:"), explicit.out());
        Files.writeString(dir.resolve("base.fail-on"), "# nothing named\n");
        expectTwo(gate("--baseline", base.toString(), "--current", slower.toString()), "a gate policy file names at least one of ratio,graph,eager");
        Files.writeString(dir.resolve("base.fail-on"), "ratio, speed\n");
        expectTwo(gate("--baseline", base.toString(), "--current", slower.toString()), "--fail-on: 'speed' is not a metric");
    }

    @Test
    void noGraphRunsReportAndGate() throws IOException {
        Path b = edited(base, "b-eager.json", o -> { for (JsonNode w : o.get("workloads")) ((ObjectNode) w).putNull("graph").putNull("speedup"); });
        Path c = edited(same, "c-eager.json", o -> { for (JsonNode w : o.get("workloads")) ((ObjectNode) w).putNull("graph").putNull("speedup"); });
        Run g = gate("--baseline", b.toString(), "--current", c.toString());
        assertEquals(0, g.exit(), g.out() + g.err());
        assertTrue(g.out().contains("| short@16 | n/a | n/a | n/a | n/a |"), g.out());
        CommandLine cl = BenchCli.newCommandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("report", b.toString(), "-o", dir.resolve("eager.html").toString());
        assertEquals(0, exit, err.toString());
        assertTrue(Files.readString(dir.resolve("eager.html")).contains("no workload timed in both modes"));
    }

    @Test
    void committedH100ResultsStillGateAlthoughTheyPredateTheRunConditions() {
        Path results = Path.of("../results");
        Run ab = gate("--baseline", results.resolve("baselines/nvidia-h100-80gb-hbm3.json").toString(),
                "--current", results.resolve("prefill-ernie-4.5-0.3b-h100-20261124-233458-b.json").toString());
        assertEquals(0, ab.exit(), ab.out() + ab.err());
        assertTrue(ab.out().contains("note: warning: run conditions not recorded, so not compared: maxModelLen (both)"), ab.out());
        Run planted = gate("--baseline", results.resolve("gate-checks/prefill-e1949ea.json").toString(),
                "--current", results.resolve("gate-checks/planted-slowdown-e1949ea.json").toString());
        assertEquals(1, planted.exit(), planted.out() + planted.err());
        assertTrue(planted.out().contains("**FAIL: ratio, graph**"), planted.out());
    }

    static void expectTwo(Run r, String expected) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }
}
