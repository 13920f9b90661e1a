package io.prefillbench.cli;

import io.prefillbench.report.HtmlReport;
import io.prefillbench.report.ReportInput;
import io.prefillbench.report.SummaryTable;
import io.prefillbench.report.TorchRatios;
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

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "results JSON of prefill (or --sweep), serve (several: charted against the arrival rate), advise --json, JMH JSON and its .meta.json, PyTorch baseline JSON")
    List<Path> files;

    @Option(names = {"-o", "--output"}, paramLabel = "HTML", defaultValue = "report.html",
            description = "where to write the report (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--force", description = "replace an existing output file that prefillbench did not write")
    boolean force;

    @Override
    public Integer call() {
        Path target = OutputPath.check("-o", output, files, force);
        List<ReportInput> inputs = files.stream().map(ReportInput::read).toList(); // all read before anything is written
        ResultsIo.writeTextAtomically(target, HtmlReport.renderAll(inputs));
        PrintWriter out = spec.commandLine().getOut();
        for (ReportInput in : inputs) {
            switch (in) {
                case ReportInput.Bench(BenchInput.Prefill p) -> {
                    out.printf("## %s (%s, %s)%n%n", p.source(), p.results().deviceName(), p.results().config().model());
                    out.println(SummaryTable.prefillMarkdown(p.results()));
                }
                case ReportInput.Bench(BenchInput.Jmh j) -> {
                    out.printf("## %s (JMH)%n%n", j.source());
                    out.println(SummaryTable.jmhMarkdown(j.jmh()));
                }
                case ReportInput.Sweep s -> {
                    out.printf("## %s (sweep, %s, %s)%n%n", s.source(), s.sweep().deviceName(), s.sweep().config().model());
                    out.println(SweepRun.markdown(s.sweep()));
                }
                case ReportInput.AdviceFile a -> out.printf("## %s (advice)%n%nchosen sizes %s: expected %.4f ms mean, %.4f ms p99%n%n",
                        a.source(), a.advice().sizes(), a.advice().expectedMs(), a.advice().p99Ms());
                case ReportInput.Torch t -> out.printf("## %s (PyTorch baseline, %s)%n%n%d timed points%n%n", t.source(), t.torch().device(),
                        t.torch().points().size());
                case ReportInput.JmhMeta m -> out.printf("## %s (JMH provenance)%n%n", m.source());
                case ReportInput.GateVerdict g -> out.printf("## %s (gate verdict: %s)%n%n", g.source(), g.tree().path("result").asText());
                case ReportInput.Serve s -> {
                    out.printf("## %s (serve, %s, %s)%n%n", s.source(), s.serve().devices().getFirst().name(),
                            s.serve().config().model());
                    out.print(ServeCommand.markdown(s.serve()));
                }
            }
        }
        String vsTorch = TorchRatios.markdown(inputs);
        if (!vsTorch.isEmpty()) out.printf("## %s%n%n%s%n", TorchRatios.TITLE, vsTorch);
        out.println("wrote " + output);
        out.flush();
        return 0;
    }
}
