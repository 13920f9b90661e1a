package io.prefillbench.forward;

import io.prefillbench.cuda.CublasLtMatmul;
import io.prefillbench.cuda.Kernel;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.Presets;
import io.prefillbench.model.WeightSpec;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * v88 (kernels/NOTES-forward.md): under an L2 set-aside exactly one launch of every plan carries an access-policy window, the
 * LM head's, over the first min(set-aside, weight) bytes of the LM head's own weight (the embedding where it is tied); without
 * one, no launch carries a window.
 */
class PersistingWindowTest {
    private static final long MIB = 1 << 20;

    @Test
    void onlyTheLmHeadsLaunchCarriesTheWindowOverItsOwnWeight() {
        for (String preset : List.of("ernie-4.5-0.3b", "llama-3.2-1b", "tiny")) {
            ModelConfig m = Presets.byName(preset);
            LoweredForward f = LoweredForward.of(ForwardProgram.of(m), CaptureSizes.parse("16,64,512", CaptureSizes.HARD_CAP), 32, 2048,
                    132, 90, ImplRegistry.standard(), ImplChoices.bundled());
            WeightSpec spec = WeightSpec.of(m);
            String head = m.tieWordEmbeddings() ? WeightSpec.EMBEDDING : WeightSpec.LM_HEAD;
            long headBytes = spec.tensor(head).bytes();
            for (long setAside : List.of(45 * MIB, headBytes + MIB)) {
                for (LoweredPlan p : f.everyPlan()) {
                    Context ctx = new Context(p.key(), spec, setAside);
                    List<String> windowed = new ArrayList<>();
                    for (LoweredOp op : p.ops()) {
                        Kernel.Attribute a = KernelIssuable.persistingWindow(ctx, op);
                        if (a == null) continue;
                        windowed.add(op.op().name());
                        Kernel.Attribute.PersistingWindow w = (Kernel.Attribute.PersistingWindow) a;
                        assertEquals(ctx.weight(head).address(), w.base().address(), preset + " " + p.key() + ": the LM head's own weight");
                        assertEquals(Math.min(setAside, headBytes), w.bytes(), preset + " " + p.key() + ": no longer than the set-aside or the weight");
                    }
                    assertEquals(List.of(ForwardProgram.LM_HEAD), windowed, preset + " " + p.key());
                    Context none = new Context(p.key(), spec, 0);
                    for (LoweredOp op : p.ops()) assertNull(KernelIssuable.persistingWindow(none, op), preset + " " + op.op().name() + " without a set-aside");
                }
            }
            assertTrue(headBytes > 45 * MIB || preset.equals("tiny"), preset + ": the 45 MiB case is a prefix of the weight");
        }
    }

    /** Weights at distinct fake addresses with their real sizes; nothing else answered. */
    private record Context(CaptureKey key, WeightSpec spec, long l2SetAside) implements BindContext {
        @Override public Arena arena() { throw new UnsupportedOperationException(); }
        @Override public MemorySegment tensor(String name) { throw new UnsupportedOperationException(); }
        @Override public MemorySegment weight(String name) { return MemorySegment.ofAddress(0x1000L + spec.tensor(name).tensorId() * 0x100000L); }
        @Override public long weightBytes(String name) { return spec.tensor(name).bytes(); }
        @Override public WeightLayout weightLayout() { throw new UnsupportedOperationException(); }
        @Override public Kernel kernel(String name) { throw new UnsupportedOperationException(); }
        @Override public ForwardProgram.Dims dims() { throw new UnsupportedOperationException(); }
        @Override public int maxModelLen() { return 2048; }
        @Override public int pagesPerSeq() { return 128; }
        @Override public int multiprocessors() { return 132; }
        @Override public int maxActiveClusters(Impl impl, int size) { return 0; }
        @Override public boolean pdl() { return true; }
        @Override public CublasLtMatmul cublasLt(int m, int n, int k, String algo) { throw new UnsupportedOperationException(); }
    }
}
