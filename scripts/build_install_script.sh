#!/usr/bin/env bash
# scripts/build_install_script.sh OUT VERSION CONSTANTS SCHEMA_FILE...
# Writes OUT, the install script of VERSION (tenant_guard--VERSION.sql, what
# CREATE EXTENSION runs): the schema files in the order given, each @NAME@ in
# them replaced by the value of the constant marked `// @NAME@` in the C++
# header CONSTANTS (src/extension/schema_constants.hpp). Fails, writing
# nothing, on a @NAME@ the header does not define. Run by make (Makefile).
set -euo pipefail
out=$1 version=$2 constants=$3
shift 3

# `constexpr int segment_bits = 44;  // @SEGMENT_BITS@` -> s/@SEGMENT_BITS@/44/g
subst=$(sed -n 's|^ *constexpr [^=]*= *\([^;]*\); *// *@\([A-Z][A-Z0-9_]*\)@ *$|s/@\2@/\1/g|p' "$constants")
if [ -z "$subst" ]; then
    echo "$constants: no constant marked // @NAME@" >&2
    exit 1
fi

tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
    printf -- '-- tenant_guard %s install script. Written by make from schema/*.sql, with the\n' "$version"
    printf -- '-- constants of %s: edit those, not this file.\n' "$constants"
    printf '\\echo Use "CREATE EXTENSION tenant_guard" to load this file. \\quit\n'
    for f in "$@"; do
        printf '\n-- ==== %s\n' "$f"
        cat "$f"
    done
} | sed -e "$subst" >"$tmp"
if unknown=$(grep -n '@[A-Z][A-Z0-9_]*@' "$tmp"); then
    echo "$out: no value in $constants for:" >&2
    echo "$unknown" >&2
    exit 1
fi
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
