package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.results.ResultsIo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.regex.Pattern;

/**
 * The one check every command runs on a file it is about to write (prefill --json and its .hlog files, report -o,
 * gate --json, plan --json, the jmh sidecar), before any long work: never an input of the same command (compared
 * by real path), a directory, a device or other non-regular file, a symbolic link, or, unless --force, an existing
 * file this tool did not write. Parent directories are created, and the directory is proven writable by creating
 * and removing a probe file, so a run fails in its first second rather than after the timing.
 */
final class OutputPath {
    /** Markers of files this tool writes: JSON with our schema field, HTML and .hlog with our generator line, op dumps and serve step logs with their header. */
    static final Pattern JSON_MARK = Pattern.compile("\"schema\"\\s*:\\s*\"prefillbench/");
    static final String HTML_MARK = "<meta name=\"generator\" content=\"prefillbench";
    static final String HLOG_MARK = "#prefillbench ";

    private OutputPath() {
    }

    /**
     * Checks {@code out} (named by {@code option} in messages) and creates its parent directories.
     *
     * @return the absolute path to write
     */
    static Path check(String option, Path out, Collection<Path> inputs, boolean force) {
        if (out == null || out.toString().isBlank())
            throw new BenchException(option + ": the output path is empty; name a file");
        Path abs = out.toAbsolutePath().normalize();
        String at = option + " " + out;
        if (Files.isSymbolicLink(abs))
            throw new BenchException(at + " is a symbolic link; name the file itself or another path (a link is never replaced)");
        if (Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS))
            throw new BenchException(at + " is a directory; name a file inside it");
        boolean exists = Files.exists(abs, LinkOption.NOFOLLOW_LINKS);
        if (exists && !Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS))
            throw new BenchException(at + " is not a regular file (a device, pipe or socket); name a regular file");
        for (Path in : inputs) {
            if (sameFile(abs, in))
                throw new BenchException(at + " is also an input of this command (" + in + "); write the output elsewhere");
        }
        if (exists && !force && !writtenByUs(abs))
            throw new BenchException(at + " exists and was not written by prefillbench; pass --force to replace it");
        Path dir = abs.getParent();
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".prefillbench-", ".probe");
            Files.delete(probe);
        } catch (IOException e) {
            throw new BenchException(at + ": cannot write in " + dir + ": " + ResultsIo.reason(e), e);
        }
        return abs;
    }

    /** True when both name the same existing file, through links and relative paths. */
    private static boolean sameFile(Path out, Path in) {
        try {
            return Files.exists(out) && Files.exists(in) && Files.isSameFile(out, in);
        } catch (IOException e) {
            return false;
        }
    }

    /** Recognises our own outputs by a marker near the start of the file. */
    static boolean writtenByUs(Path file) {
        byte[] head = new byte[4096];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return false;
        }
        String s = new String(head, 0, n, StandardCharsets.UTF_8);
        return JSON_MARK.matcher(s).find() || s.contains(HTML_MARK) || s.startsWith(HLOG_MARK)
                || s.startsWith(io.prefillbench.forward.OpDump.HEADER) || s.startsWith(io.prefillbench.serve.StepRecord.CSV_HEADER);
    }
}
