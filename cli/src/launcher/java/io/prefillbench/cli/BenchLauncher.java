package io.prefillbench.cli;

import java.lang.reflect.InvocationTargetException;

/**
 * Main-Class of bench.jar, compiled for Java 8 (class file 52) while everything else needs Java 25 (class file 69):
 * an older java runs this class, which says what to install instead of failing with UnsupportedClassVersionError.
 * On Java 25 or newer it hands over to {@link BenchCli}, found by name because this class is compiled apart from it.
 */
public final class BenchLauncher {
    static final int REQUIRED = 25;

    private BenchLauncher() {
    }

    public static void main(String[] args) throws Throwable {
        String spec = System.getProperty("java.specification.version", "0");
        int feature = feature(spec);
        if (feature < REQUIRED) {
            System.err.println("error: bench.jar needs Java " + REQUIRED + " or newer, but this is Java " + spec + " ("
                    + System.getProperty("java.home") + "): run it with a JDK " + REQUIRED
                    + ", e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar bench.jar");
            System.exit(2);
        }
        try {
            Class.forName("io.prefillbench.cli.BenchCli").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** 25 for "25", 8 for "1.8". */
    static int feature(String spec) {
        try {
            return Integer.parseInt(spec.startsWith("1.") ? spec.substring(2) : spec);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
