package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;
import io.prefillbench.bindings.cudart.cudaDeviceProp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * What we report about a GPU. Numbers come from cudaDeviceGetAttribute where an attribute exists
 * (stable across CUDA versions); only the name, total memory and PCI bus id come from
 * cudaGetDeviceProperties / cudaDeviceGetPCIBusId.
 */
public record DeviceInfo(int index, String name, int ccMajor, int ccMinor, int sms, long memoryBytes, long l2Bytes,
                         int smClockMHz, int memClockMHz, int memBusWidthBits, String busId) {

    public String computeCapability() {
        return ccMajor + "." + ccMinor;
    }

    public static DeviceInfo query(int index) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment props = cudaDeviceProp.allocate(a);
            Cuda.check(Cudart.cudaGetDeviceProperties(props, index), "cudaGetDeviceProperties(" + index + ")");
            String name = cudaDeviceProp.name(props).getString(0);
            long mem = cudaDeviceProp.totalGlobalMem(props);
            MemorySegment bus = a.allocate(64);
            Cuda.check(Cudart.cudaDeviceGetPCIBusId(bus, 64, index), "cudaDeviceGetPCIBusId");
            return new DeviceInfo(index, name,
                    attr(a, Cudart.cudaDevAttrComputeCapabilityMajor(), index),
                    attr(a, Cudart.cudaDevAttrComputeCapabilityMinor(), index),
                    attr(a, Cudart.cudaDevAttrMultiProcessorCount(), index),
                    mem,
                    attr(a, Cudart.cudaDevAttrL2CacheSize(), index),
                    attr(a, Cudart.cudaDevAttrClockRate(), index) / 1000,
                    attr(a, Cudart.cudaDevAttrMemoryClockRate(), index) / 1000,
                    attr(a, Cudart.cudaDevAttrGlobalMemoryBusWidth(), index),
                    bus.getString(0));
        }
    }

    public static List<DeviceInfo> all() {
        int n = Cuda.deviceCount();
        List<DeviceInfo> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(query(i));
        return out;
    }

    static int attr(Arena a, int attribute, int device) {
        MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
        Cuda.check(Cudart.cudaDeviceGetAttribute(v, attribute, device), "cudaDeviceGetAttribute(" + attribute + ")");
        return v.get(ValueLayout.JAVA_INT, 0);
    }
}
