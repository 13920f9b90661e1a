package io.prefillbench.scripts;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * scripts/gpu/jar_delta.py carries several builds of bench.jar to the GPU host as one jar and the others' differing entries;
 * the jar rebuilt there must be the one that was built, byte for byte per entry, or the call must stop before it runs.
 */
class JarDeltaScriptTest {
    static final Path SCRIPT = Path.of("..", "scripts", "gpu", "jar_delta.py").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @BeforeAll
    static void python() {
        assumeTrue(Files.isRegularFile(SCRIPT), "no " + SCRIPT + " (run from the cli module of a checkout)");
        assumeTrue(run(Path.of("."), "python3", "--version").exit == 0, "python3 is not installed");
    }

    @Test
    void aRebuiltJarHoldsTheNewJarsEntriesAndCarriesOnlyWhatDiffers() throws IOException {
        Path base = jar("base.jar", base()), next = jar("next.jar", next());
        Result made = make(base, next);
        assertEquals(0, made.exit, made.text);
        assertTrue(made.text.contains("next: 2 entries differ"), made.text);
        assertTrue(Files.isRegularFile(dir.resolve("d/next/io/x/b.bin")));
        assertTrue(Files.isRegularFile(dir.resolve("d/next/new.txt")));
        assertFalse(Files.exists(dir.resolve("d/next/a.txt")), "an unchanged entry travels in the base jar only");

        Path out = dir.resolve("rebuilt.jar");
        Result applied = apply(base, out);
        assertEquals(0, applied.exit, applied.text);
        assertSameEntries(next(), entries(out), "the rebuilt jar's entries, in order, with their bytes");
    }

    @Test
    void aChangedByteInTheCarriedEntriesStopsTheRebuild() throws IOException {
        Path base = jar("base.jar", base()), next = jar("next.jar", next());
        assertEquals(0, make(base, next).exit);
        Path carried = dir.resolve("d/next/io/x/b.bin");
        byte[] b = Files.readAllBytes(carried);
        b[1] ^= 1;
        Files.write(carried, b);
        Path out = dir.resolve("rebuilt.jar");
        Result applied = apply(base, out);
        assertNotEquals(0, applied.exit, applied.text);
        assertTrue(applied.text.contains("io/x/b.bin does not match next's digest"), applied.text);
        assertFalse(Files.exists(out), "no half-built jar is left to run");
    }

    @Test
    void anotherBaseJarThanTheOneMadeAgainstStopsTheRebuild() throws IOException {
        Path base = jar("base.jar", base()), next = jar("next.jar", next());
        assertEquals(0, make(base, next).exit);
        Map<String, byte[]> other = base();
        other.put("a.txt", "A, rebuilt".getBytes(StandardCharsets.UTF_8));
        Path otherBase = jar("other.jar", other);
        Path out = dir.resolve("rebuilt.jar");
        Result applied = apply(otherBase, out);
        assertNotEquals(0, applied.exit, applied.text);
        assertTrue(applied.text.contains("a.txt does not match"), applied.text);
        assertFalse(Files.exists(out));
    }

    private Result make(Path base, Path next) {
        return run(dir, "python3", SCRIPT.toString(), "make", base.toString(), dir.resolve("d").toString(), next.toString());
    }

    private Result apply(Path base, Path out) {
        return run(dir, "python3", SCRIPT.toString(), "apply", base.toString(), dir.resolve("d").toString(), "next", out.toString());
    }

    private static Map<String, byte[]> base() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("a.txt", "A".getBytes(StandardCharsets.UTF_8));
        m.put("io/x/b.bin", new byte[] {0, 1, 2, 3, 4, 5});
        m.put("io/x/c.txt", "C".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    /** The base with one entry's bytes changed and one entry added: what a kernel change does to the fatbin and build-info. */
    private static Map<String, byte[]> next() {
        Map<String, byte[]> m = base();
        m.put("io/x/b.bin", new byte[] {0, 1, 2, 3, 4, 6});
        m.put("new.txt", "N".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    private Path jar(String name, Map<String, byte[]> entries) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream f = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(f)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return p;
    }

    private static Map<String, byte[]> entries(Path jar) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (ZipEntry e : z.stream().toList()) m.put(e.getName(), z.getInputStream(e).readAllBytes());
        }
        return m;
    }

    private static void assertSameEntries(Map<String, byte[]> want, Map<String, byte[]> have, String what) {
        assertEquals(List.copyOf(want.keySet()), List.copyOf(have.keySet()), what);
        for (String k : want.keySet()) assertArrayEquals(want.get(k), have.get(k), what + ": " + k);
    }

    record Result(int exit, String text) {}

    /** Exit status and stdout + stderr of a command. */
    static Result run(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(Arrays.asList(cmd))).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(60, TimeUnit.SECONDS) ? new Result(p.exitValue(), out) : new Result(-1, out + " (timed out)");
        } catch (IOException | InterruptedException e) {
            return new Result(-1, e.toString());
        }
    }
}
