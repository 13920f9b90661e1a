package io.prefillbench.cli;

import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.SyntheticRuns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No command's output replaces one of its inputs, a link, a directory, a device, or (without --force) a foreign file. */
class OutputPathTest {
    @TempDir
    Path dir;
    Path run, other;
    String runText;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void writeRuns() throws IOException {
        run = dir.resolve("run.json");
        other = dir.resolve("other.json");
        ResultsIo.writeAtomically(run, SyntheticRuns.run(1, 40, 1.0));
        ResultsIo.writeAtomically(other, SyntheticRuns.run(2, 40, 1.0));
        runText = Files.readString(run);
    }

    static Run bench(String... args) {
        CommandLine cl = BenchCli.newCommandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static void refused(Run r, String expected) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }

    @Test
    void reportOntoItsOwnInputIsRefusedAndTheInputSurvives() throws IOException {
        refused(bench("report", run.toString(), "-o", run.toString()), "-o " + run + " is also an input of this command");
        // through another spelling of the same file
        refused(bench("report", run.toString(), "-o", dir.resolve(".").resolve("run.json").toString()), "is also an input");
        assertEquals(runText, Files.readString(run));
    }

    @Test
    void gateJsonOntoTheBaselineIsRefused() throws IOException {
        refused(bench("gate", "--baseline", run.toString(), "--current", other.toString(), "--json", run.toString()),
                "--json " + run + " is also an input of this command");
        assertEquals(runText, Files.readString(run));
    }

    @Test
    void linksDirectoriesAndDevicesAreRefused() throws IOException {
        Path target = Files.writeString(dir.resolve("target.html"), "mine");
        Path link = Files.createSymbolicLink(dir.resolve("link.html"), target);
        refused(bench("report", run.toString(), "-o", link.toString()), "is a symbolic link");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("mine", Files.readString(target));
        refused(bench("report", run.toString(), "-o", dir.toString()), "is a directory");
        refused(bench("report", run.toString(), "-o", "/dev/null"), "is not a regular file");
    }

    @Test
    void aForeignFileNeedsForceAndOurOwnOutputsAreReplaced() throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.html"), "my notes");
        refused(bench("report", run.toString(), "-o", notes.toString()), "exists and was not written by prefillbench; pass --force");
        assertEquals("my notes", Files.readString(notes));
        assertEquals(0, bench("report", run.toString(), "-o", notes.toString(), "--force").exit());
        assertTrue(OutputPath.writtenByUs(notes));
        // a report, a gate verdict and a results file written by the tool are replaced without --force
        assertEquals(0, bench("report", run.toString(), "-o", notes.toString()).exit());
        Path verdict = dir.resolve("verdict.json");
        assertEquals(0, bench("gate", "--baseline", run.toString(), "--current", other.toString(), "--json", verdict.toString()).exit());
        assertEquals(0, bench("gate", "--baseline", run.toString(), "--current", other.toString(), "--json", verdict.toString()).exit());
        assertTrue(OutputPath.writtenByUs(run));
    }

    @Test
    void emptyPathAndUnwritableLocationsSayWhy() throws IOException {
        refused(bench("report", run.toString(), "-o", ""), "-o: the output path is empty; name a file");
        Files.writeString(dir.resolve("plain"), "x");
        Run r = bench("report", run.toString(), "-o", dir.resolve("plain/sub/r.html").toString());
        refused(r, "cannot write in " + dir.resolve("plain/sub") + ": ");
        assertFalse(r.err().strip().endsWith(": "), r.err());
    }

    @Test
    void everyCommandCreatesMissingParentDirectories() {
        Path html = dir.resolve("a/b/report.html"), verdict = dir.resolve("c/d/verdict.json");
        assertEquals(0, bench("report", run.toString(), "-o", html.toString()).exit());
        assertEquals(0, bench("gate", "--baseline", run.toString(), "--current", other.toString(), "--json", verdict.toString()).exit());
        assertTrue(Files.isRegularFile(html) && Files.isRegularFile(verdict));
    }

    @Test
    void prefillFailsFastOnAnUnwritableJsonBeforeTouchingCuda() throws IOException {
        Files.writeString(dir.resolve("plain"), "x");
        Run r = bench("prefill", "--model", "tiny", "--sizes", "16", "--json", dir.resolve("plain/r.json").toString());
        refused(r, "--json " + dir.resolve("plain/r.json") + ": cannot write in " + dir.resolve("plain"));
        assertFalse(r.err().contains("CUDA"), r.err()); // without a GPU, reaching the engine would say "no CUDA driver"
        // a foreign .hlog where the histogram would go is caught before the run too
        Path hlog = Files.writeString(dir.resolve("p.short.graph.hlog"), "someone else's");
        refused(bench("prefill", "--model", "tiny", "--sizes", "16", "--prompts", "short", "--json", dir.resolve("p.json").toString()),
                hlog + " exists and was not written by prefillbench");
    }

    @Test
    void prefillAndSweepJsonOntoTheirChoicesFilesAreRefused() throws IOException {
        // a choices file written by the tool's own tune-gemm carries its meta block: --force would not protect it, the input check does
        Path choices = Files.writeString(dir.resolve("choices.json"), io.prefillbench.forward.ImplChoices.none().toJson());
        String text = Files.readString(choices);
        refused(bench("prefill", "--model", "tiny", "--sizes", "16", "--impl-choices", choices.toString(), "--json", choices.toString(), "--force"),
                "--json " + choices + " is also an input of this command");
        refused(bench("prefill", "--model", "tiny", "--sizes", "16", "--layout-with", choices.toString(), "--json", choices.toString(), "--force"),
                "is also an input of this command");
        refused(bench("prefill", "--model", "tiny", "--sweep", "8:16:8", "--layout-with", choices.toString(), "--json", choices.toString(), "--force"),
                "is also an input of this command");
        assertEquals(text, Files.readString(choices));
    }
}
