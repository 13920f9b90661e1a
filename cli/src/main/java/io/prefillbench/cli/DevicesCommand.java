package io.prefillbench.cli;

import io.prefillbench.cuda.Cuda;
import io.prefillbench.cuda.CublasHandle;
import io.prefillbench.cuda.DeviceInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench.jar devices}: each GPU's name, compute capability, SMs, memory, L2, clocks; driver, runtime and cuBLAS versions. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List the CUDA GPUs and the driver, runtime and cuBLAS versions.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<DeviceInfo> devices = DeviceInfo.all();
        out.printf("driver supports CUDA %s, runtime %s, cuBLAS %s%n", Cuda.formatVersion(Cuda.driverVersion()),
                Cuda.formatVersion(Cuda.runtimeVersion()), cublasVersionOrReason());
        for (DeviceInfo d : devices) {
            out.printf("GPU %d: %s  sm_%d%d  %d SMs  %.1f GiB  L2 %.0f MiB  SM clock %d MHz  memory clock %d MHz  bus %d-bit  %s%n",
                    d.index(), d.name(), d.ccMajor(), d.ccMinor(), d.sms(), d.memoryBytes() / (double) (1L << 30),
                    d.l2Bytes() / (double) (1 << 20), d.smClockMHz(), d.memClockMHz(), d.memBusWidthBits(), d.busId());
        }
        out.flush();
        return 0;
    }

    static String cublasVersionOrReason() {
        try {
            return CublasHandle.version();
        } catch (RuntimeException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
