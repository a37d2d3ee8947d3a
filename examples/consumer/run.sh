#!/usr/bin/env bash
# Builds examples/consumer against the panama-attention artifact in the local Maven repository
# (run `./mvnw install` at the repository root first) and runs it on the class path, as an
# executable jar (native access from its manifest) and on the module path. Maven options such as
# -Dmaven.repo.local come from MAVEN_ARGS, which Maven reads itself.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
major="$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1)"
if [[ -z "$major" || "$major" -lt 22 ]]; then
  echo "error: the consumer example needs a JDK 22+ (found '${major:-none}' at $JAVA); set JAVA_HOME" >&2
  exit 3
fi

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
