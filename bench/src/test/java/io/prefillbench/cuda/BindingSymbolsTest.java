package io.prefillbench.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every function the bindings declare (cuda-headers/&lt;lib&gt;.argfile) is exported by the installed
 * library: a header macro that renames a symbol (…_v2, …_ptsz) would otherwise fail only at the first call.
 * Needs the library, not a GPU; skipped where it is not installed.
 */
class BindingSymbolsTest {

    @ParameterizedTest
    @EnumSource(NativeLibraries.Lib.class)
    void everyBoundFunctionIsExported(NativeLibraries.Lib lib) throws IOException {
        Assumptions.assumeTrue(NativeLibraries.locate(lib).isPresent(), lib.soname() + " not installed");
        String name = switch (lib) {
            case CUDART -> "cudart";
            case CUBLAS -> "cublas";
            case CUBLASLT -> "cublaslt";
        };
        List<String> functions = Files.readAllLines(Path.of("..", "cuda-headers", name + ".argfile")).stream()
                .filter(l -> l.startsWith("--include-function "))
                .map(l -> l.substring("--include-function ".length()).trim())
                .toList();
        assertFalse(functions.isEmpty(), name + ".argfile declares no functions");
        NativeLibraries.load(lib);
        SymbolLookup loaded = SymbolLookup.loaderLookup();
        List<String> missing = functions.stream().filter(f -> loaded.find(f).isEmpty()).toList();
        assertEquals(List.of(), missing, "declared in " + name + ".argfile but not exported by " + NativeLibraries.locate(lib).orElseThrow());
    }
}
