#!/bin/sh
# Fails when the shared library $1 exports a defined dynamic symbol not starting with $2.
# The Java side binds by name; a stray export could shadow another library's symbol.
set -u
lib=$1
prefix=$2
[ -f "$lib" ] || { echo "FAIL: $lib does not exist"; exit 1; }
syms=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }') || { echo "FAIL: nm failed on $lib"; exit 1; }
bad=$(printf '%s\n' "$syms" | grep -v "^$prefix" | grep -v '^$')
good=$(printf '%s\n' "$syms" | grep -c "^$prefix")
printf '%s exports %s %s* symbols\n' "$lib" "$good" "$prefix"
if [ -n "$bad" ]; then
  echo "FAIL: exported symbols without the $prefix prefix:"
  printf '  %s\n' $bad
  exit 1
fi
if [ "$good" -eq 0 ]; then
  echo "FAIL: no $prefix* symbols exported"
  exit 1
fi
echo "PASS"
