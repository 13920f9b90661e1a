package io.prefillbench.forward;

import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.prefillbench.forward.ForwardTestSupport.lower;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GEMM rows for a range of row capacities (m..mMax): what they cover, what wins, what they refuse. */
class ImplChoicesRangeTest {
    private static final String FILE = """
            {"provenance": {"card": "NVIDIA H200", "date": "2026-11-29", "source": "results/x.json", "note": "-"},
             "gemm": [%s], "fusions": [], "l2Prefetch": []}""";

    private static ImplChoices parse(String rows) {
        return ImplChoices.parse(FILE.formatted(rows));
    }

    @Test
    void aRangeRowCoversEveryCapacityInItsRangeAndAnExactRowWins() {
        ImplChoices c = parse("""
                {"n": 1280, "k": 1024, "m": 65, "mMax": 512, "arch": 90, "impl": "cublaslt_gemm", "splits": 0, "source": "range"},
                {"n": 1280, "k": 1024, "m": 128, "arch": 90, "impl": "gemm_bf16", "splits": 2, "source": "exact"}""");
        LoweredForward f = lower("ernie-4.5-0.3b", "64,72,128,320,512");
        Op qkv = f.program().ops().stream().filter(o -> o.name().equals("L0.qkv")).findFirst().orElseThrow();
        assertTrue(c.gemm(qkv, f.plan(64).key()).isEmpty(), "64 is below the range");
        assertEquals("range", c.gemm(qkv, f.plan(72).key()).orElseThrow().source());
        assertEquals("exact", c.gemm(qkv, f.plan(128).key()).orElseThrow().source(), "the exact row wins at 128");
        assertEquals("range", c.gemm(qkv, f.plan(320).key()).orElseThrow().source());
        assertEquals("range", c.gemm(qkv, f.plan(512).key()).orElseThrow().source());
        Op o = f.program().ops().stream().filter(x -> x.name().equals("L0.o")).findFirst().orElseThrow();
        assertTrue(c.gemm(o, f.plan(320).key()).isEmpty(), "another shape: no row");
    }

