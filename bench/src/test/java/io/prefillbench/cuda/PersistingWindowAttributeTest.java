package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;
import io.prefillbench.bindings.cudart.cudaAccessPolicyWindow;
import io.prefillbench.bindings.cudart.cudaLaunchAttributeValue;
import io.prefillbench.bindings.cudart.cudaLaunchAttribute_st;
import io.prefillbench.bindings.cudart.cudaLaunchConfig_st;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A launch's persisting window reaches cudaLaunchConfig_t as cudaLaunchAttributeAccessPolicyWindow: the whole window persisting. */
class PersistingWindowAttributeTest {
    @Test
    void theWindowIsTheLaunchsAccessPolicyAttribute() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment base = MemorySegment.ofAddress(0x7f0000000000L);
            Kernel k = new Kernel("lm_head_kernel", MemorySegment.NULL);
            Kernel.Launch l = new Kernel.Launch(k, MemorySegment.NULL, 128, 0,
                    List.of(new Kernel.Attribute.ProgrammaticSerialization(), new Kernel.Attribute.PersistingWindow(base, 47185920L)), a);
            MemorySegment cfg = l.config();
            assertEquals(2, cudaLaunchConfig_st.numAttrs(cfg));
            MemorySegment attrs = cudaLaunchConfig_st.attrs(cfg).reinterpret(2 * cudaLaunchAttribute_st.layout().byteSize());
            MemorySegment attr = cudaLaunchAttribute_st.asSlice(attrs, 1);
            assertEquals(Cudart.cudaLaunchAttributeAccessPolicyWindow(), cudaLaunchAttribute_st.id(attr));
            MemorySegment w = cudaLaunchAttributeValue.accessPolicyWindow(cudaLaunchAttribute_st.val(attr));
            assertEquals(base.address(), cudaAccessPolicyWindow.base_ptr(w).address());
            assertEquals(47185920L, cudaAccessPolicyWindow.num_bytes(w));
            assertEquals(1.0f, cudaAccessPolicyWindow.hitRatio(w));
            assertEquals(Cudart.cudaAccessPropertyPersisting(), cudaAccessPolicyWindow.hitProp(w));
            assertEquals(Cudart.cudaAccessPropertyStreaming(), cudaAccessPolicyWindow.missProp(w));
            assertEquals(Cudart.cudaLaunchAttributeProgrammaticStreamSerialization(), cudaLaunchAttribute_st.id(cudaLaunchAttribute_st.asSlice(attrs, 0)));
        }
        assertThrows(IllegalArgumentException.class, () -> new Kernel.Attribute.PersistingWindow(MemorySegment.NULL, 0));
    }
}
