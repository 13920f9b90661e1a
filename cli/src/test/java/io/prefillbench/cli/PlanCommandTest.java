package io.prefillbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanCommandTest {
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
    void defaultErnieShapePlansAllDefaultSizes() {
        var r = run("plan", "--prompt-lens", "10,37,480,1000");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(group 8)"), r.out());
        assertTrue(r.out().contains("| 512 | 32 | 64 | 92 | 92 | ok | 31x1 + 481 |"), r.out());
        assertFalse(r.out().contains("UNDER"), r.out());
        assertTrue(r.out().contains("| 1000 | - | CHUNKED | 2 | 1024 |"), r.out());
        assertTrue(r.out().contains("| residual | [512, 1024] bf16 | 1048576 | 1.00 |"), r.out());
        assertTrue(r.out().contains("Weights: 318,280,704 parameters"), r.out());
    }

    @Test
    void group5ShapeFlagsHeuristicUnderCount() {
        // 10 q / 2 kv heads: group 5. T=26 in 2 sequences: [13, 13] = 2 + 2 tiles, [1, 25] = 1 + 2.
        var r = run("plan", "--q-heads", "10", "--kv-heads", "2", "--sizes", "16,26", "--max-num-seqs", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| 26 | 2 | 64 | 4 | 3 | UNDER by 1 | 2x13 |"), r.out());
        assertTrue(r.out().contains("| 16 | 2 | 64 | 3 | 3 | ok | 1 + 15 |"), r.out()); // 1 + ceil(75/64)
        assertTrue(r.out().contains("1 size(s) UNDER"), r.out());
    }

    @Test
    void group7AtSize512IsUnder() {
        var r = run("plan", "--q-heads", "28", "--kv-heads", "4", "--head-dim", "128", "--hidden", "3584",
                "--layers", "28", "--ffn", "18944", "--vocab", "152064", "--untied-embeddings", "--sizes", "64,512");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| 512 | 32 | 64 | 85 | 84 | UNDER by 1 |"), r.out());
    }

    @Test
    void group5PresetFlagsUnderRows() {
        // 20 q / 4 kv heads: group 5. At 128 tokens, 24 x 1 + 8 x 13 tokens = 24 + 8 * ceil(65/64) = 40 tiles,
        // while [31 x 1, 97] gives 31 + ceil(485/64) = 39.
        var r = run("plan", "--model", "ernie-4.5-21b-a3b-attn");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("q heads 20 / kv heads 4 (group 5), head dim 128, hidden 2560, layers 28"), r.out());
        assertTrue(r.out().contains("| 96 | 32 | 64 | 37 | 37 | ok |"), r.out());
        assertTrue(r.out().contains("| 128 | 32 | 64 | 40 | 39 | UNDER by 1 | 24x1 + 8x13 |"), r.out());
        assertTrue(r.out().contains("| 512 | 32 | 64 | 71 | 69 | UNDER by 2 |"), r.out());
        assertTrue(r.out().contains("7 size(s) UNDER"), r.out());
    }

    @Test
    void hfConfigGivesTheSameShapeAsTheFlags(@TempDir Path dir) throws Exception {
        // Qwen2.5-7B's config.json (no head_dim: 3584 / 28 heads = 128), planned against the same shape given by flags
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"model_type": "qwen2", "hidden_size": 3584, "num_hidden_layers": 28, "num_attention_heads": 28,
                 "num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 152064,
                 "max_position_embeddings": 32768, "rope_theta": 1000000.0, "rms_norm_eps": 1e-06,
                 "tie_word_embeddings": false}
                """);
        var fromConfig = run("plan", "--model-config", config.toString(), "--sizes", "64,512");
        assertEquals(0, fromConfig.exit(), fromConfig.err());
        assertTrue(fromConfig.out().contains("q heads 28 / kv heads 4 (group 7), head dim 128, hidden 3584, layers 28, ffn 18944, vocab 152064\n"),
                fromConfig.out());
        assertTrue(fromConfig.out().contains("| 512 | 32 | 64 | 85 | 84 | UNDER by 1 |"), fromConfig.out());
        var fromFlags = run("plan", "--q-heads", "28", "--kv-heads", "4", "--head-dim", "128", "--hidden", "3584",
                "--layers", "28", "--ffn", "18944", "--vocab", "152064", "--untied-embeddings", "--sizes", "64,512");
        assertEquals(fromFlags.out(), fromConfig.out());
    }

    @Test
    void shapeFlagsOverrideOnlyTheirFieldOfThePreset() {
        var r = run("plan", "--model", "tiny", "--kv-heads", "1", "--sizes", "16,64");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Model: q heads 4 / kv heads 1 (group 4), head dim 64, hidden 256, layers 2, ffn 512, vocab 512, tied embeddings\n"),
                r.out());
        var untied = run("plan", "--model", "tiny", "--untied-embeddings", "--sizes", "16");
        assertTrue(untied.out().contains("vocab 512\n"), untied.out());
    }

    @Test
    void maxModelLenAboveThePresetsPositionsIsBadInput() {
        var r = run("plan", "--model", "tiny", "--max-model-len", "8192");
        assertEquals(2, r.exit());
        assertEquals("error: --max-model-len must be in 1..4096 for tiny, got 8192", r.err().strip());
    }

    @Test
    void jsonFileHoldsTheReport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plan.json");
        var r = run("plan", "--q-heads", "10", "--kv-heads", "2", "--sizes", "26", "--max-num-seqs", "2",
                "--prompt-lens", "20", "--json", file.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertEquals(26, root.at("/sizes/0/size").asInt());
        assertEquals(4, root.at("/sizes/0/exactTiles").asInt());
        assertEquals(3, root.at("/sizes/0/heuristicTiles").asInt());
        assertTrue(root.at("/sizes/0/under").asBoolean());
        assertEquals("GRAPH", root.at("/prompts/0/mode").asText());
        assertEquals(5, root.at("/shape/qHeads").asInt() / root.at("/shape/kvHeads").asInt());
        assertEquals(root.at("/params").asLong() * 2, root.at("/weightBytes").asLong());
    }

    @Test
    void badInputExitsTwoWithMessage() {
        var dup = run("plan", "--sizes", "16,64,16");
        assertEquals(2, dup.exit());
        assertEquals("error: capture sizes: 16 is listed twice; sizes must be distinct", dup.err().strip());
        var zero = run("plan", "--sizes", "0,16");
        assertEquals(2, zero.exit());
        assertTrue(zero.err().contains("0 is not allowed"), zero.err());
        var tooBig = run("plan", "--sizes", "8192", "--max-model-len", "4096");
        assertEquals(2, tooBig.exit());
        assertTrue(tooBig.err().contains("8192 is above the maximum 4096"), tooBig.err());
        var word = run("plan", "--sizes", "16,big");
        assertEquals(2, word.exit());
        assertTrue(word.err().contains("'big' is not an integer"), word.err());
        var empty = run("plan", "--sizes", "16,,64");
        assertEquals(2, empty.exit());
        assertTrue(empty.err().contains("entry 2 is empty"), empty.err());
        var heads = run("plan", "--q-heads", "16", "--kv-heads", "3");
        assertEquals(2, heads.exit());
        assertTrue(heads.err().contains("--q-heads 16 not divisible by --kv-heads 3"), heads.err());
        var prompt = run("plan", "--prompt-lens", "10,0");
        assertEquals(2, prompt.exit());
        assertTrue(prompt.err().contains("prompt length 0"), prompt.err());
        var notNumber = run("plan", "--prompt-lens", "ten");
        assertEquals(2, notNumber.exit());
        var seqs = run("plan", "--max-num-seqs", "0");
        assertEquals(2, seqs.exit());
        var guard = run("plan", "--pad-ratio", "0.5");
        assertEquals(2, guard.exit());
        assertTrue(guard.err().contains("padding guard"), guard.err());
        assertEquals("", dup.out());
    }

    /** The sample choices file of the bench tests: persistentLayers on at bucket 16 only. */
    private static final String PERSIST16 = "../bench/src/test/resources/io/prefillbench/forward/choices-persist16.json";

    @Test
    void persistentLayersFromAChoicesFileShowInThePlanAndTheDump(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("ops.txt");
        var r = run("plan", "--sizes", "16,64", "--impl-choices", PERSIST16, "--dump-ops", dump.toString());
        assertEquals(0, r.exit(), r.err());
        // embed, one op for the 18 layers, final norm, LM head, argmax at 16; 64 keeps its 9 kernels per layer
        // six launches: build_tile_map (it copies the metadata in), embed, the layers, final norm, LM head, argmax
        assertTrue(r.out().contains("| 16 | 6 | 1 | 0.00 | layer layer_persistent, lm_head gemm_bf16_stream_m16 |"), r.out());
        assertTrue(r.out().contains("| 64 | 167 | 9 |"), r.out());
        assertTrue(r.out().contains("s0  layers layer_persistent grid=128x1x1 (128, 1, 1) fused=L0.input_norm+"), r.out());
        assertTrue(r.out().contains("+L17.silu_mul+L17.down"), r.out());
        assertTrue(r.out().contains("| grid_barrier | [1] uint64 layer_persistent grid barrier (arrivals, never reset) | 8 |"), r.out());
        java.util.List<String> lines = Files.readAllLines(dump);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("size=16 ") && l.contains(" kind=LAYER ") && l.endsWith(" layers=18")).count());
        assertEquals(0, lines.stream().filter(l -> l.startsWith("size=64 ") && l.contains(" kind=LAYER ")).count());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("size=16 ")).filter(l -> l.contains(" op=tile_map ")).count());
        var bundled = run("plan", "--sizes", "16,64");
        assertFalse(bundled.out().contains("grid_barrier"), bundled.out());
    }

    @Test
    void aPersistentRowTheModelCannotRunIsBadInputNamingTheFile() {
        var r = run("plan", "--model", "llama-3.2-1b", "--sizes", "16,64", "--impl-choices", PERSIST16);
        assertEquals(2, r.exit(), r.err());
        assertEquals("error: --impl-choices " + PERSIST16 + ": persistent layers switched on for size 16 but layer_persistent needs ffn a multiple"
                + " of 512 and <= 3072, the model has 8192: drop the persistentLayers row for m=16", r.err().strip());
        assertEquals("", r.out());
    }

    @Test
    void jsonToUnwritablePathIsBadInputBeforeThePlanIsPrinted(@TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("file"), "x");
        var r = run("plan", "--sizes", "16", "--json", dir.resolve("file/dir/plan.json").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--json " + dir.resolve("file/dir/plan.json") + ": cannot write in"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void jsonIntoMissingDirectoriesCreatesThemLikeEveryCommand(@TempDir Path dir) throws Exception {
        var r = run("plan", "--sizes", "16", "--json", dir.resolve("missing/dir/plan.json").toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("prefillbench/plan/v1", new ObjectMapper().readTree(dir.resolve("missing/dir/plan.json").toFile()).get("schema").asText());
    }

    /**
     * A model without rows (qwen2.5-0.5b): plan names the sizes on our mma.sync tiles, and --cublaslt-rows writes the
     * bundled choices plus one unmeasured cuBLASLt range row per layer GEMM shape, which lowering then takes at those
     * sizes; ERNIE-4.5-0.3B's bundled rows already cover them, so nothing is written.
     */
    @Test
    void cublasLtRowsCoverTheSizesOnOurTiles(@TempDir Path dir) throws Exception {
        Path rows = dir.resolve("qwen-rows.json");
        var r = run("plan", "--model", "qwen2.5-0.5b", "--sizes", "16,64,96,512", "--cublaslt-rows", rows.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Note: at sizes 96, 512 this model's layer GEMMs run our mma.sync tiles"), r.out());
        assertTrue(r.err().contains("4 cuBLASLt range rows (unmeasured)"), r.err());
        var written = io.prefillbench.forward.ImplChoices.read(rows);
        var added = written.gemm().stream().filter(g -> g.mMax() != null && g.source().startsWith("plan --cublaslt-rows")).toList();
        assertEquals(4, added.size(), written.gemm().toString());
        assertTrue(added.stream().allMatch(g -> g.m() == 65 && g.mMax() == 512 && g.arch() == 90 && g.impl().equals("cublaslt_gemm")));
        var again = run("plan", "--model", "qwen2.5-0.5b", "--sizes", "16,64,96,512", "--impl-choices", rows.toString());
        assertEquals(0, again.exit(), again.err());
        assertFalse(again.out().contains("run our mma.sync tiles"), again.out());
        // 222 launches and 0.66 MiB of split-K workspace: the bundled last_rows row (v78) runs the last layer's o and MLP on
        // the 32 last rows, on the streaming kernels, after one gather
        assertTrue(again.out().contains("| 96 | 222 | 9 | 0.66 | qkv cublaslt_gemm, o cublaslt_gemm, gate_up cublaslt_gemm, down cublaslt_gemm"), again.out());
        Path none = dir.resolve("ernie-rows.json");
        var ernie = run("plan", "--sizes", "16,64,96,512", "--cublaslt-rows", none.toString());
        assertEquals(0, ernie.exit(), ernie.err());
        assertTrue(ernie.err().contains("nothing written"), ernie.err());
        assertFalse(Files.exists(none));
    }
}
