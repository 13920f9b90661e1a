package io.prefillbench.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to {@code serve} and {@code prefill --mix} through the real command line: exit 2, one
 * "error:" line naming what to fix (the trace line, the mix term), nothing on stdout, no stack
 * trace, nothing written. All of it is rejected before the GPU is touched: on this machine without
 * a GPU a case that reached the engine would fail with the no-driver line instead.
 */
class ServeBadInputTest {
    @TempDir
    static Path in;
    @TempDir
    Path out;

    record Case(String name, String expected, boolean parseError, List<String> args) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Run(int exit, String out, String err) {
    }

    private static final String JSON = "{out}/serve.json";
    private static final String STEPS = "{out}/steps.csv";

    @BeforeAll
    static void writeTraces() throws IOException {
        Files.writeString(in.resolve("bad-number.csv"), "arrival_ms,prompt_tokens,output_tokens\n0,80,16\n12.5,abc,16\n");
        Files.writeString(in.resolve("bad-time.csv"), "0,80,16\n1e,80,16\n");
        Files.writeString(in.resolve("negative.csv"), "# a comment\n\n-5,80,16\n");
        Files.writeString(in.resolve("unsorted.csv"), "arrival_ms,prompt_tokens,output_tokens\n0,80,16\n50,80,16\n20,80,16\n");
        Files.writeString(in.resolve("empty.csv"), "");
        Files.writeString(in.resolve("header-only.csv"), "arrival_ms,prompt_tokens,output_tokens\n");
        Files.writeString(in.resolve("two-fields.csv"), "0,80\n");
        Files.writeString(in.resolve("zero-output.csv"), "0,80,16\n10,80,0\n");
        Files.writeString(in.resolve("too-long.csv"), "0,80,16\n5,4000,100\n");
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(bad("trace bad number", "line 3: prompt_tokens 'abc' is not a whole number", "--trace", "{in}/bad-number.csv"));
        c.add(bad("trace bad time", "line 2: arrival_ms '1e' is not a number", "--trace", "{in}/bad-time.csv"));
        c.add(bad("trace negative time", "line 3: arrival_ms -5 is negative", "--trace", "{in}/negative.csv"));
        c.add(bad("trace unsorted", "line 4: arrival_ms 20 is before the previous line's 50.0 (sort the trace by arrival)", "--trace", "{in}/unsorted.csv"));
        c.add(bad("trace empty file", "empty.csv: no requests (the file is empty", "--trace", "{in}/empty.csv"));
        c.add(bad("trace header only", "header-only.csv: no requests", "--trace", "{in}/header-only.csv"));
        c.add(bad("trace two fields", "line 1: expected 3 fields arrival_ms,prompt_tokens,output_tokens, got 2", "--trace", "{in}/two-fields.csv"));
        c.add(bad("trace zero output", "line 2: output_tokens must be >= 1, got 0", "--trace", "{in}/zero-output.csv"));
        c.add(bad("trace missing file", "missing.csv: no such file", "--trace", "{in}/missing.csv"));
        c.add(bad("trace request longer than the KV", "KV cache too small for the request on trace line 2: prompt 4000 + output 100 - 1 tokens exceed --max-model-len 4096",
                "--trace", "{in}/too-long.csv"));
        c.add(bad("rate zero", "--rate must be a positive number of requests per second, got 0.0", "--rate", "0", "--requests", "10"));
        c.add(bad("rate negative", "--rate must be a positive number", "--rate", "-2", "--requests", "10"));
        c.add(bad("neither rate nor trace", "give exactly one of --rate R (Poisson arrivals) or --trace FILE", "--requests", "10"));
        c.add(bad("rate and trace", "give exactly one of --rate", "--rate", "2", "--trace", "{in}/unsorted.csv"));
        c.add(bad("output length 0", "--output-len must be at least 1 token, got 0", "--rate", "2", "--requests", "10", "--output-len", "0"));
        c.add(bad("output length uniform from 0", "--output-len '0:8': need 1 <= a <= b", "--rate", "2", "--requests", "10", "--output-len", "0:8"));
        c.add(bad("prompt length malformed", "--prompt-len '12x' is malformed", "--rate", "2", "--requests", "10", "--prompt-len", "12x"));
        c.add(bad("KV too small for one request", "KV cache too small for one request: prompt 3000 + output 2000 - 1 tokens exceed --max-model-len 4096",
                "--rate", "2", "--requests", "10", "--prompt-len", "3000", "--output-len", "2000"));
        c.add(bad("rate without a bound", "bound the run with --requests N or --duration SECONDS", "--rate", "2"));
        c.add(bad("requests zero", "--requests must be at least 1, got 0", "--rate", "2", "--requests", "0"));
        c.add(bad("unknown policy", "unknown --policy 'fifo': use mixed, prefill-first or eager", "--rate", "2", "--requests", "5", "--policy", "fifo"));
        c.add(bad("batch prompts zero", "--batch-prompts must be at least 1, got 0", "--rate", "2", "--requests", "5", "--batch-prompts", "0"));
        c.add(bad("batch timeout negative", "--batch-timeout-ms must be >= 0", "--rate", "2", "--requests", "5", "--batch-timeout-ms", "-1"));
        c.add(new Case("rate not a number", "Invalid value for option '--rate': 'fast' is not a double", true, List.of("serve", "--rate", "fast", "--json", JSON)));
        // prefill --mix
        c.add(mix("mix decode prefix too long", "term '31d@4096' needs prefix + query = 4097 tokens, more than --max-model-len 4096", "1x80+31d@4096"));
        c.add(mix("mix count zero", "term '0x80' has count 0, must be >= 1", "0x80+4d@100"));
        c.add(mix("mix decode count zero", "term '0d@100' has count 0, must be >= 1", "0d@100"));
        c.add(mix("mix malformed", "term '4y80' is malformed", "4y80"));
        c.add(mix("mix decode without prefix", "decode term '4d' needs its prefix: Nd@P", "4d"));
        c.add(mix("mix too many sequences", "--mix '64d@1024' has 64 sequences, more than --max-num-seqs 32", "64d@1024"));
        c.add(mix("mix too many tokens", "--mix '2x300' has 600 query tokens, more than the largest capture size 512", "2x300"));
        c.add(mix("mix empty term", "term '' is malformed", "1x80+"));
        return c.stream();
    }

