package io.prefillbench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WeightSpecTest {

    @Test
    void slicesAreAlignedOrderedAndDisjoint() {
        for (String name : Presets.names()) {
            WeightSpec spec = WeightSpec.of(Presets.byName(name));
            long end = 0;
            long elements = 0;
            Set<Integer> ids = new HashSet<>();
            for (WeightSpec.Tensor t : spec.tensors()) {
                assertEquals(0, t.offsetBytes() % 256, t.name());
                assertTrue(t.offsetBytes() >= end, t.name() + " overlaps its predecessor");
                assertTrue(t.offsetBytes() < end + 256, t.name() + " leaves more than alignment padding");
                end = t.offsetBytes() + t.bytes();
                elements += t.elements();
                assertTrue(ids.add(t.tensorId()), "duplicate id " + t.tensorId());
            }
            assertTrue(spec.totalBytes() >= end && spec.totalBytes() % 256 == 0);
            assertEquals(spec.config().params(), elements, name);
        }
    }

    @Test
    void tinyLayout() {
        WeightSpec spec = WeightSpec.of(Presets.byName("tiny"));
        List<String> names = spec.tensors().stream().map(WeightSpec.Tensor::name).toList();
        assertEquals(List.of("embedding", "final_norm",
                "layers.0.input_norm", "layers.0.qkv", "layers.0.o", "layers.0.post_norm", "layers.0.gate_up", "layers.0.down",
                "layers.1.input_norm", "layers.1.qkv", "layers.1.o", "layers.1.post_norm", "layers.1.gate_up", "layers.1.down"),
                names);
        WeightSpec.Tensor qkv = spec.tensor("layers.1.qkv");
        assertEquals(117, qkv.tensorId());
        assertEquals(512, qkv.rows());
        assertEquals(256, qkv.cols());
        assertEquals((float) Math.sqrt(3.0 / 256), qkv.scale());
        assertEquals(0.0f, qkv.offset());
        WeightSpec.Tensor down = spec.tensor("layers.0.down");
        assertEquals(106, down.tensorId());
        assertEquals(256, down.rows());
        assertEquals(512, down.cols());
        assertEquals((float) Math.sqrt(3.0 / 512), down.scale());
        WeightSpec.Tensor norm = spec.tensor("final_norm");
        assertEquals(2, norm.tensorId());
        assertEquals(0.1f, norm.scale());
        assertEquals(1.0f, norm.offset());
        assertEquals(2 * 512, spec.tensor("layers.0.gate_up").rows());
        // embedding: 512*256*2 bytes = 256 KiB, so final_norm starts right after it
        assertEquals(512L * 256 * 2, norm.offsetBytes());
        // final_norm is 512 bytes: already aligned
        assertEquals(512L * 256 * 2 + 512, spec.tensor("layers.0.input_norm").offsetBytes());
        assertSame(spec.tensor("embedding"), spec.lmHead());
        assertFalse(spec.has("lm_head"));
        assertFalse(spec.has("layers.0.qkv_bias"));
        assertThrows(IllegalArgumentException.class, () -> spec.tensor("layers.0.qkv_bias"));
    }

    @Test
    void biasAndUntiedHead() {
        WeightSpec spec = WeightSpec.of(Presets.byName("tiny-bias"));
        WeightSpec.Tensor head = spec.tensor("lm_head");
        assertEquals(3, head.tensorId());
        assertSame(head, spec.lmHead());
        WeightSpec.Tensor bias = spec.tensor("layers.1.qkv_bias");
        assertEquals(118, bias.tensorId());
        assertEquals(1, bias.rows());
        assertEquals(512, bias.cols());
        assertEquals(0.1f, bias.scale());
        assertEquals(0.0f, bias.offset());
    }

    @Test
    void paddingWhenSizesAreNotMultiplesOf256Bytes() {
        // hidden 64: norms are 128 bytes, so the slice after each is padded to 256
        ModelConfig c = new ModelConfig("p", 64, 1, 1, 1, 64, 64, 64, 1e4, 1e-5f, true, true, 64).validate();
        WeightSpec spec = WeightSpec.of(c);
        WeightSpec.Tensor fn = spec.tensor("final_norm");
        assertEquals(128, fn.bytes());
        assertEquals(fn.offsetBytes() + 256, spec.tensor("layers.0.input_norm").offsetBytes());
        WeightSpec.Tensor down = spec.tensors().getLast();
        assertEquals(down.offsetBytes() + 8192, spec.totalBytes()); // down: 64*64*2 bytes, already aligned
        WeightSpec.Tensor postNorm = spec.tensor("layers.0.post_norm");
        assertEquals(postNorm.offsetBytes() + 256, spec.tensor("layers.0.gate_up").offsetBytes());
    }
}
