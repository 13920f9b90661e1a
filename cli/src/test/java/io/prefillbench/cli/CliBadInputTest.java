package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.cuda.Cuda;
import io.prefillbench.cuda.KernelLibrary;
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
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Bad input through the real command line: every case must exit 2 with exactly one "error:" line on stderr (plus
 * one "try: ... --help" line for picocli parse errors), print no stack trace, and write nothing: the --json or -o
 * target lies in a folder that must still be empty afterwards (no partial or temp files either). The prefill cases
 * run on a machine without a GPU, so any of them that reached the engine would fail with the no-driver line instead
 * of the expected message.
 */
class CliBadInputTest {
    /** Inputs written once: model configs and broken results files. */
    @TempDir
    static Path in;
    /** Where a case's outputs would go; must stay empty. */
    @TempDir
    Path out;

    /**
     * One rejected command line; "{in}" and "{out}" in args stand for the two folders.
     *
     * @param expected   text the error line must contain (what is wrong, so the user can fix it)
     * @param parseError picocli rejects it while parsing: a "try: ... --help" line follows the error line
     */
    record Case(String name, String expected, boolean parseError, List<String> args) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Run(int exit, String out, String err) {
    }

    private static final String PLAN_JSON = "{out}/plan.json";
    private static final String PREFILL_JSON = "{out}/prefill.json";
    private static final String FIXTURE = "src/test/resources/fixtures/results-fixture.json";

    @BeforeAll
    static void writeInputs() throws IOException {
        Files.writeString(in.resolve("not-json.json"), "hidden_size: 1024\nnum_attention_heads: 16\n");
        Files.writeString(in.resolve("no-vocab.json"), """
                {"hidden_size": 1024, "num_hidden_layers": 18, "num_attention_heads": 16, "num_key_value_heads": 2,
                 "intermediate_size": 3072, "max_position_embeddings": 131072}
                """);
        Files.writeString(in.resolve("hidden-1000.json"), config(1000, 16, 2, null));
        Files.writeString(in.resolve("kv-3.json"), config(1024, 16, 3, null));
        Files.writeString(in.resolve("head-dim-96.json"), config(1536, 16, 2, 96));
        Files.writeString(in.resolve("head-dim-256.json"), config(4096, 16, 2, 256));
        Files.writeString(in.resolve("group-128.json"), config(8192, 128, 1, 64));
        Files.writeString(in.resolve("moe.json"), config(1024, 16, 2, null).replace("{", "{\"num_experts\": 8, "));
        Files.writeString(in.resolve("truncated-config.json"), "{\n  \"hidden_size\": 1024,\n  \"num_attention_heads\": 16,\n");
        Files.createDirectories(in.resolve("model-dir"));
        Files.writeString(in.resolve("empty.json"), "");
        String fixture = Files.readString(Path.of(FIXTURE));
        Files.writeString(in.resolve("truncated.json"), fixture.substring(0, fixture.length() / 2));
        Files.writeString(in.resolve("nan.json"), fixture.replaceFirst("\"p50\" : [0-9.]+", "\"p50\" : NaN"));
        Files.writeString(in.resolve("other-schema.json"), fixture.replaceFirst("\"schema\"\\s*:\\s*\"[^\"]*\"", "\"schema\": \"other-tool/9\""));
    }

