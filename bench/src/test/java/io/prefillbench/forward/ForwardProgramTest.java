package io.prefillbench.forward;

import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.Presets;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForwardProgramTest {
    @Test
    void layerSequenceIsWrittenOnce() {
        ModelConfig m = Presets.byName("ernie-4.5-0.3b");
        ForwardProgram p = ForwardProgram.of(m);
        List<OpKind> layer = new ArrayList<>();
        for (Op op : p.ops()) if (op.layer() == 3) layer.add(op.kind());
        assertEquals(List.of(OpKind.ADD_RMSNORM, OpKind.GEMM, OpKind.ROPE_KV, OpKind.ATTENTION, OpKind.GEMM, OpKind.ADD_RMSNORM,
                OpKind.GEMM, OpKind.SILU_MUL, OpKind.GEMM), layer);
        assertEquals(2 + 9 * m.layers() + 3, p.ops().size());
        assertEquals(OpKind.EMBED, p.ops().getFirst().kind());
        assertEquals(OpKind.ARGMAX, p.ops().getLast().kind());
        // the GEMM list: (n, k) of each projection
        List<String> gemms = new ArrayList<>();
        for (Op op : p.ops()) if (op.kind() == OpKind.GEMM && op.layer() <= 0) gemms.add(op.name() + " " + op.n() + "x" + op.k());
        assertEquals(List.of("L0.qkv 1280x1024", "L0.o 1024x1024", "L0.gate_up 6144x1024", "L0.down 1024x3072", "lm_head 103424x1024"), gemms);
    }

    @Test
    void everyReadFollowsAWriteAndNamesAreUnique() {
        for (String preset : Presets.names()) {
            ForwardProgram p = ForwardProgram.of(Presets.byName(preset));
            Set<String> written = new HashSet<>(), names = new HashSet<>();
            for (Op op : p.ops()) {
                assertTrue(names.add(op.name()), "duplicate op " + op.name());
                for (String t : op.reads().values()) {
                    boolean kv = t.startsWith("k_cache.") || t.startsWith("v_cache.");
                    assertTrue(ForwardProgram.isPinned(t) || kv || written.contains(t), preset + ": " + op.name() + " reads " + t + " before any write");
                }
                written.addAll(op.writes().values());
            }
        }
    }

    @Test
    void firstLayerNormHasNoBranchInput() {
        ForwardProgram p = ForwardProgram.of(Presets.byName("tiny"));
        Op first = p.ops().stream().filter(o -> o.name().equals("L0.input_norm")).findFirst().orElseThrow();
        Op second = p.ops().stream().filter(o -> o.name().equals("L1.input_norm")).findFirst().orElseThrow();
        assertEquals(null, first.in("x"));
        assertEquals(ForwardProgram.BRANCH_OUT, second.in("x"));
    }
}
