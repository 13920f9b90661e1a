package io.prefillbench.forward;

import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The with… copies of {@link ImplChoices}: each replaces its own kind of row and keeps every other component, compared
 * over all the record's components (a component added later is checked too), on choices with rows of every kind.
 */
class ImplChoicesCopyTest {
    /** The bundled rows plus a persistent-layer and a prefetch row, which the bundled file has none of: no empty component. */
    private static ImplChoices full() {
        ImplChoices b = ImplChoices.bundled();
        ImplChoices c = new ImplChoices(b.provenance(), b.gemm(), b.fusions(), b.l2Prefetch(), List.of(new ImplChoices.KeyRow(16, 90, "test")),
                b.attention(), List.of(new ImplChoices.PrefetchRow("gate_up", "attention", 0.5, 6144, 1024, 1, 16, 90, "test")), b.smemCarveout());
        for (RecordComponent rc : ImplChoices.class.getRecordComponents()) {
            if (value(rc, c) instanceof List<?> rows) assertFalse(rows.isEmpty(), rc.getName() + " has rows");
        }
        return c;
    }

    private static Object value(RecordComponent rc, ImplChoices c) {
        try {
            return rc.getAccessor().invoke(c);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code copy} of {@code from} holds {@code rows} as {@code component} and every other component of {@code from}. */
    private static void assertReplacesOnly(ImplChoices from, String component, List<?> rows, Function<ImplChoices, ImplChoices> copy) {
        ImplChoices to = copy.apply(from);
        boolean seen = false;
        for (RecordComponent rc : ImplChoices.class.getRecordComponents()) {
            if (rc.getName().equals(component)) {
                seen = true;
                assertNotEquals(rows, value(rc, from), component + ": the test's rows must differ from the originals");
                assertEquals(rows, value(rc, to), component + " replaced");
            } else {
                assertEquals(value(rc, from), value(rc, to), rc.getName() + " kept by the copy that replaces " + component);
            }
        }
        assertTrue(seen, "ImplChoices has a component " + component);
    }

    @Test
    void eachCopyReplacesItsComponentAndKeepsEveryOther() {
        ImplChoices c = full();
        List<ImplChoices.GemmRow> gemm = List.of(new ImplChoices.GemmRow(1280, 1024, 16, 90, "gemm_bf16", 8, "test"));
        assertReplacesOnly(c, "gemm", gemm, x -> x.withGemm(gemm));
        List<ImplChoices.FusionRow> fusions = List.of(new ImplChoices.FusionRow(ImplRegistry.SILU_INTO_GATE_UP, 16, 90, "test"));
        assertReplacesOnly(c, "fusions", fusions, x -> x.withFusions(fusions));
        List<ImplChoices.KeyRow> persist = List.of(new ImplChoices.KeyRow(64, 0, "test"));
        assertReplacesOnly(c, "persistentLayers", persist, x -> x.withPersistentLayers(persist));
        List<ImplChoices.AttentionRow> attention = List.of(new ImplChoices.AttentionRow(ImplRegistry.ATTENTION_WG, 0, 0, 0, 1, 1 << 20, 90, "test"));
        assertReplacesOnly(c, "attention", attention, x -> x.withAttention(attention));
        List<ImplChoices.PrefetchRow> prefetch = List.of(new ImplChoices.PrefetchRow("qkv", "input_norm", 1.0, 1280, 1024, 1, 32, 0, "test"));
        assertReplacesOnly(c, "prefetchAhead", prefetch, x -> x.withPrefetchAhead(prefetch));
        List<ImplChoices.CarveoutRow> carveout = List.of(new ImplChoices.CarveoutRow(50, 0, 1, 1 << 20, 0, "test"));
        assertReplacesOnly(c, "smemCarveout", carveout, x -> x.withSmemCarveout(carveout));
        // an empty list empties the component, the others stay
        assertReplacesOnly(c, "smemCarveout", List.of(), x -> x.withSmemCarveout(List.of()));
    }
}
