package io.prefillbench.cli;

import io.prefillbench.report.HtmlReport;
import io.prefillbench.report.SummaryTable;
import io.prefillbench.results.BenchInput;
import io.prefillbench.results.ResultsIo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench report FILE... [-o report.html]}: one self-contained HTML page, and the markdown tables on stdout. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Renders results files (and JMH -rf json files) into one self-contained HTML report",
                "and prints the markdown summary tables to stdout."})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "results JSON of bench.jar prefill, or JMH JSON")
    List<Path> files;

    @Option(names = {"-o", "--output"}, paramLabel = "HTML", defaultValue = "report.html",
            description = "where to write the report (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--force", description = "replace an existing output file that prefillbench did not write")
    boolean force;

    @Override
    public Integer call() {
        Path target = OutputPath.check("-o", output, files, force);
        List<BenchInput> inputs = files.stream().map(BenchInput::read).toList(); // all read before anything is written
        ResultsIo.writeTextAtomically(target, HtmlReport.render(inputs));
        PrintWriter out = spec.commandLine().getOut();
        for (BenchInput in : inputs) {
            switch (in) {
                case BenchInput.Prefill p -> {
                    out.printf("## %s (%s, %s)%n%n", p.source(), p.results().deviceName(), p.results().config().model());
                    out.println(SummaryTable.prefillMarkdown(p.results()));
                }
                case BenchInput.Jmh j -> {
                    out.printf("## %s (JMH)%n%n", j.source());
                    out.println(SummaryTable.jmhMarkdown(j.jmh()));
                }
            }
        }
        out.println("wrote " + output);
        out.flush();
        return 0;
    }
}
