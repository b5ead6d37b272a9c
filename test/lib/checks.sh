# Counted checks for the scripts in test/crash and test/stress: one line
# "ok - WHAT" or "not ok - WHAT" (with "#" detail lines) per check, and a
# summary "NAME: N passed, N failed" that scripts/test.sh counts.
# Source after scripts/lib/common.sh.
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() {  # fail WHAT [DETAIL...]
    failed=$((failed + 1)); echo "not ok - $1"
    shift
    local d
    for d in "$@"; do printf '%s\n' "$d" | sed 's/^/#   /'; done
}
check() {  # check WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected [$2]" "got      [$3]"; fi
}
check_one_of() {  # check_one_of WHAT ACTUAL ALLOWED...
    local what=$1 actual=$2 a
    shift 2
    for a in "$@"; do [ "$actual" = "$a" ] && { pass "$what"; return 0; }; done
    fail "$what" "got [$actual], expected one of: $(printf '[%s] ' "$@")"
    return 1
}
note() { printf '# %s\n' "$*"; }
summary() {  # summary NAME: prints "NAME: N passed, N failed"; fails if any failed
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

# work_dir NAME: $work, a fresh directory the cluster's OS user can read; on exit
# the background jobs in bg_pids are killed, the servers whose data
# directories (under $work) are listed in work_clusters stopped in that order,
# the tg_cluster_start cluster stopped, $work removed.
work_dir() {
    work=$(mktemp -d "/tmp/tenant_guard_$1.XXXXXX")
    suite_name=$1
    chmod 755 "$work"
    bg_pids=()
    work_clusters=()
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}
cleanup() {
    local p d
    for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
    for d in "${work_clusters[@]}"; do
        [ -f "$work/$d/postmaster.pid" ] &&
            tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$work/$d" -m immediate -w -t 20 stop >/dev/null 2>&1
    done
    tg_cluster_stop
    [ -n "${work:-}" ] && rm -rf "$work"
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# bail WHAT: a step the rest depends on failed; print the server logs and stop.
bail() {
    fail "$1" "$(tail -n 20 "$work"/*.log 2>/dev/null)"
    summary "$suite_name"
    exit 1
}
