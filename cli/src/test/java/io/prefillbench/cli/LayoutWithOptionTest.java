package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.results.RunConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prefill --layout-with: parsed, turned into engine options, recorded with each source's digest, refused when unreadable. */
class LayoutWithOptionTest {
    /** The record of a run given these --layout-with values: the choices read as prefill reads them, then their identity. */
    private static String identity(List<String> values) {
        return PrefillCommand.layoutIdentity(values, PrefillCommand.engineOptions(null, 0, true, true, values));
    }

    @Test
    void repeatedValuesReachTheEngineOptionsInOrder(@TempDir Path dir) throws Exception {
        PrefillCommand cmd = new PrefillCommand();
        Path file = dir.resolve("other.json");
        Files.writeString(file, ImplChoices.none().toJson());
        new CommandLine(cmd).parseArgs("--layout-with", "bundled", "--layout-with", file.toString());
        assertEquals(List.of("bundled", file.toString()), cmd.layoutWith);
        var options = PrefillCommand.engineOptions(null, 0, true, true, cmd.layoutWith);
        assertEquals(2, options.layoutWith().size());
        assertEquals(ImplChoices.bundled(), options.layoutWith().get(0));
        assertEquals(ImplChoices.none(), options.layoutWith().get(1));
        assertEquals(List.of(), new PrefillCommand().layoutWith, "none by default");
    }

    @Test
    void theRecordNamesEachSourceWithItsDigest(@TempDir Path dir) throws Exception {
        assertNull(identity(List.of()), "without the option the field is absent, as in older files");
        Path file = dir.resolve("other.json");
        Files.writeString(file, ImplChoices.none().toJson());
        String both = identity(List.of("bundled", file.toString()));
        assertEquals(RunConfig.LAYOUT_OWN + " + " + ImplChoices.bundled().identity("bundled") + " + " + ImplChoices.none().identity("file other.json"), both);
        // another file's rows, another record: the gate tells the two runs apart
        Files.writeString(file, ImplChoices.bundled().toJson());
        assertNotEquals(both, identity(List.of("bundled", file.toString())));
    }

    @Test
    void anUnreadableFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("missing.json");
        BenchException e = assertThrows(BenchException.class, () -> PrefillCommand.engineOptions(null, 0, true, true, List.of(missing.toString())));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void aFileWithoutTheFieldLaidOutItsOwnPlans() {
        RunConfig c = io.prefillbench.results.SyntheticRuns.config(RunConfig.FIRST_TOKENS_SYNC);
        assertNull(c.layoutWith());
        assertEquals(RunConfig.LAYOUT_OWN, c.conditions().get("layoutWith"));
        RunConfig with = new RunConfig(c.model(), c.modelShape(), c.sizes(), c.maxNumSeqs(), c.warmup(), c.iterations(), c.seed(), c.gemm(),
                c.maxModelLen(), c.timedBy(), c.pdl(), c.padRatio(), c.padSlack(), c.modeOrder(), c.slowdownCycles(), c.implChoices(),
                c.libraryEdges(), c.hostTiming(), c.firstTokens(), c.warmupMs(), c.primeMs(), identity(List.of("bundled")));
        assertNotEquals(c.conditions(), with.conditions(), "a pinned layout is a run condition the gate compares");
    }
}
