package io.prefillbench.cli;

import picocli.CommandLine;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The commit a run comes from: always the SHA and dirty flag stamped into the jar at build time
 * (scripts/build-info.sh), never whatever repository the command happens to be started in. That one is recorded
 * apart, as {@code cwdRepo}, because a run from a checkout of another project would otherwise claim its commit.
 *
 * @param gitSha   stamped commit, "unknown" when the build had no git
 * @param gitDirty stamped dirty flag (untracked files count); true when unknown, since a clean tree cannot be shown
 * @param cwdRepo  nullable: "SHA[ dirty] at PATH" of the working directory's repository
 */
record BuildInfo(String gitSha, boolean gitDirty, String cwdRepo) {
    static final String RESOURCE = "/io/prefillbench/build-info.properties";

    static BuildInfo current() {
        return lookup(Path.of("").toAbsolutePath());
    }

    static BuildInfo lookup(Path workingDir) {
        BuildInfo b = stamped();
        return new BuildInfo(b.gitSha, b.gitDirty, cwdRepo(workingDir));
    }

    /** The build stamp alone. */
    static BuildInfo stamped() {
        Properties p = stamp();
        return new BuildInfo(p.getProperty("git.sha", "unknown"), !"false".equals(p.getProperty("git.dirty")), null);
    }

    /** "SHA (dirty)" for --version. */
    String describe() {
        return gitSha + (gitDirty ? " (dirty or unknown)" : "");
    }

    static Properties stamp() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) p.load(in);
        } catch (java.io.IOException ignored) {
            // unknown
        }
        return p;
    }

    private static String cwdRepo(Path dir) {
        String sha = git(dir, "rev-parse", "HEAD");
        if (sha == null || !sha.matches("[0-9a-f]{40}")) return null;
        String top = git(dir, "rev-parse", "--show-toplevel");
        String status = git(dir, "status", "--porcelain");
        return sha + (status == null || !status.isBlank() ? " dirty" : "") + " at " + (top == null ? dir : top);
    }

    private static String git(Path dir, String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code bench --version}: the tool and the commit stamped into this jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"prefillbench 0.1.0 (git " + stamped().describe() + ")"};
        }
    }
}
