package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replaces the old split-K workspace test: every lowered op of every bucket fits its slices, and no
 * two slices alias while both hold a value still to be read (checked by simulating the ops, not by
 * re-deriving the layout); planted defects (a halved workspace, an aliasing slice) are caught.
 */
class BufferLayoutTest {
    @Test
    void everyPresetsLayoutServesEveryBucket() {
        for (String preset : Presets.names()) {
            for (String sizes : new String[] {CaptureSizes.DEFAULT_SPEC, "16,64,512", "8", "1,2,3"}) {
                for (int sms : new int[] {108, 132}) {
                    for (ImplChoices choices : List.of(ImplChoices.none(), ImplChoices.bundled())) {
                        LoweredForward f = ForwardTestSupport.lower(preset, sizes, 32, sms, ImplRegistry.standard(), choices);
                        List<String> v = LayoutCheck.violations(f.all(), f.layout());
                        assertEquals(List.of(), v, preset + " sizes " + sizes + " sms " + sms + " choices " + choices.provenance().source());
                    }
                }
            }
        }
    }

    /** Persistent layers at several small buckets beside unpersisted ones: one barrier slice, every bucket served. */
    @Test
    void persistentBucketsShareOneGridBarrierAndEveryBucketIsServed() {
        for (String preset : List.of("ernie-4.5-0.3b")) {  // the one preset layer_persistent takes (hidden <= 1024)
            for (ImplChoices c : List.of(ForwardTestSupport.persistentAt(16), ForwardTestSupport.persistentAt(1, 2, 3, 8, 16))) {
                LoweredForward f = ForwardTestSupport.lower(preset, "1,2,3,8,16,64,512", 32, 132, ImplRegistry.standard(), c);
                assertEquals(List.of(), LayoutCheck.violations(f.all(), f.layout()), preset + " " + c.persistentLayers());
                assertEquals(1, f.layout().slices().stream().filter(s -> s.name().equals(ForwardProgram.GRID_BARRIER)).count());
            }
        }
    }

    @Test
    void halvedWorkspaceIsCaught() {
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64,512");
        BufferLayout.Slice ws = f.layout().slice("splitk.qkv");
        BufferLayout bad = f.layout().with(new BufferLayout.Slice(ws.name(), ws.shape(), ws.offset(), ws.bytes() / 2, ws.role()));
        List<String> v = LayoutCheck.violations(f.all(), bad);
        assertFalse(v.isEmpty());
        assertTrue(v.stream().anyMatch(s -> s.contains("splitk.qkv")), v.toString());
    }

    /** The bundled rows split down 8 ways at bucket 16 and 6 at 64 (half-width tiles): the workspace holds the largest of them. */
    @Test
    void workspaceCoversTheStreamSplits() {
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64,512", 32, 132, ImplRegistry.standard(), ImplChoices.bundled());
        assertEquals(8, f.plan(16).op("L0.down").splits());
        assertEquals(8, f.plan(16).op("L0.o").splits());
        assertEquals(6, f.plan(64).op("L0.down").splits());
        long need = 0;
        for (int size : new int[] {16, 64}) {
            for (String gemm : new String[] {"L0.down"}) {
                LoweredOp o = f.plan(size).op(gemm);
                need = Math.max(need, 4L * o.splits() * size * o.op().n());
            }
        }
        assertTrue(f.layout().slice("splitk.down").bytes() >= need, f.layout().slice("splitk.down") + " < " + need);
        BufferLayout.Slice ws = f.layout().slice("splitk.down");
        // planted: a workspace of 15 splits at bucket 16 (960 KB, below bucket 64's 1.5 MB) must be caught
        BufferLayout bad = f.layout().with(new BufferLayout.Slice(ws.name(), ws.shape(), ws.offset(), 4L * 15 * 16 * 1024, ws.role()));
        assertFalse(LayoutCheck.violations(f.all(), bad).isEmpty());
    }

    @Test
    void aliasingSliceIsCaught() {
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64,512");
        BufferLayout.Slice residual = f.layout().slice(ForwardProgram.RESIDUAL), hidden = f.layout().slice(ForwardProgram.HIDDEN);
        BufferLayout bad = f.layout().with(new BufferLayout.Slice(hidden.name(), hidden.shape(), residual.offset(), hidden.bytes(), hidden.role()));
        List<String> v = LayoutCheck.violations(f.all(), bad);
        assertFalse(v.isEmpty());
        assertTrue(v.stream().anyMatch(s -> s.contains("overwritten by")), v.toString());
    }

    @Test
    void tensorsNeverLiveTogetherShareMemory() {
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,64,512");
        long sum = f.layout().slices().stream().mapToLong(BufferLayout.Slice::bytes).sum();
        assertTrue(f.layout().totalBytes() < sum, "liveness should let some slices share memory: " + f.layout().totalBytes() + " vs " + sum);
        // the metadata is one pinned slice at offset 0, written by one copy
        assertEquals(0, f.layout().slice(ForwardProgram.BATCH_META).offset());
        assertTrue(f.layout().activationStart() >= f.layout().slice(ForwardProgram.ROPE).end());
    }

    @Test
    void opDumpListsEveryLoweredOp() {
        LoweredForward f = ForwardTestSupport.lower("ernie-4.5-0.3b", "16,512");
        String dump = OpDump.of(f);
        long lines = dump.lines().filter(l -> l.startsWith("size=")).count();
        assertEquals(f.plan(16).launchCount() + f.plan(512).launchCount(), lines);
        assertTrue(dump.contains("size=16 seqs=16 tiles=") && dump.contains("op=L0.qkv kind=GEMM layer=0 impl=gemm_bf16_stream_m16 kernel=gemm_bf16_stream_m16 n=1280 k=1024 m=16 splits=8"), dump);
        assertTrue(dump.contains("op=L0.gate_up kind=GEMM layer=0 impl=gemm_bf16_large kernel=gemm_bf16_large n=6144 k=1024 m=512 splits=1"), dump);
    }
}
