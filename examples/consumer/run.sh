#!/usr/bin/env bash
# Builds examples/consumer against the panama-attention artifact in the local Maven repository
# (run `./mvnw install` at the repository root first) and runs it on the class path, as an
# executable jar (native access from its manifest) and on the module path. Maven options such as
# -Dmaven.repo.local come from MAVEN_ARGS, which Maven reads itself.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

# A JDK >= 22, found as the project's launcher finds one: JAVA_HOME, the java on PATH, then
# /usr/lib/jvm/* newest first (CI sets no JAVA_HOME and its default java may be older).
java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1; }
find_jdk() {
  local d v candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  command -v java >/dev/null 2>&1 && candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  for d in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V -r); do candidates+=("${d%/}"); done
  for d in "${candidates[@]}"; do
    if [[ -x "$d/bin/java" && -x "$d/bin/javac" ]]; then
      v="$(java_major "$d/bin/java")"
      if [[ -n "$v" && "$v" -ge 22 ]]; then echo "$d"; return 0; fi
    fi
  done
  return 1
}
if ! JAVA_HOME="$(find_jdk)"; then
  echo "error: the consumer example needs a JDK 22+ (none in JAVA_HOME, PATH or /usr/lib/jvm); set JAVA_HOME" >&2
  exit 3
fi
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

"$ROOT/mvnw" -B -q -f "$HERE/pom.xml" clean package
cd "$HERE/target"
JAR="panama-attention-consumer-0.1.0-SNAPSHOT.jar"

# 1. Class path: the module-info.class in the jar is ignored there.
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR:lib/*" panama.attention.consumer.Main
# 2. Executable jar: no flag; Enable-Native-Access: ALL-UNNAMED in its manifest grants native
#    access, so the JVM must not warn about a restricted method.
"$JAVA" -jar "$JAR" 2> exec-jar.err || { cat exec-jar.err >&2; exit 1; }
if grep -q 'restricted method' exec-jar.err; then
  cat exec-jar.err >&2
  echo "error: the executable jar's manifest did not grant native access" >&2
  exit 1
fi
# 3. Module path: only the modules it needs (the library and its bindings), named for native access.
mkdir -p mods
cp "$JAR" lib/panama-attention-0*.jar lib/panama-attention-bindings-*.jar mods/
"$JAVA" --enable-native-access=panama.attention,panama.attention.bindings -p mods \
  -m panama.attention.consumer/panama.attention.consumer.Main
