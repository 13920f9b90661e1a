package io.prefillbench.cli;

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

class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesHtmlAndPrintsMarkdownTables() throws IOException {
        Path html = dir.resolve("r/report.html");
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BenchCli.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("report", "src/test/resources/fixtures/results-fixture.json",
                "src/test/resources/fixtures/jmh-fixture.json", "-o", html.toString());
        assertEquals(0, exit, err.toString());
        assertTrue(Files.readString(html).startsWith("<!DOCTYPE html>"));
        String md = out.toString();
        assertTrue(md.contains("| workload | tokens | padded | eager p50 |"), md);
        assertTrue(md.contains("| batch (fallback: 960 tokens exceed the largest captured size 512; ran eager) | 960 | 960 |"), md);
        assertTrue(md.contains("| benchmark | mode | params | eager |"), md);
        assertTrue(md.contains("wrote " + html), md);
    }

    @Test
    void unreadableInputExitsTwoAndWritesNothing() {
        Path html = dir.resolve("report.html");
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BenchCli.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("report", "src/test/resources/fixtures/results-fixture.json", dir.resolve("missing.json").toString(),
                "-o", html.toString());
        assertEquals(2, exit);
        assertTrue(err.toString().startsWith("error: ") && err.toString().contains("missing.json: no such file"), err.toString());
        assertFalse(Files.exists(html));
    }

    /** {@code report results/*.json} with serve files among them: every file read, serve runs charted, their tables on stdout. */
    @Test
    void serveFilesAmongTheCommittedResults() throws IOException {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("report"));
        try (var files = Files.list(Path.of("../results"))) {
            files.filter(f -> f.toString().endsWith(".json")).sorted().forEach(f -> args.add(f.toString()));
        }
        int committed = args.size() - 1;
        for (Path f : io.prefillbench.results.SyntheticServes.writeStudy(dir, io.prefillbench.results.SyntheticServes.Costs.H100, java.util.List.of(5.0, 50.0)))
            args.add(f.toString());
        Path html = dir.resolve("report.html");
        args.addAll(java.util.List.of("-o", html.toString()));
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BenchCli.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
        String page = Files.readString(html);
        assertTrue(page.contains((committed + 6) + " input files."), "every file read");
        assertTrue(page.contains("id=\"serve-sweep\""), "serve runs charted");
        String md = out.toString();
        assertEquals(6, md.split("\\| policy \\| requests \\| req/s \\|", -1).length - 1, "one serve table per serve file: " + md);
        assertTrue(md.contains("## " + dir.resolve("serve-prefill-first-r50.json") + " (serve, Synthetic GPU, ernie-4.5-0.3b)"), md);
        assertTrue(md.contains("| workload | tokens | padded |"), "prefill tables still printed");
    }
}
