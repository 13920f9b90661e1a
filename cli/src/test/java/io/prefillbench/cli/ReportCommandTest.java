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
}
