package io.prefillbench.results;

import java.util.List;

/**
 * Provenance of one run: which code, toolchain and host produced it. Strings are nullable where unknown.
 *
 * @param gitSha   the commit stamped into the jar at build time ("unknown" when git was absent then)
 * @param gitDirty the build's tree had changes, untracked files included (true when unknown)
 * @param cwdRepo  nullable: the repository of the working directory the run started in, when that is a git
 *                 checkout ("SHA[ dirty] at PATH"); it is not necessarily the code that ran
 */
public record Meta(String tool, List<String> argv, String gitSha, boolean gitDirty, String jdk, String cudaRuntime,
                   String cudaDriver, String driverVersion, String cublas, String timestamp, String host, String cwdRepo) {
}
