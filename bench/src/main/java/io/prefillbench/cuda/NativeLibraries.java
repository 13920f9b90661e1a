package io.prefillbench.cuda;

import io.prefillbench.BenchException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds and loads libcudart.so.13, libcublas.so.13 and libcublasLt.so.13 before any binding is touched. The jextract
 * bindings resolve symbols through the class loader's lookup, so the libraries are loaded with
 * {@link System#load} here; a missing library becomes one {@link BenchException} line naming the
 * fix instead of an ExceptionInInitializerError trace.
 *
 * <p>Search order: system property ({@code -Dprefillbench.cudart=/path/libcudart.so.13}), environment
 * variable ({@code PREFILLBENCH_CUDART}), then {@code LD_LIBRARY_PATH}, {@code $CUDA_HOME/lib64},
 * /usr/local/cuda/lib64, the distribution's library folders and the {@code ldconfig} cache. The folders
 * of libraries already loaded come first, so pointing {@code -Dprefillbench.cublas} at a pip wheel's
 * {@code nvidia/cu13/lib} also finds libcublasLt beside it.
 */
public final class NativeLibraries {

    /** One CUDA library: the soname we bind (the bindings follow CUDA 13 headers) and how to override it. */
    public enum Lib {
        CUDART("libcudart.so.13", "prefillbench.cudart", "PREFILLBENCH_CUDART", "the CUDA 13 runtime (toolkit or cuda-cudart package)"),
        CUBLAS("libcublas.so.13", "prefillbench.cublas", "PREFILLBENCH_CUBLAS", "cuBLAS 13 (CUDA 13 toolkit or libcublas package)"),
        CUBLASLT("libcublasLt.so.13", "prefillbench.cublaslt", "PREFILLBENCH_CUBLASLT", "cuBLASLt 13 (CUDA 13 toolkit or libcublas package)");

        final String soname;
        final String property;
        final String env;
        final String what;

        Lib(String soname, String property, String env, String what) {
            this.soname = soname;
            this.property = property;
            this.env = env;
            this.what = what;
        }

        public String soname() {
            return soname;
        }
    }

    private static final Object LOCK = new Object();
    private static final Set<Lib> LOADED = java.util.EnumSet.noneOf(Lib.class);
    private static final java.util.Map<Lib, Path> PATHS = new java.util.EnumMap<>(Lib.class);

    private NativeLibraries() {
    }

    /** Loads the library once; throws a BenchException naming the fix when it cannot be found or loaded. */
    public static Path load(Lib lib) {
        synchronized (LOCK) {
            if (LOADED.contains(lib)) {
                return PATHS.get(lib);
            }
            Path path = locateOrThrow(lib);
            try {
                System.load(path.toString());
            } catch (UnsatisfiedLinkError e) {
                throw new BenchException("cannot load " + path + ": " + e.getMessage() + " (install " + lib.what
                        + " or set -D" + lib.property + ")", e);
            } catch (IllegalCallerException e) {
                throw new BenchException("native access is disabled: run with --enable-native-access=ALL-UNNAMED"
                        + " (bench.jar's manifest enables it when started with java -jar)", e);
            }
            LOADED.add(lib);
            PATHS.put(lib, path);
            return path;
        }
    }

    /** {@link #locate}, or the BenchException naming the fix that {@link #load} throws (not cached: tests call it). */
    static Path locateOrThrow(Lib lib) {
        return locate(lib).orElseThrow(() -> new BenchException(lib.soname + " not found: install "
                + lib.what + " or point to it with -D" + lib.property + "=/path/to/" + lib.soname
                + " (or " + lib.env + "=...)"));
    }

    /** Where the library would be loaded from, without loading it. */
    public static Optional<Path> locate(Lib lib) {
        String explicit = System.getProperty(lib.property);
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv(lib.env);
        }
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            return Files.isRegularFile(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        List<Path> dirs = new ArrayList<>();
        synchronized (LOCK) {
            for (Path loaded : PATHS.values()) dirs.add(loaded.getParent());
        }
        dirs.addAll(searchDirectories());
        for (Path dir : dirs) {
            Path p = dir.resolve(lib.soname);
            if (Files.isRegularFile(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return fromLdconfig(lib.soname);
    }

    static List<Path> searchDirectories() {
        Set<Path> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) dirs.add(Path.of(d));
            }
        }
        for (String var : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String home = System.getenv(var);
            if (home != null && !home.isBlank()) {
                dirs.add(Path.of(home, "lib64"));
                dirs.add(Path.of(home, "lib"));
            }
        }
        for (String d : new String[] {"/usr/local/cuda/lib64", "/usr/local/cuda/lib", "/usr/local/cuda/targets/x86_64-linux/lib",
                "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/local/lib"}) {
            dirs.add(Path.of(d));
        }
        return new ArrayList<>(dirs);
    }

    private static Optional<Path> fromLdconfig(String soname) {
        for (String exe : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"}) {
            try {
                Process p = new ProcessBuilder(exe, "-p").redirectErrorStream(true).start();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        line = line.trim();
                        if (line.startsWith(soname + " ") && line.contains("=>")) {
                            Path path = Path.of(line.substring(line.indexOf("=>") + 2).trim());
                            if (Files.isRegularFile(path)) return Optional.of(path);
                        }
                    }
                }
                p.waitFor(5, TimeUnit.SECONDS);
                return Optional.empty();
            } catch (java.io.IOException e) {
                // try the next location of ldconfig
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
