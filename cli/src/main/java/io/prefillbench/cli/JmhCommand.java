package io.prefillbench.cli;

import io.prefillbench.cuda.DeviceInfo;
import io.prefillbench.results.ResultsIo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bench.jar jmh [JMH options]}: the JMH harness packed into bench.jar, with JMH's own flags,
 * e.g. {@code bench.jar jmh PrefillBenchmark -p workload=short -rf json -rff results/jmh.json}.
 * JMH's JSON has no room for provenance, so with {@code -rff FILE} a {@code FILE.meta.json} beside it
 * records the device, driver, runtime, JDK, git SHA + dirty flag, argv and timestamp.
 */
@Command(name = "jmh", description = "Run the JMH benchmarks (PrefillBenchmark) with the usual JMH options, e.g. -rf json -rff FILE.")
final class JmhCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        int rff = args.indexOf("-rff");
        if (rff >= 0 && rff + 1 < args.size()) {
            Path sidecar = OutputPath.check("-rff (its .meta.json sidecar)", Path.of(args.get(rff + 1) + ".meta.json"), List.of(), false);
            List<String> argv = new ArrayList<>(args);
            argv.addFirst("jmh");
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("schema", "prefillbench/jmh-meta/v1");
            meta.put("results", Path.of(args.get(rff + 1)).getFileName().toString());
            meta.put("meta", RunMeta.meta(argv));
            meta.put("devices", DeviceInfo.all().stream().map(RunMeta::device).toList());
            ResultsIo.writeAtomically(sidecar, meta);
        }
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }
}