    @Test
    void aFusionRangeRowFusesEveryCaptureSizeInItsRangeOnly() {
        ImplChoices c = ImplChoices.parse("""
                {"provenance": {"card": "NVIDIA H200", "date": "2026-11-30", "source": "results/x.json", "note": "-"},
                 "gemm": [], "fusions": [{"fusion": "silu_into_gate_up", "m": 81, "mMax": 128, "arch": 90, "source": "range"}],
                 "l2Prefetch": []}""");
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "80,88,128,136", 32, 132, ImplRegistry.standard(), c);
        for (int size : new int[] {88, 128}) {
            assertTrue(c.fusion(ImplRegistry.SILU_INTO_GATE_UP, f.plan(size).key()), "in range: " + size);
            assertEquals(List.of("L0.silu_mul"), f.plan(size).op("L0.gate_up").fused(), "fused at " + size);
        }
        for (int size : new int[] {80, 136}) {
            assertFalse(c.fusion(ImplRegistry.SILU_INTO_GATE_UP, f.plan(size).key()), "out of range: " + size);
            assertTrue(f.plan(size).op("L0.gate_up").fused().isEmpty(), "unfused at " + size);
        }
        // with a producer, only a GEMM running that implementation is fused: here gate_up runs the rule's gemm_bf16
        ImplChoices other = ImplChoices.parse("""
                {"provenance": {"card": "NVIDIA H200", "date": "2026-11-30", "source": "results/x.json", "note": "-"},
                 "gemm": [], "fusions": [{"fusion": "silu_into_gate_up", "m": 81, "mMax": 128, "arch": 90, "source": "range",
                                          "producer": "gemm_bf16_tma_64x64s8"}], "l2Prefetch": []}""");
        LoweredForward g = ForwardTestSupport.lower("ernie-4.5-0.3b", "96", 32, 132, ImplRegistry.standard(), other);
        assertEquals("gemm_bf16", g.plan(96).op("L0.gate_up").impl().name());
        assertTrue(g.plan(96).op("L0.gate_up").fused().isEmpty(), "another producer: unfused");
        ImplChoices tma = ImplChoices.parse("""
                {"provenance": {"card": "NVIDIA H200", "date": "2026-11-30", "source": "results/x.json", "note": "-"},
                 "gemm": [{"n": 6144, "k": 1024, "m": 81, "mMax": 128, "arch": 90, "impl": "gemm_bf16_tma_64x64s8", "splits": 1, "source": "x"}],
                 "fusions": [{"fusion": "silu_into_gate_up", "m": 81, "mMax": 128, "arch": 90, "source": "range",
                              "producer": "gemm_bf16_tma_64x64s8"}], "l2Prefetch": []}""");
        assertEquals("gemm_bf16_tma_64x64s8_silu", ForwardTestSupport.lower("ernie-4.5-0.3b", "96", 32, 132, ImplRegistry.standard(), tma)
                .plan(96).op("L0.gate_up").impl().name());
        BenchException below = assertThrows(BenchException.class, () -> ImplChoices.parse("""
                {"provenance": {"card": "c", "date": "d", "source": "s", "note": "-"}, "gemm": [],
                 "fusions": [{"fusion": "silu_into_gate_up", "m": 128, "mMax": 81, "arch": 90, "source": "x"}], "l2Prefetch": []}"""));
        assertTrue(below.getMessage().contains("mMax 81 is below m 128"), below.getMessage());
    }

    @Test
    void badRangeRowsAreRefusedNamingTheRow() {
        BenchException below = assertThrows(BenchException.class, () -> parse(
                "{\"n\": 1280, \"k\": 1024, \"m\": 128, \"mMax\": 64, \"arch\": 90, \"impl\": \"cublaslt_gemm\", \"splits\": 0, \"source\": \"x\"}"));
        assertTrue(below.getMessage().contains("mMax 64 is below m 128"), below.getMessage());
        BenchException algo = assertThrows(BenchException.class, () -> parse(
                "{\"n\": 1280, \"k\": 1024, \"m\": 65, \"mMax\": 512, \"arch\": 90, \"impl\": \"cublaslt_gemm\", \"splits\": 0, \"source\": \"x\", \"algo\": \"id=1\"}"));
        assertTrue(algo.getMessage().contains("pin an algorithm in a row for one m"), algo.getMessage());
    }

    @Test
    void exactRowsWriteNoRangeField() {
        String json = parse("{\"n\": 1280, \"k\": 1024, \"m\": 128, \"arch\": 90, \"impl\": \"gemm_bf16\", \"splits\": 2, \"source\": \"x\"}").toJson();
        assertFalse(json.contains("mMax"), json);
        String range = parse("{\"n\": 1280, \"k\": 1024, \"m\": 65, \"mMax\": 512, \"arch\": 90, \"impl\": \"cublaslt_gemm\", \"splits\": 0, \"source\": \"x\"}").toJson();
        assertTrue(range.contains("\"mMax\" : 512"), range);
        assertEquals(ImplChoices.parse(range).gemm(), parse("{\"n\": 1280, \"k\": 1024, \"m\": 65, \"mMax\": 512, \"arch\": 90, \"impl\": \"cublaslt_gemm\", \"splits\": 0, \"source\": \"x\"}").gemm());
    }

    /**
     * The bundled file: ERNIE-4.5-0.3B's layer GEMMs on cuBLASLt at every capacity above the streaming kernels' 64, up to
     * 512, except gate_up at 65..128 (the 128 x 64 TMA tile with SiLU fused: one row tile, 96 blocks) and at 416..512
     * (the 128 x 192 one).
     */
    @Test
    void bundledChoicesPutTheErnieLayerGemmsOnCublasLtBetweenTheRows() {
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "64,72,136,320,512", 32, 132, ImplRegistry.standard(), ImplChoices.bundled());
        for (int size : new int[] {72, 136, 320, 512})
            for (String g : List.of("qkv", "o", "gate_up", "down"))
                if (!g.equals("gate_up") || size == 136 || size == 320)
                    assertEquals("cublaslt_gemm", f.plan(size).op("L0." + g).impl().name(), g + " at " + size);
        assertEquals("gemm_bf16_tma_128x64s8_silu", f.plan(72).op("L0.gate_up").impl().name());
        assertEquals("gemm_bf16_tma_128x192s4_silu", f.plan(512).op("L0.gate_up").impl().name());
        // gate_up's TMA range (416..511) sits between cuBLASLt's 129..415 and the exact 512 row
        LoweredForward mid = ForwardTestSupport.lower("ernie-4.5-0.3b", "408,416,504", 32, 132, ImplRegistry.standard(), ImplChoices.bundled());
        assertEquals("cublaslt_gemm", mid.plan(408).op("L0.gate_up").impl().name());
        for (int size : new int[] {416, 504}) {
            assertEquals("gemm_bf16_tma_128x192s4_silu", mid.plan(size).op("L0.gate_up").impl().name(), "gate_up at " + size);
            assertEquals("cublaslt_gemm", mid.plan(size).op("L0.down").impl().name(), "down at " + size);
        }
        assertTrue(f.plan(64).op("L0.qkv").impl().name().startsWith("gemm_bf16_stream_m64"), f.plan(64).op("L0.qkv").impl().name());
        // the LM head's rows are the sequences (capacity 32 here): not covered
        assertFalse(f.plan(320).op("lm_head").impl().library());
        // Llama-3.2-1B's layer GEMMs too (range rows 65..512); a model without rows keeps our kernels
        LoweredForward llama = ForwardTestSupport.lower("llama-3.2-1b", "64,320,512", 32, 132, ImplRegistry.standard(), ImplChoices.bundled());
        for (String g : List.of("qkv", "o", "gate_up", "down")) {
            assertTrue(llama.plan(320).op("L0." + g).impl().library(), g);
            assertFalse(llama.plan(64).op("L0." + g).impl().library(), g);
        }
        assertTrue(llama.plan(512).op("L0.qkv").impl().library());
        LoweredForward tiny = ForwardTestSupport.lower("tiny", "320", 32, 132, ImplRegistry.standard(), ImplChoices.bundled());
        assertFalse(tiny.plan(320).op("L0.qkv").impl().library());
    }
}
