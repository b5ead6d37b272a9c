#!/usr/bin/env bash
# The wall between the module's two sides (src/extension/pg.hpp,
# owns_cpp_objects.hpp) is kept by the compiler; this checks that it still is.
#  * Each file of refused/ breaks one rule and must fail to compile, with the
#    message its first line names ("// expect: REGEX").
#  * Rules the compiler cannot see: no file of src/extension includes a
#    PostgreSQL header except through pg.hpp (or after it, on its side);
#    none declares PostgreSQL functions itself (extern "C" outside the
#    entry macros); the transitional unwalled.hpp is gone.
# Prints "wall: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
pg_config=${PG_CONFIG:-pg_config}
server_include=$("$pg_config" --includedir-server)
cxx=${CXX:-g++}
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
    echo "wall: $1"
    failed=$((failed + 1))
}

for probe in test/wall/refused/*.cpp; do
    expect=$(sed -n '1s|^// expect: ||p' "$probe")
    out=$("$cxx" -std=c++17 -fsyntax-only -Isrc -I"$server_include" -x c++ "$probe" 2>&1)
    if [ $? -eq 0 ]; then
        fail "$(basename "$probe") compiled: the wall lets it through"
    elif ! grep -Eq "$expect" <<<"$out"; then
        fail "$(basename "$probe") failed for another reason than /$expect/:"$'\n'"$(head -5 <<<"$out")"
    else
        pass
    fi
done

# PostgreSQL headers: quoted includes that are neither the project's
# (extension/, common/) nor the headers of plain constants that
# pg/declarations.hpp gives the C++ side (SQLSTATEs, and the generated
# catalog/*_d.h: type OIDs, relkinds).
while IFS= read -r f; do
    case $f in src/extension/pg.hpp) continue ;; esac
    pg_includes=$(grep -E '^\s*#\s*include\s+"' "$f" | grep -vE '"(extension|common)/|"utils/errcodes\.h"|"catalog/pg_[a-z_]+_d\.h"' || true)
    if [ -z "$pg_includes" ]; then
        pass
    elif grep -q '#include "extension/pg.hpp"' "$f"; then
        pass  # the PostgreSQL side, more of PostgreSQL's headers after pg.hpp
    else
        fail "$f includes PostgreSQL headers without pg.hpp: $(tr '\n' ' ' <<<"$pg_includes")"
    fi
done < <(git ls-files 'src/extension/*.cpp' 'src/extension/*.hpp')

stray_externs=$(git grep -n 'extern "C"' -- 'src/extension/*.cpp' 'src/extension/*.hpp' |
    grep -vE '^src/extension/(pg|boundary)\.hpp:' || true)
while IFS= read -r line; do
    [ -z "$line" ] && continue
    file=${line%%:*}
    # PostgreSQL-side files wrap PostgreSQL's C headers and entry points in it.
    if grep -q '#include "extension/pg.hpp"' "$file"; then pass; else fail "C++-side extern \"C\": $line"; fi
done <<<"$stray_externs"

if [ -e src/extension/unwalled.hpp ] || git grep -q 'unwalled.hpp' -- src; then
    fail "the transitional unwalled.hpp is still used: $(git grep -l 'unwalled.hpp' -- src | tr '\n' ' ')"
else
    pass
fi

echo "wall: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
