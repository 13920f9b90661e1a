package io.prefillbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.prefillbench.results.ResultsIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** advise end to end through the CLI, on CSV curves and lengths files: no GPU. */
class AdviseCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        var cl = BenchCli.newCommandLine();
        var out = new StringWriter();
        var err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** A curve shaped like the H100 sweep: eager ~1 ms + 2.2 us/token, graphs 4% cheaper, graph MiB ~0.44, capture ~2.3 ms. */
    static String realisticCsv(int from, int to, int step) {
        StringBuilder sb = new StringBuilder("tokens,eager_ms,graph_ms,graph_mib,capture_ms\n");
        for (int t = from; t <= to; t += step)
            sb.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.3f,%.3f%n", t, 1.0 + 0.0022 * t + 0.01 * Math.sin(t),
                    0.96 + 0.00215 * t + 0.01 * Math.cos(t), 0.40 + 0.0002 * t, 2.0 + 0.001 * t));
        return sb.toString();
    }

    @Test
    void csvCurveAndLengthsFileGiveSizesAndJsonWithoutAGpu() throws Exception {
        Path curve = file("curve.csv", realisticCsv(8, 512, 8));
        StringBuilder lens = new StringBuilder("# prompt lengths\n");
        for (int i = 0; i < 300; i++) lens.append(10 + (i * 37) % 700).append('\n');
        Path lengths = file("lengths.txt", lens.toString());
        Path json = dir.resolve("advice.json");
        Run r = run("advise", "--curve", curve.toString(), "--lengths", lengths.toString(), "--max-graphs", "6",
                "--sizes", "16,64,512", "--json", json.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("chosen sizes ("), r.out());
        for (String row : List.of("| chosen |", "| current (--sizes) |", "| powers of two |", "| vLLM-like ladder |", "| SGLang-like ladder |", "| no graphs (eager) |"))
            assertTrue(r.out().contains(row), row + " in\n" + r.out());
        JsonNode a = ResultsIo.mapper().readTree(json.toFile());
        assertEquals("prefillbench/advice/v1", a.get("schema").asText());
        // provenance without CUDA: the jar's commit and the command line; a CSV curve names no device
        assertTrue(a.path("meta").path("gitSha").isTextual() && !a.path("meta").path("gitSha").asText().isEmpty(), a.toString());
        assertEquals("advise", a.path("meta").path("argv").path(0).asText(), a.toString());
        assertTrue(a.path("devices").isNull() || a.path("devices").isMissingNode(), a.toString());
        // the output never replaces an input
        Run clobber = run("advise", "--curve", curve.toString(), "--lengths", lengths.toString(), "--json", lengths.toString());
        assertEquals(2, clobber.exit(), clobber.err());
        assertTrue(clobber.err().contains("is also an input of this command"), clobber.err());
        assertTrue(a.get("sizes").isArray() && a.get("sizes").size() >= 1 && a.get("sizes").size() <= 6, a.toString());
        double expected = a.get("expectedMs").asDouble();
        assertTrue(expected > 0.9 && expected < 3, a.toString());
        // the optimum is no worse than any comparison set within the same budget, and strictly better than no graphs
        for (JsonNode row : a.get("comparisons")) {
            if (row.get("sizes").size() <= 6) assertTrue(expected <= row.get("expectedMs").asDouble() + 1e-12, row.toString());
            if (row.get("name").asText().startsWith("no graphs")) assertTrue(expected < row.get("expectedMs").asDouble(), row.toString());
        }
        assertEquals(a.get("sizes").size(), a.get("marginal").size());
        for (JsonNode m : a.get("marginal")) assertTrue(m.get("savedMs").asDouble() >= -1e-12, m.toString()); // optimal: removing never helps
    }

    @Test
    void budgetsOnA64RowCurveAreExactAndFast() throws Exception {
        Path curve = file("curve.csv", realisticCsv(8, 512, 8));
        Path json = dir.resolve("advice.json");
        Run r = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> run("advise", "--curve", curve.toString(),
                "--length-dist", "lognormal:5.0,1.0", "--samples", "20000", "--seed", "7",
                "--max-graphs", "12", "--max-graph-mib", "4", "--max-capture-ms", "22", "--json", json.toString()));
        assertEquals(0, r.exit(), r.err());
        JsonNode a = ResultsIo.mapper().readTree(json.toFile());
        assertTrue(a.get("graphMib").asDouble() <= 4 + 1e-9, a.toString());
        assertTrue(a.get("captureMs").asDouble() <= 22 + 1e-9, a.toString());
        assertTrue(a.get("sizes").size() <= 12, a.toString());
    }

    @Test
    void csvErrorsExit2NamingTheLine() throws Exception {
        record Case(String csv, String expect) {
        }
        List<Case> cases = new ArrayList<>(List.of(
                new Case("tokens,eager_ms,graph_ms\n8,1.0,0.9\n16,abc,0.9\n", "line 3: eager_ms 'abc' is not a number"),
                new Case("tokens,eager_ms\n8,1.0\n", "line 1: header lacks 'graph_ms'"),
                new Case("tokens,eager_ms,graph_ms,latency\n8,1,1,1\n", "line 1: unknown column 'latency'"),
                new Case("tokens,eager_ms,graph_ms\n8,1.0,0.9\n\n8,1.1,0.9\n", "line 4: tokens 8 appears twice"),
                new Case("tokens,eager_ms,graph_ms\n8,1.0\n", "line 2: has 2 fields, the header has 3"),
                new Case("tokens,eager_ms,graph_ms\n8.5,1.0,0.9\n", "line 2: tokens '8.5' is not an integer"),
                new Case("tokens,eager_ms,graph_ms\n8,1.0,-2\n", "line 2: graph_ms must be > 0"),
                new Case("tokens,eager_ms,graph_ms\n", "line 1: header but no rows"),
                new Case("", "file is empty")));
        Path lengths = file("l.txt", "10\n20\n");
        for (Case c : cases) {
            Path curve = file("bad.csv", c.csv());
            Run r = run("advise", "--curve", curve.toString(), "--lengths", lengths.toString());
            assertEquals(2, r.exit(), c + " -> " + r.err());
            assertTrue(r.err().contains(c.expect()), c.expect() + " in: " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void lengthsAndOptionErrorsExit2() throws Exception {
        Path curve = file("curve.csv", realisticCsv(8, 64, 8));
        Path good = file("good.txt", "10\n");
        record Case(String[] args, String expect) {
        }
        List<Case> cases = List.of(
                new Case(new String[]{"--lengths", file("a.txt", "10\n\nx7\n").toString()}, "line 3: 'x7' is not a token count"),
                new Case(new String[]{"--lengths", file("b.txt", "10\n0\n").toString()}, "line 2: 0 is outside 1..4096"),
                new Case(new String[]{"--lengths", file("c.txt", "# nothing\n").toString()}, "no token counts"),
                new Case(new String[]{"--lengths", dir.resolve("missing.txt").toString()}, "no such file"),
                new Case(new String[]{}, "exactly one of --lengths FILE or --length-dist"),
                new Case(new String[]{"--lengths", good.toString(), "--length-dist", "uniform:1:9"}, "exactly one of"),
                new Case(new String[]{"--length-dist", "normal:1,2"}, "expected lognormal:MU,SIGMA or uniform:A:B"),
                new Case(new String[]{"--length-dist", "uniform:9:1"}, "need 1 <= A <= B"),
                new Case(new String[]{"--lengths", good.toString(), "--sizes", "4,16"}, "--sizes: 4 is outside the curve's range 8..64"),
                new Case(new String[]{"--lengths", good.toString(), "--max-graphs", "-1"}, "--max-graphs must be >= 0"),
                new Case(new String[]{"--lengths", good.toString(), "--pad-ratio", "0.5"}, "--pad-ratio/--pad-slack"));
        for (Case c : cases) {
            List<String> args = new ArrayList<>(List.of("advise", "--curve", curve.toString()));
            args.addAll(List.of(c.args()));
            Run r = run(args.toArray(String[]::new));
            assertEquals(2, r.exit(), args + " -> " + r.err());
            assertTrue(r.err().contains(c.expect()), c.expect() + " in: " + r.err());
        }
        Path noMib = file("nomib.csv", "tokens,eager_ms,graph_ms\n8,1,0.9\n");
        Run r = run("advise", "--curve", noMib.toString(), "--lengths", good.toString(), "--max-graph-mib", "10");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("graph_mib column"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