    private static String config(int hidden, int heads, int kvHeads, Integer headDim) {
        return "{\"hidden_size\": " + hidden + ", \"num_hidden_layers\": 2, \"num_attention_heads\": " + heads
                + ", \"num_key_value_heads\": " + kvHeads + (headDim == null ? "" : ", \"head_dim\": " + headDim)
                + ", \"intermediate_size\": 512, \"vocab_size\": 512, \"max_position_embeddings\": 4096}";
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        for (String cmd : List.of("prefill", "plan")) {
            String json = cmd.equals("plan") ? PLAN_JSON : PREFILL_JSON;
            c.add(bad(cmd + " --sizes empty", "capture sizes: entry 1 is empty", cmd, "--sizes", "", "--json", json));
            c.add(bad(cmd + " --sizes non-numeric", "'abc' is not an integer", cmd, "--sizes", "16,abc", "--json", json));
            c.add(bad(cmd + " --sizes zero", "0 is not allowed; sizes must be >= 1", cmd, "--sizes", "0", "--json", json));
            c.add(bad(cmd + " --sizes negative", "-16 is not allowed; sizes must be >= 1", cmd, "--sizes", "-16,32", "--json", json));
            c.add(bad(cmd + " --sizes duplicate", "16 is listed twice", cmd, "--sizes", "16,16", "--json", json));
            c.add(bad(cmd + " --sizes beyond int", "99999999999 is above the maximum 4096", cmd, "--sizes", "16,99999999999", "--json", json));
            c.add(bad(cmd + " --sizes absurd", "1000000000 is above the maximum 4096", cmd, "--sizes", "1000000000", "--json", json));
            c.add(bad(cmd + " unknown preset", "unknown model preset 'gpt-17' (known: ernie-4.5-0.3b,", cmd, "--model", "gpt-17", "--json", json));
            c.add(bad(cmd + " --model-config missing file", "missing-config.json not found", cmd,
                    "--model-config", "{in}/missing-config.json", "--json", json));
            c.add(bad(cmd + " --model-config not JSON", "not-json.json is not valid JSON", cmd,
                    "--model-config", "{in}/not-json.json", "--json", json));
            c.add(bad(cmd + " --model-config truncated JSON", "truncated-config.json is not valid JSON", cmd,
                    "--model-config", "{in}/truncated-config.json", "--json", json));
            c.add(bad(cmd + " --model-config folder without config.json", "model-dir/config.json not found", cmd,
                    "--model-config", "{in}/model-dir", "--json", json));
            c.add(bad(cmd + " --model-config missing field", "lacks required field vocab_size", cmd,
                    "--model-config", "{in}/no-vocab.json", "--json", json));
            c.add(bad(cmd + " --model-config hidden not divisible by heads",
                    "hidden_size 1000 not divisible by num_attention_heads 16 (and no head_dim given)", cmd,
                    "--model-config", "{in}/hidden-1000.json", "--json", json));
            c.add(bad(cmd + " --model-config heads not divisible by kv heads",
                    "kv-3.json: num_attention_heads 16 not divisible by num_key_value_heads 3", cmd,
                    "--model-config", "{in}/kv-3.json", "--json", json));
            c.add(bad(cmd + " --model-config head dim 96", "head-dim-96.json: head_dim 96 unsupported (kernels support 64 or 128)", cmd,
                    "--model-config", "{in}/head-dim-96.json", "--json", json));
            c.add(bad(cmd + " --model-config head dim 256", "head-dim-256.json: head_dim 256 unsupported (kernels support 64 or 128)", cmd,
                    "--model-config", "{in}/head-dim-256.json", "--json", json));
            c.add(bad(cmd + " --model-config group 128", "group-128.json: GQA group 128 (num_attention_heads 128 / num_key_value_heads 1) exceeds 64",
                    cmd, "--model-config", "{in}/group-128.json", "--json", json));
            c.add(bad(cmd + " --model-config Mixture-of-Experts", "moe.json: num_experts = 8: Mixture-of-Experts models are not supported",
                    cmd, "--model-config", "{in}/moe.json", "--json", json));
            c.add(bad(cmd + " --max-model-len below the default sizes", "--max-model-len 1 is below the smallest default capture size 8",
                    cmd, "--max-model-len", "1", "--json", json));
            c.add(parse(cmd + " --model and --model-config together", "mutually exclusive", cmd,
                    "--model", "tiny", "--model-config", "{in}/kv-3.json", "--json", json));
            c.add(bad(cmd + " prompt longer than --max-model-len", cmd.equals("plan")
                            ? "prompt length 5000 is above the max model len 4096"
                            : "workload len-5000 has a prompt of 5000 tokens, longer than --max-model-len 4096",
                    cmd, "--prompt-lens", "5000", "--max-model-len", "4096", "--json", json));
            c.add(bad(cmd + " --max-model-len above the model's", "--max-model-len must be in 1..4096 for tiny, got 8192",
                    cmd, "--model", "tiny", "--max-model-len", "8192", "--json", json));
            c.add(parse(cmd + " unknown option", "Unknown option: '--frobnicate'", cmd, "--frobnicate", "--json", json));
        }
        c.add(bad("prefill --batch 4x", "--batch '4x' is malformed", "prefill", "--batch", "4x", "--json", PREFILL_JSON));
        c.add(bad("prefill --batch x80", "--batch 'x80' is malformed", "prefill", "--batch", "x80", "--json", PREFILL_JSON));
        c.add(bad("prefill --batch 4*80", "--batch '4*80' is malformed", "prefill", "--batch", "4*80", "--json", PREFILL_JSON));
        c.add(bad("prefill --batch 0x80", "--batch '0x80': sequences and tokens must be positive", "prefill", "--batch", "0x80", "--json", PREFILL_JSON));
        c.add(bad("prefill --batch above --max-num-seqs", "has 64 sequences, more than --max-num-seqs 32",
                "prefill", "--batch", "64x8", "--json", PREFILL_JSON));
        c.add(bad("prefill --device -1", "--device must be >= 0, got -1", "prefill", "--device", "-1", "--json", PREFILL_JSON));
        c.add(bad("prefill --no-graph --no-eager", "leave nothing to time", "prefill", "--no-graph", "--no-eager", "--json", PREFILL_JSON));
        c.add(bad("prefill --host-timing both", "--host-timing takes separate or events, not 'both'", "prefill", "--host-timing", "both",
                "--json", PREFILL_JSON));
        c.add(bad("prefill --first-tokens poll", "--first-tokens takes sync or spin, not 'poll'", "prefill", "--first-tokens", "poll",
                "--json", PREFILL_JSON));
        c.add(bad("prefill --warmup-ms -1", "--warmup-ms must be in 0..3600000 milliseconds, got -1", "prefill", "--warmup-ms", "-1",
                "--json", PREFILL_JSON));
        c.add(bad("prefill --sweep --warmup-ms -1", "--warmup-ms must be in 0..3600000 milliseconds, got -1", "prefill", "--sweep", "8:16:8",
                "--warmup-ms", "-1", "--json", PREFILL_JSON));
        c.add(bad("prefill --prime-ms -1", "--prime-ms must be in 0..3600000 milliseconds, got -1", "prefill", "--prime-ms", "-1",
                "--json", PREFILL_JSON));
        c.add(bad("prefill --prime-ms above an hour", "--prime-ms must be in 0..3600000 milliseconds, got 3600001", "prefill",
                "--prime-ms", "3600001", "--json", PREFILL_JSON));
        c.add(bad("prefill --sweep --prime-ms -1", "--prime-ms must be in 0..3600000 milliseconds, got -1", "prefill", "--sweep", "8:16:8",
                "--prime-ms", "-1", "--json", PREFILL_JSON));
        c.add(bad("prefill --first-tokens spin --host-timing events", "--first-tokens spin has no effect with --host-timing events",
                "prefill", "--first-tokens", "spin", "--host-timing", "events", "--json", PREFILL_JSON));
        c.add(bad("prefill --sweep --first-tokens poll", "--first-tokens takes sync or spin, not 'poll'", "prefill", "--sweep", "8:16:8",
                "--first-tokens", "poll", "--json", PREFILL_JSON));
        c.add(bad("prefill --sweep --host-timing both", "--host-timing takes separate or events, not 'both'", "prefill", "--sweep", "8:16:8",
                "--host-timing", "both", "--json", PREFILL_JSON));
        c.add(bad("prefill --profile --no-profile", "--profile and --no-profile contradict each other", "prefill", "--profile", "--no-profile",
                "--json", PREFILL_JSON));
        c.add(bad("prefill --sweep --vs-cublas", "--vs-cublas compares a prefill run's profiled GEMMs with cuBLASLt: drop it from --sweep",
                "prefill", "--sweep", "8:16:8", "--vs-cublas", "--json", PREFILL_JSON));
        c.add(bad("prefill --vs-cublas --no-profile", "--vs-cublas compares the profiling pass's GEMMs with cuBLASLt: drop --no-profile",
                "prefill", "--vs-cublas", "--no-profile", "--json", PREFILL_JSON));
        c.add(bad("devices --launch-cost 0", "--launch-cost must be in 1..100000 launches, got 0", "devices", "--launch-cost", "0"));
        c.add(bad("devices --launch-threads 2048", "--launch-threads must be in 1..1024, got 2048", "devices", "--launch-cost", "--launch-threads", "2048"));
        c.add(bad("prefill --iterations 0", "--iterations must be in 1..1000000, got 0", "prefill", "--iterations", "0", "--json", PREFILL_JSON));
        c.add(bad("prefill --iterations 2^31-1", "--iterations must be in 1..1000000, got 2147483647",
                "prefill", "--iterations", "2147483647", "--json", PREFILL_JSON));
        c.add(bad("prefill --warmup -1", "--warmup must be in 0..1000000, got -1", "prefill", "--warmup", "-1", "--json", PREFILL_JSON));
        c.add(bad("prefill --warmup 2^31-1", "--warmup must be in 0..1000000, got 2147483647",
                "prefill", "--warmup", "2147483647", "--json", PREFILL_JSON));
        for (String d : List.of("0", "1e-12", "Infinity", "1e300", "NaN", "-1")) {
            c.add(bad("prefill --duration " + d, "--duration must be in 0.1..3600.0 seconds, got " + Double.parseDouble(d),
                    "prefill", "--duration", d, "--json", PREFILL_JSON));
        }
        c.add(bad("prefill default prompts above --max-model-len", "--max-model-len 100 is shorter than the default prompts",
                "prefill", "--max-model-len", "100", "--sizes", "16", "--json", PREFILL_JSON));
        c.add(bad("jmh -rff onto a directory", "is a directory; name a file inside it",
                "jmh", "PrefillBenchmark", "-rf", "json", "-rff", "{out}"));
        c.add(bad("prefill --impl-choices missing file", "cannot read implementation choices",
                "prefill", "--impl-choices", "{in}/no-such-choices.json", "--json", PREFILL_JSON));
        c.add(bad("prefill --max-num-seqs 0", "--max-num-seqs must be in 1..1024, got 0", "prefill", "--max-num-seqs", "0", "--json", PREFILL_JSON));
        c.add(bad("prefill --prompt-lens 0", "--prompt-lens entries must be positive token counts, got 0",
                "prefill", "--prompt-lens", "0", "--json", PREFILL_JSON));
        c.add(bad("prefill --pad-ratio below 1", "--pad-ratio/--pad-slack", "prefill", "--pad-ratio", "0.5", "--json", PREFILL_JSON));
        c.add(parse("prefill --iterations not a number", "Invalid value for option '--iterations': 'ten' is not an int",
                "prefill", "--iterations", "ten", "--json", PREFILL_JSON));
        c.add(bad("prefill unknown --prompts name", "unknown --prompts entry 'huge'", "prefill", "--prompts", "huge", "--json", PREFILL_JSON));
        c.add(bad("plan shape override heads not divisible", "model ernie-4.5-0.3b: q heads 16 not divisible by --kv-heads 3",
                "plan", "--kv-heads", "3", "--json", PLAN_JSON));
        // what prefill refuses, plan refuses too (same check), naming the flag
        c.add(bad("plan --ffn overflowing int", "model ernie-4.5-0.3b: --ffn = 2147483584 is above the limit 262144",
                "plan", "--ffn", "2147483584", "--json", PLAN_JSON));
        c.add(bad("plan --head-dim 96", "--head-dim 96 unsupported (kernels support 64 or 128)", "plan", "--head-dim", "96", "--json", PLAN_JSON));
        c.add(bad("plan --head-dim 256", "--head-dim 256 unsupported (kernels support 64 or 128)", "plan", "--head-dim", "256", "--json", PLAN_JSON));
        c.add(bad("plan --hidden 1000", "--hidden = 1000 is not a multiple of 64", "plan", "--hidden", "1000", "--json", PLAN_JSON));
        c.add(bad("plan --q-heads 128 --kv-heads 1", "GQA group 128 (--q-heads 128 / --kv-heads 1) exceeds 64",
                "plan", "--q-heads", "128", "--kv-heads", "1", "--json", PLAN_JSON));
        c.add(parse("unknown subcommand", "Unmatched argument at index 0: 'frobnicate'", "frobnicate"));
        c.add(bad("gate baseline missing", "missing.json: no such file",
                "gate", "--baseline", "{in}/missing.json", "--current", FIXTURE, "--json", "{out}/verdict.json"));
        c.add(bad("gate baseline empty", "empty.json: file is empty",
                "gate", "--baseline", "{in}/empty.json", "--current", FIXTURE, "--json", "{out}/verdict.json"));
        c.add(bad("gate baseline truncated", "truncated.json: truncated JSON",
                "gate", "--baseline", "{in}/truncated.json", "--current", FIXTURE, "--json", "{out}/verdict.json"));
        c.add(bad("gate baseline wrong schema", "schema is \"other-tool/9\", expected",
                "gate", "--baseline", "{in}/other-schema.json", "--current", FIXTURE, "--json", "{out}/verdict.json"));
        c.add(parse("gate without --baseline", "Missing required option: '--baseline=FILE'",
                "gate", "--current", FIXTURE, "--json", "{out}/verdict.json"));
        c.add(bad("gate --resamples 2e9", "--resamples must be in 100..100000, got 2000000000",
                "gate", "--baseline", FIXTURE, "--current", FIXTURE, "--resamples", "2000000000", "--json", "{out}/verdict.json"));
        c.add(bad("gate baseline with NaN", "nan.json: NaN at line 79 is not valid JSON (numbers must be finite)",
                "gate", "--baseline", "{in}/nan.json", "--current", FIXTURE, "--json", "{out}/verdict.json"));
        c.add(bad("jmh unknown option", "jmh: frob is not a recognized option (bench.jar jmh -h lists JMH's options)", "jmh", "--frob"));
        c.add(bad("gate negative --tolerance", "tolerance",
                "gate", "--baseline", FIXTURE, "--current", FIXTURE, "--tolerance", "-1", "--json", "{out}/verdict.json"));
        c.add(parse("report without input files", "Missing required parameter: 'FILE'", "report", "-o", "{out}/report.html"));
        c.add(bad("report missing input", "missing.json: no such file", "report", FIXTURE, "{in}/missing.json", "-o", "{out}/report.html"));
        return c.stream();
    }

