package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.cuda.Cuda;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.cuda.LaunchCost;
import io.prefillbench.cuda.CublasHandle;
import io.prefillbench.cuda.DeviceInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench.jar devices}: each GPU's name, compute capability, SMs, memory, L2, clocks; driver, runtime and cuBLAS versions. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List the CUDA GPUs and the driver, runtime and cuBLAS versions.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--launch-cost", arity = "0..1", fallbackValue = "169", paramLabel = "N",
            description = "Also time N launches of an empty kernel from Java (default N 169: ERNIE-4.5-0.3B's eager launches per forward) and print "
                    + "the host cost per launch, with and without PDL; kernels/check/launch-cost.sh N does the same loop in C++.")
    Integer launchCost;

    @Option(names = "--launch-repeats", defaultValue = "51", description = "With --launch-cost: timed rounds, median reported (default: ${DEFAULT-VALUE}).")
    int launchRepeats;

    @Option(names = "--launch-grid", defaultValue = "16", description = "With --launch-cost: blocks per launch (default: ${DEFAULT-VALUE}).")
    int launchGrid;

    @Option(names = "--launch-threads", defaultValue = "128", description = "With --launch-cost: threads per block (default: ${DEFAULT-VALUE}).")
    int launchThreads;

    @Option(names = "--device", defaultValue = "0", description = "With --launch-cost: GPU index (default: ${DEFAULT-VALUE}).")
    int device;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (launchCost != null) {
            if (launchCost < 1 || launchCost > 100_000) throw new BenchException("--launch-cost must be in 1..100000 launches, got " + launchCost);
            if (launchRepeats < 1 || launchRepeats > 10_000) throw new BenchException("--launch-repeats must be in 1..10000, got " + launchRepeats);
            if (launchGrid < 1 || launchGrid > 65_535) throw new BenchException("--launch-grid must be in 1..65535, got " + launchGrid);
            if (launchThreads < 1 || launchThreads > 1024) throw new BenchException("--launch-threads must be in 1..1024, got " + launchThreads);
            if (device < 0) throw new BenchException("--device must be >= 0, got " + device);
            KernelLibrary.requirePacked();
        }
        List<DeviceInfo> devices = DeviceInfo.all();
        out.printf("driver supports CUDA %s, runtime %s, cuBLAS %s%n", Cuda.formatVersion(Cuda.driverVersion()),
                Cuda.formatVersion(Cuda.runtimeVersion()), cublasVersionOrReason());
        for (DeviceInfo d : devices) {
            out.printf("GPU %d: %s  sm_%d%d  %d SMs  %.1f GiB  L2 %.0f MiB  SM clock %d MHz  memory clock %d MHz  bus %d-bit  %s%n",
                    d.index(), d.name(), d.ccMajor(), d.ccMinor(), d.sms(), d.memoryBytes() / (double) (1L << 30),
                    d.l2Bytes() / (double) (1 << 20), d.smClockMHz(), d.memClockMHz(), d.memBusWidthBits(), d.busId());
        }
        if (launchCost != null) printLaunchCost(out);
        out.flush();
        return 0;
    }

    private void printLaunchCost(PrintWriter out) {
        Cuda.setDevice(device);
        DeviceInfo d = DeviceInfo.query(device);
        out.printf("%nhost cost per launch on GPU %d (host clock; enqueue = issuing %d launches without waiting, / %d;"
                + " drained = until the stream is idle, / %d; median of %d rounds)%n%n", device, launchCost, launchCost, launchCost, launchRepeats);
        out.println("| caller | launch | launches | grid | threads | param bytes | enqueue us/launch | drained us/launch |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|");
        try (KernelLibrary lib = KernelLibrary.load()) {
            for (boolean pdl : d.ccMajor() >= 9 ? new boolean[] {false, true} : new boolean[] {false}) {
                LaunchCost c = LaunchCost.measure(lib, launchCost, launchRepeats, launchGrid, launchThreads, pdl);
                out.printf("| Java | %-24s | %d | %d | %d | %d | %.3f | %.3f |%n", pdl ? "cudaLaunchKernelExC + PDL" : "cudaLaunchKernel",
                        c.launches(), c.grid(), c.threads(), c.paramBytes(), c.enqueueUs(), c.drainedUs());
            }
        }
        if (d.ccMajor() < 9) out.println("(PDL needs sm_90)");
        out.printf("%nC++ on this host, same kernel and loop: bash kernels/check/launch-cost.sh %d %d %d %d%n", launchCost, launchRepeats, launchGrid, launchThreads);
    }

    static String cublasVersionOrReason() {
        try {
            return CublasHandle.version();
        } catch (RuntimeException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
