#!/usr/bin/env bash
# The C++ of the module, the command line, src/common and the tests is in the
# one style of .clang-format: one check per file, one that no two folders
# under src/ hold a file of the same name, and one of the naming rule. Prints the files that differ (fix
# them with clang-format -i FILE) and ends with
# "format: N passed, N failed"; exits non-zero when any differs.
set -uo pipefail
cd "$(dirname "$0")/.."
tool=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$tool" ]; then
    echo "clang-format is not installed (apt-get install clang-format)"
    echo "format: 0 passed, 1 failed"
    exit 1
fi
passed=0
failed=0
while IFS= read -r f; do
    if "$tool" --dry-run --Werror "$f" >/dev/null 2>&1; then
        passed=$((passed + 1))
    else
        echo "not in the project's style: $f (clang-format -i $f)"
        failed=$((failed + 1))
    fi
done < <(git ls-files 'src/*.cpp' 'src/*.hpp' 'test/*.cpp' 'test/*.hpp' 2>/dev/null || find src test -name '*.[ch]pp')
# File names are unique across src/: a name (without its .cpp/.hpp) lives in
# one folder only, so that "catalog.hpp" never means two things.
clashes=$( (git ls-files 'src/*' 2>/dev/null || find src -type f) |
    sed -n 's|^\(.*\)/\([^/]*\)\.[^./]*$|\2 \1|p' | sort -u | awk '
        { dirs[$1] = dirs[$1] " " $2; n[$1]++ }
        END { for (f in n) if (n[f] > 1) print f ":" dirs[f] }' | sort)
if [ -n "$clashes" ]; then
    echo "file names used in more than one folder under src/ (rename one):"
    echo "$clashes"
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
# The naming rule of the README's "Code style" (.clang-tidy), on the command
# line and src/common: one check, through a compile database of a CMake
# configure (nothing is built). About 90 s of CPU, spread over the cores.
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [ -z "$tidy" ]; then
    echo "clang-tidy is not installed (apt-get install clang-tidy-14): naming not checked"
    failed=$((failed + 1))
else
    db=$(mktemp -d /tmp/tg_tidy.XXXXXX)
    if ! cmake -S . -B "$db" -DTG_BUILD_TESTS=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$db/configure.log" 2>&1; then
        tail -n 20 "$db/configure.log"
        echo "cmake configure failed: naming not checked"
        failed=$((failed + 1))
    elif report=$(git ls-files 'src/cli/*.cpp' 'src/common/*.cpp' |
        xargs -P "$(nproc 2>/dev/null || echo 2)" -n 4 "$tidy" -p "$db" --quiet 2>&1); then
        passed=$((passed + 1))
    else
        grep -A 2 'error:' <<<"$report"
        echo "names not in the project's style (README, Code style; .clang-tidy): fix the names above"
        failed=$((failed + 1))
    fi
    rm -rf "$db"
fi
echo "format: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
