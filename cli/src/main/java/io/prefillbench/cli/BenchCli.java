package io.prefillbench.cli;

import io.prefillbench.BenchException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** Entry point of bench.jar: one subcommand per job. Exit codes: 0 ok, 1 regression found, 2 bad input or environment. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = BuildInfo.Version.class,
        description = "Measures what CUDA graphs do for LLM prefill.")
public final class BenchCli {

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line; tests call execute() on it and read its out/err writers. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new BenchCli());
        // Subcommands are registered here, one line each.
        cl.addSubcommand(new DevicesCommand());
        cl.addSubcommand(new ReportCommand());
        cl.addSubcommand(new GateCommand());
        cl.addSubcommand(new PlanCommand());
        cl.addSubcommand(new AdviseCommand());
        cl.addSubcommand(new PrefillCommand());
        cl.addSubcommand(new JmhCommand());
        cl.addSubcommand(new ServeCommand());
        cl.addSubcommand(new TuneGemmCommand());
        // Every list option reads "16, 64" as "16,64": string lists (--sizes, --prompts, --batch) trim their entries
        // where they are parsed; integer lists (--prompt-lens) through this converter. After the subcommands:
        // picocli hands a converter only to those registered already.
        cl.registerConverter(Integer.class, BenchCli::integer);
        cl.setExecutionExceptionHandler(BenchCli::handleExecutionException);
        cl.setParameterExceptionHandler(BenchCli::handleParameterException);
        return cl;
    }

    /** Integer list entries the way --sizes reads them: surrounding spaces ignored, the same words when wrong. */
    private static Integer integer(String raw) {
        try {
            return Integer.valueOf(raw.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + raw + "' is not an int");
        }
    }

    static int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        if (ex instanceof BenchException be) {
            err.println("error: " + be.getMessage());
            err.flush();
            return be.exitCode();
        }
        err.println("error: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        err.flush();
        return 3;
    }

    static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        // some picocli messages (mutually exclusive options) carry their own "Error: " prefix
        err.println("error: " + ex.getMessage().replaceFirst("^Error: ", ""));
        err.println("try: " + cl.getCommandSpec().qualifiedName() + " --help");
        err.flush();
        return BenchException.EXIT_BAD_INPUT;
    }
}
