package io.prefillbench.forward;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The identity a results file records of the implementation choices: equal rows, equal identity; any row changed, a different one. */
class ImplChoicesIdentityTest {
    private static final String BASE = """
            {"provenance": {"card": "NVIDIA H200", "date": "2026-11-29", "source": "results/x.json", "note": "-"},
             "gemm": [{"n": 1280, "k": 1024, "m": 16, "arch": 90, "impl": "gemm_bf16", "splits": 8, "source": "x"}],
             "fusions": [], "l2Prefetch": []}""";

    @Test
    void sameRowsSameIdentityAnyRowChangedDiffers() {
        ImplChoices a = ImplChoices.parse(BASE), b = ImplChoices.parse(BASE);
        assertEquals(a.identity("bundled"), b.identity("bundled"));
        assertTrue(a.identity("bundled").startsWith("bundled (NVIDIA H200, 2026-11-29, sha256 "), a.identity("bundled"));
        ImplChoices splits = ImplChoices.parse(BASE.replace("\"splits\": 8", "\"splits\": 4"));
        ImplChoices prefetch = ImplChoices.parse(BASE.replace("\"l2Prefetch\": []", "\"l2Prefetch\": [{\"m\": 16, \"arch\": 90, \"source\": \"x\"}]"));
        assertNotEquals(a.identity("bundled"), splits.identity("bundled"));
        assertNotEquals(a.identity("bundled"), prefetch.identity("bundled"));
        assertNotEquals(a.identity("bundled"), ImplChoices.none().identity("bundled"));
    }

    @Test
    void theBundledFileHasAnIdentity() {
        assertTrue(ImplChoices.bundled().identity("bundled").contains("sha256 "));
    }
}