    private static Case bad(String name, String expected, String... args) {
        return new Case(name, expected, false, List.of(args));
    }

    private static Case parse(String name, String expected, String... args) {
        return new Case(name, expected, true, List.of(args));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithOneLineAndNothingWritten(Case c) throws IOException {
        String[] args = c.args().stream()
                .map(a -> a.replace("{in}", in.toString()).replace("{out}", out.toString()))
                .toArray(String[]::new);
        Run r = run(args);
        String line = assertOneErrorLine(r, c.parseError());
        assertTrue(line.contains(c.expected()), "expected '" + c.expected() + "' in: " + line);
        assertNothingWritten(out);
    }

    @Test
    void casesCoverTheRequiredList() {
        assertTrue(cases().count() >= 24);
        assertEquals(cases().count(), cases().map(Case::name).distinct().count(), "case names must be unique");
    }

    /** A valid prefill for a GPU index this machine does not have: the environment line (no driver here), never a trace. */
    @Test
    void prefillOnMissingDeviceSaysWhatTheMachineLacks() throws IOException {
        Optional<String> unavailable = Cuda.unavailableReason();
        if (unavailable.isEmpty()) assumeTrue(Cuda.deviceCount() <= 5, "this machine has a GPU 5");
        Run r = run("prefill", "--model", "tiny", "--sizes", "16", "--prompt-lens", "10", "--iterations", "1", "--warmup", "0",
                "--device", "5", "--json", out.resolve("prefill.json").toString());
        String line = assertOneErrorLine(r, false);
        if (!KernelLibrary.packed()) {
            assertEquals("error: " + KernelLibrary.BUILT_WITHOUT_KERNELS, line);
        } else if (unavailable.isPresent()) {
            assertEquals("error: " + unavailable.get(), line);
            if (noDriver()) assertTrue(line.startsWith("error: no CUDA driver: "), line);
        } else {
            assertTrue(line.contains("--device 5 is out of range"), line);
        }
        assertNothingWritten(out);
    }

    @Test
    void devicesWithoutGpuNamesTheFix() {
        Optional<String> unavailable = Cuda.unavailableReason();
        assumeTrue(unavailable.isPresent(), "this machine has a usable GPU");
        Run r = run("devices");
        String line = assertOneErrorLine(r, false);
        assertEquals("error: " + unavailable.get(), line);
        if (noDriver()) {
            assertTrue(line.startsWith("error: no CUDA driver: "), line);
            assertTrue(line.contains("install an NVIDIA driver"), line);
        }
    }

    /** jmh without a GPU: the environment line before any fork starts, not six traces and exit 0. */
    @Test
    void jmhWithoutGpuNamesTheFix() throws IOException {
        Optional<String> unavailable = Cuda.unavailableReason();
        assumeTrue(unavailable.isPresent() || !KernelLibrary.packed(), "this machine can run the benchmarks");
        Run r = run("jmh", "-f", "0", "-wi", "0", "-i", "1");
        String line = assertOneErrorLine(r, false);
        assertEquals("error: " + (KernelLibrary.packed() ? unavailable.orElseThrow() : KernelLibrary.BUILT_WITHOUT_KERNELS), line);
        assertNothingWritten(out);
    }

    /** jmh --help is JMH's option list (JMH spells it -h) and exit 0. */
    @Test
    void jmhHelpExitsZero() {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        Run r;
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            r = run("jmh", "--help");
        } finally {
            System.setOut(original);
        }
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertTrue(captured.toString(java.nio.charset.StandardCharsets.UTF_8).contains("-rff <filename>"), captured.toString());
    }

