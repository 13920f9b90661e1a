package io.prefillbench.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every subcommand's help renders without picocli's format warning: a description is a format string, so a bare "%" (as
 * "2 % on an H200" was in --layout-with's) prints "Could not format ..." three times on stderr with every --help.
 */
class HelpTextTest {
    @Test
    void everySubcommandsHelpFormats() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            CommandLine root = BenchCli.newCommandLine();
            assertFalse(root.getSubcommands().isEmpty());
            for (CommandLine sub : root.getSubcommands().values()) {
                String usage = sub.getUsageMessage();
                assertTrue(usage.contains(sub.getCommandName()), sub.getCommandName());
            }
        } finally {
            System.setErr(err);
        }
        String warnings = captured.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("Could not format"), warnings);
    }
}