    private static Case bad(String name, String expected, String... args) {
        List<String> a = new ArrayList<>(List.of("serve", "--model", "tiny", "--json", JSON, "--steps-log", STEPS));
        a.addAll(List.of(args));
        return new Case(name, expected, false, a);
    }

    private static Case mix(String name, String expected, String spec) {
        return new Case(name, expected, false, List.of("prefill", "--model", "tiny", "--mix", spec, "--json", "{out}/prefill.json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithOneLineAndNothingWritten(Case c) throws IOException {
        String[] args = c.args().stream().map(a -> a.replace("{in}", in.toString()).replace("{out}", out.toString())).toArray(String[]::new);
        Run r = run(args);
        String all = r.out() + r.err();
        assertEquals(2, r.exit(), all);
        assertFalse(all.contains("Exception") || all.contains("\tat "), all);
        assertEquals("", r.out(), "stdout");
        List<String> lines = r.err().lines().toList();
        assertEquals(c.parseError() ? 2 : 1, lines.size(), r.err());
        assertTrue(lines.getFirst().startsWith("error: "), r.err());
        assertTrue(lines.getFirst().contains(c.expected()), "expected '" + c.expected() + "' in: " + lines.getFirst());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(), files.toList(), "files written by a rejected command");
        }
    }

    @Test
    void caseNamesAreUnique() {
        assertEquals(cases().count(), cases().map(Case::name).distinct().count());
    }

    private static Run run(String... args) {
        var cl = BenchCli.newCommandLine();
        StringWriter o = new StringWriter(), e = new StringWriter();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        int exit = cl.execute(args);
        return new Run(exit, o.toString(), e.toString());
    }
}
