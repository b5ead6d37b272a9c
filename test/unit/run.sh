#!/usr/bin/env bash
# Builds and tests src/common:
#   1. the default compiler, ctest;
#   2. with clang-14 (if installed): ASan+UBSan build, ctest under the sanitizers,
#      then the libFuzzer targets: tg_fuzz_token for 20 seconds on test/fuzz/corpus,
#      tg_fuzz_archive for 15 seconds on test/fuzz/archive_corpus.
# Usage: test/unit/run.sh [BUILD_DIR]   (default /tmp/tg_unit_build; the sanitizer
# build goes to BUILD_DIR-sanitize). Ends with one line "unit: N passed, N failed",
# counting gtest cases of every run plus one per fuzz run; exits non-zero on any failure.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-/tmp/tg_unit_build}
sanitize_build="${build}-sanitize"
jobs=$(nproc 2>/dev/null || echo 2)
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

passed=0
failed=0

say() { printf '== %s\n' "$*"; }

# Adds a ctest run's counts, read from its JUnit report (ctest >= 3.21):
# <testsuite ... tests="N" failures="F" ... skipped="S"> — skipped tests count
# as neither passed nor failed.
count_ctest() {
    local report=$1 header tests failures skipped
    if [[ ! -s $report ]]; then
        failed=$((failed + 1))
        return
    fi
    # The attributes span several lines: flatten the <testsuite …> tag first.
    header=$(tr '\n\t' '  ' <"$report" | grep -o '<testsuite [^>]*')
    tests=$(grep -o ' tests="[0-9]*"' <<<"$header" | grep -o '[0-9]\+')
    failures=$(grep -o ' failures="[0-9]*"' <<<"$header" | grep -o '[0-9]\+')
    skipped=$(grep -o ' skipped="[0-9]*"' <<<"$header" | grep -o '[0-9]\+')
    passed=$((passed + ${tests:-0} - ${failures:-0} - ${skipped:-0}))
    failed=$((failed + ${failures:-0}))
    # ctest failing without a failed test (e.g. test discovery crashed) still fails.
    if [[ ${2:-0} -ne 0 && ${failures:-0} -eq 0 ]]; then failed=$((failed + 1)); fi
}

# configure_and_build DIR [cmake args…]; a failed build counts as one failure.
configure_and_build() {
    local dir=$1
    shift
    if ! cmake -S "$repo" -B "$dir" "${generator[@]}" "$@" >"$dir.configure.log" 2>&1; then
        cat "$dir.configure.log"
        say "configure failed ($dir)"
        failed=$((failed + 1))
        return 1
    fi
    if ! cmake --build "$dir" -j "$jobs"; then
        say "build failed ($dir)"
        failed=$((failed + 1))
        return 1
    fi
}

run_ctest() {
    local dir=$1 status
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" --output-junit "$dir/ctest-junit.xml" |
        grep -Ev '^ *(Start|[0-9]+/[0-9]+ Test) ' # per-test lines are noise; failures keep their output
    status=${PIPESTATUS[0]}
    count_ctest "$dir/ctest-junit.xml" "$status"
}

# run_fuzzer TARGET SECONDS MAX_LEN DICT SEED_DIR SCRATCH_NAME LOG_NAME: one
# libFuzzer run of a target of the sanitizer build, counted as one result.
run_fuzzer() {
    local target=$1 seconds=$2 max_len=$3 dict=$4 seeds=$5 scratch="$sanitize_build/$6"
    local log="$sanitize_build/$7.log" artifacts="$sanitize_build/$7-artifacts/"
    mkdir -p "$scratch" "$artifacts"
    if "$sanitize_build/$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
        -dict="$repo/test/fuzz/$dict" -artifact_prefix="$artifacts" \
        -print_final_stats=1 "$scratch" "$repo/test/fuzz/$seeds" >"$log" 2>&1; then
        grep -E '^(#[0-9]+ *DONE|Done|stat::number_of_executed_units)' "$log"
        passed=$((passed + 1))
    else
        tail -n 60 "$log"
        say "$target failed; reproducers in $artifacts"
        failed=$((failed + 1))
    fi
}

mkdir -p "$(dirname "$build")"
rm -f "$build/ctest-junit.xml" "$sanitize_build/ctest-junit.xml"

say "build and unit tests: $build"
if configure_and_build "$build"; then
    run_ctest "$build"
fi

if command -v clang++-14 >/dev/null 2>&1; then
    say "sanitizer build (clang-14, ASan+UBSan): $sanitize_build"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    if CC=clang-14 CXX=clang++-14 configure_and_build "$sanitize_build" -DTG_SANITIZE=ON; then
        run_ctest "$sanitize_build"

        # New inputs go to a scratch directory (first corpus argument), never
        # into the seed corpus in the repository; crash reproducers go next to it.
        say "fuzzing parse_token and claims for 20 s"
        run_fuzzer tg_fuzz_token 20 4096 token.dict corpus fuzz-corpus fuzz
        say "fuzzing the archive reader (export --verify) for 15 s"
        run_fuzzer tg_fuzz_archive 15 16384 archive.dict archive_corpus fuzz-archive-corpus fuzz-archive
    fi
else
    say "clang++-14 not found: sanitizer build and fuzzing skipped"
fi

echo "unit: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
