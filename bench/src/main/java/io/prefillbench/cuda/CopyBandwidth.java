package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;

import java.util.Arrays;

/**
 * Device memory bandwidth measured the simple way: a device-to-device copy of {@code bytes} (cudaMemcpyAsync,
 * one warm-up copy, then {@code repeats} copies each timed with a CUDA event pair), counting the bytes read plus the
 * bytes written. The median over repeats is the ceiling a weight-streaming forward can reach.
 *
 * @param bytes    bytes copied per run (read once, written once)
 * @param medianMs median GPU time of one copy
 */
public record CopyBandwidth(long bytes, int repeats, double medianMs) {
    /** At least this much is copied: smaller copies would partly run out of L2 (50 MiB on an H100). */
    public static final long DEFAULT_BYTES = 1L << 30;

    /** Terabytes (1e12) per second, bytes read + written. */
    public double tbPerS() {
        return 2.0 * bytes / (medianMs * 1e-3) / 1e12;
    }

    public static CopyBandwidth measure(long bytes, int repeats) {
        if (bytes <= 0 || repeats < 1) throw new IllegalArgumentException("copy of " + bytes + " bytes, " + repeats + " repeats");
        try (DeviceBuffer src = DeviceBuffer.allocate("copy source", bytes);
             DeviceBuffer dst = DeviceBuffer.allocate("copy destination", bytes);
             CudaStream stream = CudaStream.create();
             CudaEvent start = CudaEvent.create();
             CudaEvent stop = CudaEvent.create()) {
            src.fill(0x5a);
            dst.fill(0xa5);
            double[] ms = new double[repeats];
            for (int r = -1; r < repeats; r++) {
                start.record(stream);
                stream.copyAsync(dst.address(), src.address(), bytes, Cudart.cudaMemcpyDeviceToDevice(), "device-to-device bandwidth copy");
                stop.record(stream);
                stop.synchronize();
                if (r >= 0) ms[r] = stop.elapsedMillisSince(start);
            }
            Arrays.sort(ms);
            double median = repeats % 2 == 1 ? ms[repeats / 2] : (ms[repeats / 2 - 1] + ms[repeats / 2]) / 2;
            return new CopyBandwidth(bytes, repeats, median);
        }
    }
}
