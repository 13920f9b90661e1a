package io.prefillbench.forward;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** Files written before persistentLayers existed keep the identity their results recorded; a row changes it. */
    @Test
    void persistentLayersRowsChangeTheIdentityAndTheirAbsenceDoesNot() {
        ImplChoices a = ImplChoices.parse(BASE);
        assertEquals("bundled (NVIDIA H200, 2026-11-29, sha256 0db187364105)", a.identity("bundled"), "the digest before the property existed");
        assertEquals(List.of(), a.persistentLayers());
        ImplChoices empty = ImplChoices.parse(BASE.replace("\"l2Prefetch\": []", "\"l2Prefetch\": [], \"persistentLayers\": []"));
        assertEquals(a.identity("bundled"), empty.identity("bundled"));
        ImplChoices persist = ImplChoices.parse(BASE.replace("\"l2Prefetch\": []",
                "\"l2Prefetch\": [], \"persistentLayers\": [{\"m\": 16, \"arch\": 90, \"source\": \"x\"}]"));
        assertNotEquals(a.identity("bundled"), persist.identity("bundled"));
        assertEquals(List.of(new ImplChoices.KeyRow(16, 90, "x")), persist.persistentLayers());
        assertTrue(persist.persistentLayers(new CaptureKey(16, 16, 16, 132, 90)));
        assertFalse(persist.persistentLayers(new CaptureKey(16, 16, 16, 132, 80)), "another arch");
        assertFalse(persist.persistentLayers(new CaptureKey(32, 32, 20, 132, 90)), "another bucket");
        ImplChoices off = ImplChoices.parse(BASE.replace("\"l2Prefetch\": []",
                "\"l2Prefetch\": [], \"persistentLayers\": [{\"m\": 16, \"arch\": 90, \"on\": false, \"source\": \"x\"}]"));
        assertFalse(off.persistentLayers(new CaptureKey(16, 16, 16, 132, 90)), "a candidate row that is off");
    }

    @Test
    void choicesRoundTripThroughJsonWithAndWithoutPersistentLayers() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ImplChoices without = ImplChoices.parse(BASE);
        String json = m.writeValueAsString(without);
        assertFalse(json.contains("persistentLayers"), json);
        assertEquals(without, ImplChoices.parse(json));
        ImplChoices with = new ImplChoices(without.provenance(), without.gemm(), without.fusions(), without.l2Prefetch(),
                List.of(new ImplChoices.KeyRow(16, 90, "x"), new ImplChoices.KeyRow(8, 0, false, "candidate")));
        String withJson = m.writeValueAsString(with);
        assertTrue(withJson.contains("\"persistentLayers\""), withJson);
        assertEquals(with, ImplChoices.parse(withJson));
        assertEquals(List.of(), ImplChoices.none().persistentLayers());
        assertEquals(List.of(), ImplChoices.bundled().persistentLayers(), "the bundled file switches no persistent layer on until measured");
    }

    @Test
    void theBundledFileHasAnIdentity() {
        assertTrue(ImplChoices.bundled().identity("bundled").contains("sha256 "));
    }
}
