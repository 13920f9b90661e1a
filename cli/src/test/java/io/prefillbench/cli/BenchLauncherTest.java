package io.prefillbench.cli;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** bench.jar's Main-Class: loadable by any java from 8 on, names the fix on an old one, hands over on Java 25. */
class BenchLauncherTest {
    /** The machine's default java on the hosts this was written for; the check below runs where it exists. */
    private static final Path JAVA_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

    @Test
    void compiledForJava8() throws IOException {
        try (InputStream in = BenchLauncher.class.getResourceAsStream("BenchLauncher.class");
             DataInputStream data = new DataInputStream(in)) {
            assertEquals(0xCAFEBABE, data.readInt());
            data.readUnsignedShort(); // minor
            assertEquals(52, data.readUnsignedShort(), "class file major version: 52 is Java 8");
        }
    }

    @Test
    void featureVersions() {
        assertEquals(8, BenchLauncher.feature("1.8"));
        assertEquals(17, BenchLauncher.feature("17"));
        assertEquals(25, BenchLauncher.feature("25"));
        assertEquals(0, BenchLauncher.feature("garbage"));
    }

    @Test
    void handsOverOnThisJava() throws Exception {
        Run r = launch(Path.of(System.getProperty("java.home"), "bin", "java"), "plan", "--model", "tiny", "--sizes", "16");
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("# Capture plan"), r.output);
    }

    @Test
    void oldJavaGetsOneLineNamingTheFix() throws Exception {
        assumeTrue(Files.isExecutable(JAVA_17), "no Java 17 at " + JAVA_17);
        Run r = launch(JAVA_17, "plan");
        assertEquals(2, r.exit, r.output);
        assertEquals(List.of("error: bench.jar needs Java 25 or newer, but this is Java 17 (" + JAVA_17.getParent().getParent()
                + "): run it with a JDK 25, e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar bench.jar"), r.output.lines().toList());
    }

    record Run(int exit, String output) {
    }

    private static Run launch(Path java, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), BenchLauncher.class.getName()));
        if (!java.startsWith(System.getProperty("java.home"))) cmd.remove(1); // Java 17 does not know the flag
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        return new Run(p.exitValue(), out);
    }
}