    /** Every list option reads "16, 64" as "16,64": checked on plan's output and on prefill getting past its checks. */
    @Test
    void listOptionsAcceptSpacesAfterCommas() {
        Run plan = run("plan", "--model", "tiny", "--sizes", "16, 64", "--prompt-lens", "10, 40");
        assertEquals(0, plan.exit(), plan.err());
        assertTrue(plan.out().contains("Capture sizes: 16,64;"), plan.out());
        Run plain = run("plan", "--model", "tiny", "--sizes", "16,64", "--prompt-lens", "10,40");
        assertEquals(plain.out(), plan.out());

        // prefill: every list option with spaces; past validation it can only fail on the environment (or run, on a GPU)
        Optional<String> unavailable = Cuda.unavailableReason();
        assumeTrue(unavailable.isPresent() || !KernelLibrary.packed(), "this machine has a GPU: prefill would run");
        Run prefill = run("prefill", "--model", "tiny", "--sizes", "16, 64", "--prompt-lens", "10, 20", "--prompts", "short, long",
                "--batch", "2x8, 4x4", "--max-model-len", "512", "--json", out.resolve("p.json").toString());
        String line = assertOneErrorLine(prefill, false);
        assertEquals("error: " + (KernelLibrary.packed() ? unavailable.orElseThrow() : KernelLibrary.BUILT_WITHOUT_KERNELS), line);
    }

