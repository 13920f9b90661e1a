package io.prefillbench.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The recorded commit is the jar's build stamp, whichever repository the command is started in. */
class BuildInfoTest {
    @TempDir
    static Path other;
    static String otherSha;

    /** A fresh repository with one commit: what a user's own project looks like. */
    @BeforeAll
    static void otherRepository() throws Exception {
        assumeTrue(run(other, "git", "--version") != null, "git is not installed");
        run(other, "git", "init", "-q");
        run(other, "git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "other");
        otherSha = run(other, "git", "rev-parse", "HEAD");
        assertTrue(otherSha != null && otherSha.matches("[0-9a-f]{40}"), "setup: " + otherSha);
    }

    @Test
    void theBuildStampIsPresentAndNamesACommitOrUnknown() {
        String sha = BuildInfo.stamp().getProperty("git.sha");
        assertTrue(sha != null && (sha.matches("[0-9a-f]{40}") || sha.equals("unknown")), "stamp: " + sha);
    }

    @Test
    void lookupInAnotherRepositoryRecordsTheStampAndNamesTheOtherAsCwdRepo() {
        BuildInfo b = BuildInfo.lookup(other);
        assertEquals(BuildInfo.stamp().getProperty("git.sha"), b.gitSha());
        assertNotEquals(otherSha, b.gitSha());
        assertTrue(b.cwdRepo().startsWith(otherSha + " at "), b.cwdRepo());
    }

    @Test
    void versionRunInAnotherRepositoryPrintsTheStamp() throws Exception {
        // a separate JVM, so its working directory really is the other repository
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = run(other, java, "-cp", System.getProperty("java.class.path"), BenchCli.class.getName(), "--version");
        String stamp = BuildInfo.stamp().getProperty("git.sha");
        assertTrue(out != null && out.startsWith("prefillbench 0.1.0 (git " + stamp), out);
        assertFalse(out.contains(otherSha), out);
    }

    @Test
    void outsideAnyRepositoryThereIsNoCwdRepo(@TempDir Path plain) {
        assumeTrue(run(plain, "git", "rev-parse", "HEAD") == null, "temp dir lies inside a repository");
        assertEquals(null, BuildInfo.lookup(plain).cwdRepo());
    }

    /** stdout of a command, or null when it fails. */
    static String run(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
