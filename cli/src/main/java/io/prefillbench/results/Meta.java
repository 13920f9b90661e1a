package io.prefillbench.results;

import java.util.List;

/** Provenance of one run: which code, toolchain and host produced it. Strings are nullable where unknown. */
public record Meta(String tool, List<String> argv, String gitSha, boolean gitDirty, String jdk, String cudaRuntime,
                   String cudaDriver, String driverVersion, String cublas, String timestamp, String host) {
}
