package io.prefillbench.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bench.jar jmh [JMH options]}: the JMH harness packed into bench.jar, with JMH's own flags,
 * e.g. {@code bench.jar jmh PrefillBenchmark -p workload=short -rf json -rff results/jmh.json}.
 */
@Command(name = "jmh", description = "Run the JMH benchmarks (PrefillBenchmark) with the usual JMH options, e.g. -rf json -rff FILE.")
final class JmhCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }
}