    /** libcudart loads and cudaDriverGetVersion says no driver is installed (independent of cudaGetDeviceCount). */
    private static boolean noDriver() {
        try {
            Cuda.init();
            return Cuda.driverVersion() == 0;
        } catch (BenchException e) {
            return false;
        }
    }

    private static Run run(String... args) {
        var cl = BenchCli.newCommandLine();
        StringWriter o = new StringWriter(), e = new StringWriter();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        int exit = cl.execute(args);
        return new Run(exit, o.toString(), e.toString());
    }

    /** Exit 2, nothing on stdout, no trace, one "error:" line (then "try: ... --help" for parse errors); returns it. */
    private static String assertOneErrorLine(Run r, boolean parseError) {
        String all = r.out() + r.err();
        assertEquals(2, r.exit(), all);
        assertFalse(all.contains("Exception"), all);
        assertFalse(all.contains("\tat "), all);
        assertEquals("", r.out(), "stdout");
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("error:")).count(), r.err());
        assertTrue(lines.getFirst().startsWith("error: "), r.err());
        assertFalse(lines.getFirst().toLowerCase().startsWith("error: error"), r.err());
        if (parseError) {
            assertEquals(2, lines.size(), r.err());
            assertTrue(lines.get(1).matches("try: bench( [a-z]+)? --help"), r.err());
        } else {
            assertEquals(1, lines.size(), r.err());
        }
        return lines.getFirst();
    }

    private static void assertNothingWritten(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "files written by a rejected command");
        }
    }
}
