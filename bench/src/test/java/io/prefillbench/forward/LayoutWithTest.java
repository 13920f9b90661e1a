package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A buffer layout over another choices' plans too (prefill --layout-with): both sides of an A/B, each laid out with the
 * other's choices, get one layout, where on their own a row that resizes a workspace moves the buffers after it (v81.1:
 * Llama-3.2-1B's five-stage rows shrink the split-K workspace); the plans run are the side's own, and each still passes
 * the layout check.
 */
public class LayoutWithTest {
    // the sizes of s37 call 7's A/B, whose decode mixes moved on graphs whose ops had not changed
    private static final String SIZES = "16,64,128,512";

    private static LoweredForward lower(ImplChoices choices, List<ImplChoices> layoutWith) {
        return LoweredForward.of(ForwardProgram.of(Presets.byName("llama-3.2-1b")), CaptureSizes.parse(SIZES, CaptureSizes.HARD_CAP),
                32, 2048, 132, 90, ImplRegistry.standard(), choices, layoutWith);
    }

    /** Each slice as "name offset bytes": what decides an address. */
    private static List<String> addresses(BufferLayout layout) {
        List<String> out = new ArrayList<>();
        for (BufferLayout.Slice s : layout.slices()) out.add(s.name() + " " + s.offset() + " " + s.bytes());
        out.add("total " + layout.totalBytes());
        return out;
    }

    @Test
    void bothSidesOfAnAbGetOneLayout() {
        ImplChoices bundled = ImplChoices.bundled(), candidate = RingDepthTest.fiveStageRows(bundled);
        LoweredForward a = lower(bundled, List.of()), b = lower(candidate, List.of());
        // the premise: on their own the two sides' buffers sit at other addresses
        assertNotEquals(addresses(a.layout()), addresses(b.layout()));

        LoweredForward aWith = lower(bundled, List.of(candidate)), bWith = lower(candidate, List.of(bundled));
        assertEquals(addresses(aWith.layout()), addresses(bWith.layout()));
        // each runs its own plans, unchanged, and the shared layout serves them
        assertEquals(OpDump.of(a), OpDump.of(aWith));
        assertEquals(OpDump.of(b), OpDump.of(bWith));
        assertEquals(List.of(), LayoutCheck.violations(aWith.everyPlan(), aWith.layout()));
        assertEquals(List.of(), LayoutCheck.violations(bWith.everyPlan(), bWith.layout()));
        // a layout over the same choices again is the own layout
        assertEquals(addresses(a.layout()), addresses(lower(bundled, List.of(bundled)).layout()));
    }
}
