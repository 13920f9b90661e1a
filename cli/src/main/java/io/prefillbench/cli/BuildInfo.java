package io.prefillbench.cli;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The git commit a run comes from: asked of git in the working directory when that is a checkout,
 * else the SHA and dirty flag stamped into the jar at build time.
 */
record BuildInfo(String gitSha, boolean gitDirty, String source) {

    static BuildInfo current() {
        String sha = git("rev-parse", "HEAD");
        if (sha != null && sha.matches("[0-9a-f]{40}")) {
            String status = git("status", "--porcelain", "--untracked-files=no");
            return new BuildInfo(sha, status != null && !status.isBlank(), "git");
        }
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/io/prefillbench/build-info.properties")) {
            if (in != null) p.load(in);
        } catch (java.io.IOException ignored) {
            // fall through to unknown
        }
        return new BuildInfo(p.getProperty("git.sha", "unknown"), Boolean.parseBoolean(p.getProperty("git.dirty", "true")), "build");
    }

    private static String git(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (Exception e) {
            return null;
        }
    }
}
