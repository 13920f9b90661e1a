package io.prefillbench.results;

/** One visible GPU as the driver described it at run time. */
public record Device(int index, String name, String computeCapability, int sms, long memoryBytes, long l2Bytes,
                     int smClockMHz, int memClockMHz, String busId) {
}
