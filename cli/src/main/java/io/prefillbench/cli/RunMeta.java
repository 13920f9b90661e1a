package io.prefillbench.cli;

import io.prefillbench.cuda.Cuda;
import io.prefillbench.cuda.DeviceInfo;
import io.prefillbench.results.Device;
import io.prefillbench.results.Meta;

import java.time.Instant;
import java.util.List;

/** Where a run comes from: the meta and devices blocks every results file carries. */
final class RunMeta {
    private RunMeta() {
    }

    static Meta meta(List<String> argv) {
        BuildInfo b = BuildInfo.current();
        return new Meta("prefillbench 0.1.0", argv, b.gitSha(), b.gitDirty(), Runtime.version().toString(),
                Cuda.formatVersion(Cuda.runtimeVersion()), Cuda.formatVersion(Cuda.driverVersion()), PrefillCommand.Throttle.driverVersion(),
                DevicesCommand.cublasVersionOrReason(), Instant.now().toString(), hostName(), b.cwdRepo());
    }

    /**
     * The meta block of a command that does no GPU work (advise): the jar's commit, argv and time, and no CUDA
     * versions, so it runs on a machine without the CUDA libraries.
     */
    static Meta hostMeta(List<String> argv) {
        BuildInfo b = BuildInfo.current();
        String none = "n/a (no GPU work)";
        return new Meta("prefillbench 0.1.0", argv, b.gitSha(), b.gitDirty(), Runtime.version().toString(), none, none, none, none,
                Instant.now().toString(), hostName(), b.cwdRepo());
    }

    static Device device(DeviceInfo d) {
        return new Device(d.index(), d.name(), d.computeCapability(), d.sms(), d.memoryBytes(), d.l2Bytes(), d.smClockMHz(),
                d.memClockMHz(), d.busId());
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
