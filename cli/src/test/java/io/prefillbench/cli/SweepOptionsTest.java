package io.prefillbench.cli;

import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.SweepResults;
import io.prefillbench.results.SyntheticSweeps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prefill --sweep: everything checked before the GPU is touched (exit 2), the range arithmetic, and the file's round trip. */
class SweepOptionsTest {
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

    @Test
    void badSweepsExit2BeforeTheGpu() {
        String[][] cases = {
                {"--sweep", "512:8:8"}, {"need 1 <= A <= B"},
                {"--sweep", "0:8:8"}, {"need 1 <= A <= B"},
                {"--sweep", "8:512:0"}, {"STEP must be >= 1"},
                {"--sweep", "8-512"}, {"expected A:B:STEP"},
                {"--sweep", "8:8192:8"}, {"above --max-model-len"},
                {"--sweep", "8:300:8", "--max-model-len", "256"}, {"B = 300 is above"},
                {"--sweep", "1:1000:1"}, {"1000 points; at most 512"},
                {"--sweep", "2:64:2", "--sweep-batch", "4"}, {"needs A >= 4"},
                {"--sweep", "8:64:8", "--sweep-batch", "64"}, {"above --max-num-seqs 32"},
                {"--sweep", "8:64:8", "--sizes", "16"}, {"drop --sizes"},
                {"--sweep", "8:64:8", "--prompts", "short"}, {"drop --prompts"},
                {"--sweep", "8:64:8", "--iterations", "0"}, {"--iterations must be in 1..1000000"},
                {"--sweep-batch", "2"}, {"--sweep-batch needs --sweep"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            String[] args = new String[cases[i].length + 1];
            args[0] = "prefill";
            System.arraycopy(cases[i], 0, args, 1, cases[i].length);
            Run r = run(args);
            assertEquals(2, r.exit(), Arrays.toString(args) + " -> " + r.err());
            assertTrue(r.err().contains(cases[i + 1][0]), cases[i + 1][0] + " in: " + r.err());
        }
    }

    @Test
    void rangeAndSplit() {
        SweepRange r = SweepRange.parse("8:512:8", 1, 4096, 32);
        assertEquals(64, r.tokens().length);
        assertEquals(8, r.tokens()[0]);
        assertEquals(512, r.tokens()[63]);
        assertArrayEquals(new int[]{8, 20}, SweepRange.parse("8:25:12", 1, 4096, 32).tokens());
        assertEquals(512, SweepRange.parse("1:512:1", 1, 4096, 32).tokens().length);
        assertArrayEquals(new int[]{4, 3, 3}, SweepRange.parse("3:30:3", 3, 4096, 32).split(10));
        for (int t : new int[]{3, 7, 100, 511}) assertEquals(t, Arrays.stream(SweepRange.parse("3:513:1", 3, 4096, 32).split(t)).sum());
    }

    @Test
    void sweepFileRoundTripsAndFeedsAdvise() throws Exception {
        SweepResults s = SyntheticSweeps.sweep(3, 8, 512, 8);
        Path f = dir.resolve("sweep.json");
        ResultsIo.writeAtomically(f, s);
        SweepResults back = SweepResults.read(f);
        assertEquals(64, back.sweep().size());
        assertEquals(s.sweep().get(10), back.sweep().get(10));
        Files.writeString(dir.resolve("l.txt"), "10\n100\n480\n700\n");
        Run r = run("advise", "--curve", f.toString(), "--lengths", dir.resolve("l.txt").toString(), "--max-graphs", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("64 candidate sizes 8..512"), r.out());
        // a tampered file (points out of order) is refused, naming the point
        String text = Files.readString(f).replaceFirst("\"tokens\" : 16,", "\"tokens\" : 4,");
        Files.writeString(f, text);
        Run bad = run("advise", "--curve", f.toString(), "--lengths", dir.resolve("l.txt").toString());
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("sweep[1].tokens 4 is not above the previous point's 8"), bad.err());
    }

    @Test
    void markdownListsEveryPointAndTotals() {
        String md = SweepRun.markdown(SyntheticSweeps.sweep(3, 8, 64, 8));
        assertEquals(8, md.lines().filter(l -> l.matches("\\| \\d+ \\|.*")).count(), md);
        assertTrue(md.contains("8 sizes captured in"), md);
        assertTrue(List.of(md.split("\n")).get(2).startsWith("| 8 | "), md);
    }
}
