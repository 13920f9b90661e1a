package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.cuda.Cuda;
import io.prefillbench.cuda.DeviceInfo;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.results.ResultsIo;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bench.jar jmh [JMH options]}: the JMH harness packed into bench.jar, with JMH's own flags,
 * e.g. {@code bench.jar jmh PrefillBenchmark -p workload=short -rf json -rff results/jmh.json}.
 * JMH's JSON has no room for provenance, so with {@code -rff FILE} a {@code FILE.meta.json} beside it
 * records the device, driver, runtime, JDK, git SHA + dirty flag, argv and timestamp.
 *
 * <p>Runs go through JMH's Runner rather than its Main, so a missing GPU is one line (exit 2) before any
 * fork starts and a run in which no benchmark completed is a failure (exit 3) instead of an empty table.
 */
@Command(name = "jmh", description = "Run the JMH benchmarks (PrefillBenchmark) with the usual JMH options, e.g. -rf json -rff FILE; -h lists them.")
final class JmhCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        // JMH spells help -h; --help is what users type first
        String[] argv = args.stream().map(a -> a.equals("--help") ? "-h" : a).toArray(String[]::new);
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(argv);
        } catch (CommandLineOptionException e) {
            throw new BenchException("jmh: " + e.getMessage() + " (bench.jar jmh -h lists JMH's options)");
        }
        if (options.shouldHelp()) {
            options.showHelp();
            return 0;
        }
        if (options.shouldList() || options.shouldListWithParams() || options.shouldListProfilers() || options.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(argv); // listing needs no GPU
            return 0;
        }
        // The result file and its provenance sidecar are checked before the GPU and the long run: an unwritable or
        // clobbering -rff fails now. A result file whose sidecar is ours was written by an earlier run: replaceable.
        int rff = args.indexOf("-rff");
        Path sidecar = null;
        if (rff >= 0 && rff + 1 < args.size()) {
            Path result = Path.of(args.get(rff + 1));
            sidecar = Path.of(args.get(rff + 1) + ".meta.json");
            boolean oursBefore = Files.isRegularFile(sidecar) && OutputPath.writtenByUs(sidecar);
            OutputPath.check("-rff", result, List.of(), oursBefore);
            sidecar = OutputPath.check("-rff (its .meta.json sidecar)", sidecar, List.of(), false);
        }
        KernelLibrary.requirePacked();
        Cuda.unavailableReason().ifPresent(reason -> {
            throw new BenchException(reason);
        });
        Map<String, Object> meta = null;
        if (sidecar != null) { // taken before the run: the devices and argv as the run started
            List<String> typed = new ArrayList<>(args);
            typed.addFirst("jmh");
            meta = new LinkedHashMap<>();
            meta.put("schema", "prefillbench/jmh-meta/v1");
            meta.put("results", Path.of(args.get(rff + 1)).getFileName().toString());
            meta.put("meta", RunMeta.meta(typed));
            meta.put("devices", DeviceInfo.all().stream().map(RunMeta::device).toList());
        }
        Collection<RunResult> results;
        try {
            results = new Runner(options).run();
        } catch (NoBenchmarksException e) {
            throw new BenchException("jmh: no benchmark matches " + String.join(" ", args) + " (bench.jar jmh -l lists them)");
        } catch (RunnerException e) {
            throw new BenchException("jmh: " + e.getMessage(), 3, e);
        }
        if (results.isEmpty()) throw new BenchException("jmh: no benchmark completed (their failures are printed above)", 3, null);
        if (sidecar != null) ResultsIo.writeAtomically(sidecar, meta); // only beside a completed run's results
        return 0;
    }
}
