package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A buffer layout over another choices' plans too (prefill --layout-with): both sides of an A/B, each laid out with the
 * other's choices, get one layout, where on their own their buffers sit at other addresses (here the bundled rows against
 * the rules' defaults, whose splits and workspaces differ); the plans run are the side's own, and each still passes the
 * layout check.
 */
public class LayoutWithTest {
    private static LoweredForward lower(String sizes, ImplChoices choices, List<ImplChoices> layoutWith) {
        return LoweredForward.of(ForwardProgram.of(Presets.byName("llama-3.2-1b")), CaptureSizes.parse(sizes, CaptureSizes.HARD_CAP),
                32, 2048, 132, 90, ImplRegistry.standard(), choices, layoutWith);
    }

    /** Each slice as "name offset bytes": what decides an address. */
    private static List<String> addresses(BufferLayout layout) {
        List<String> out = new ArrayList<>();
        for (BufferLayout.Slice s : layout.slices()) out.add(s.name() + " " + s.offset() + " " + s.bytes());
        out.add("total " + layout.totalBytes());
        return out;
    }

    // 16,64: LayoutWithGpuTest's engine (its premise, here without a GPU)
    @ParameterizedTest
    @ValueSource(strings = {"16,64", "16,64,128,512"})
    void bothSidesOfAnAbGetOneLayout(String sizes) {
        ImplChoices bundled = ImplChoices.bundled(), candidate = ImplChoices.none();
        LoweredForward a = lower(sizes, bundled, List.of()), b = lower(sizes, candidate, List.of());
        // the premise: on their own the two sides' buffers sit at other addresses
        assertNotEquals(addresses(a.layout()), addresses(b.layout()));

        LoweredForward aWith = lower(sizes, bundled, List.of(candidate)), bWith = lower(sizes, candidate, List.of(bundled));
        assertEquals(addresses(aWith.layout()), addresses(bWith.layout()));
        // each runs its own plans, unchanged, and the shared layout serves them
        assertEquals(OpDump.of(a), OpDump.of(aWith));
        assertEquals(OpDump.of(b), OpDump.of(bWith));
        assertEquals(List.of(), LayoutCheck.violations(aWith.everyPlan(), aWith.layout()));
        assertEquals(List.of(), LayoutCheck.violations(bWith.everyPlan(), bWith.layout()));
        // a layout over the same choices again is the own layout
        assertEquals(addresses(a.layout()), addresses(lower(sizes, bundled, List.of(bundled)).layout()));
    }
}
