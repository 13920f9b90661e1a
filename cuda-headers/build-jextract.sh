#!/usr/bin/env bash
# Builds jextract from an openjdk/jextract checkout with a plain JDK (no Gradle), outside this repo.
#
#   cuda-headers/build-jextract.sh JEXTRACT_SRC LIBCLANG [PREFIX]
#
#   JEXTRACT_SRC  a checkout (work tree, or a bare/mirror git dir: HEAD is exported) of openjdk/jextract;
#                 bindings/ was generated from f9866df3a178baa2e4a3746a7a6e458d783ace92
#   LIBCLANG      libclang 14 shared library, e.g. /usr/lib/llvm-14/lib/libclang.so.1 (Debian: libclang1-14);
#                 libclang 16+ names unnamed unions in a way this jextract turns into invalid Java
#   PREFIX        where to install                                              [/opt/jextract]
#
# Environment: JAVA_HOME  a JDK 22+ (bindings/ was generated with JDK 25)       [javac on PATH]
#              CLANG_INCLUDE  clang's builtin headers (stddef.h ...)           [<libclang dir>/clang/<ver>/include]
#
# Installs PREFIX/lib/org.openjdk.jextract.jar (a modular jar, version 23 like jextract's Gradle build),
# PREFIX/lib/libclang.so (a link to LIBCLANG: jextract calls System.loadLibrary("clang")) and the launcher
# PREFIX/bin/jextract. Downloads nothing.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
src=$1 libclang=$2 prefix=${3:-/opt/jextract}
java_bin=${JAVA_HOME:+$JAVA_HOME/bin/}
[ -f "$libclang" ] || { echo "build-jextract: $2 not found: install libclang 14 (Debian: apt-get install libclang1-14)" >&2; exit 2; }
clang_inc=${CLANG_INCLUDE:-$(ls -d "$(dirname "$libclang")"/clang/*/include 2>/dev/null | head -1 || true)}
[ -f "$clang_inc/stddef.h" ] || {
  echo "build-jextract: clang's builtin headers not found (looked in '$clang_inc'): install them (Debian: libclang-common-14-dev) or set CLANG_INCLUDE" >&2; exit 2; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
if [ -d "$src/src/main/java" ]; then
  cp -r "$src/src/main" "$work/main"
elif git --git-dir="$src" rev-parse --verify -q HEAD >/dev/null; then
  echo "build-jextract: exporting $(git --git-dir="$src" rev-parse HEAD) from $src"
  git --git-dir="$src" archive HEAD src/main | tar -x -C "$work" && mv "$work/src/main" "$work/main"
else
  echo "build-jextract: $src is neither a jextract work tree (src/main/java) nor its git dir" >&2; exit 2
fi

mkdir -p "$work/classes"
find "$work/main/java" -name '*.java' > "$work/sources"
"${java_bin}javac" -nowarn -encoding UTF-8 -d "$work/classes" @"$work/sources" 2>&1 | grep -v '^Note:' || true
[ -f "$work/classes/org/openjdk/jextract/JextractTool.class" ] || { echo "build-jextract: javac failed" >&2; exit 1; }
cp -r "$work/main/resources/." "$work/classes/"

mkdir -p "$prefix/bin" "$prefix/lib"
rm -f "$prefix/lib/org.openjdk.jextract.jar"
# --module-version: jextract --version prints the module's version
"${java_bin}jar" --create --file "$prefix/lib/org.openjdk.jextract.jar" --module-version 23 -C "$work/classes" .
ln -sfn "$(readlink -f "$libclang")" "$prefix/lib/libclang.so"
java_cmd=${JAVA_HOME:+$JAVA_HOME/bin/java}
cat > "$prefix/bin/jextract" <<EOF
#!/bin/sh
# jextract 23 built by build-jextract.sh on $(basename "$libclang")
exec ${java_cmd:-java} \$JEXTRACT_JAVA_OPTIONS --enable-native-access=org.openjdk.jextract \\
  -Djava.library.path="$prefix/lib" -Djextract.header.path="$clang_inc" \\
  -p "$prefix/lib/org.openjdk.jextract.jar" -m org.openjdk.jextract/org.openjdk.jextract.JextractTool "\$@"
EOF
chmod +x "$prefix/bin/jextract"
"$prefix/bin/jextract" --version
