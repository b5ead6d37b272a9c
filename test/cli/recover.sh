#!/usr/bin/env bash
# The incident drill at small scale, for `tenant-guard deletions` and
# `tenant-guard recover`, against a throwaway cluster: 50 tenants of the
# recovery benchmark's schema (projects -> issues -> comments, FK-linked,
# ON DELETE CASCADE, ~2,000 rows each); an application deletes rows of some
# tenants on purpose (actor 'app', application_name 'webapp') before and
# while a maintenance script deletes 40 tenants, one per transaction, as
# tenant_guard.actor = 'cleanup-script'. Then:
#   - deletions (text, JSON, each filter) lists exactly the script's tenants;
#   - recover --dry-run changes nothing; usage errors exit 2;
#   - recover is killed (-9) half-way, loses its connection in one tenant,
#     meets a conflict in another, is interrupted (SIGINT): each run
#     continues from the journal, and the last one brings back exactly the
#     script's deletions, byte-identical (tenant_checksum before = after),
#     every row restored once (change-log 'undelete' entries per row), the
#     application's tombstones left alone;
#   - a second script's deletions, recover killed while it runs and resumed
#     with --jobs 3; the confirmation and progress bar on a terminal.
#
#   test/cli/recover.sh [BUILD_DIR | BINARY]   default: tenant-guard on PATH
#
# The extension must be installed (CLI_PG_BIN: the bindir of a private
# install tree instead). Ends with one line "recover: N passed, N failed";
# exits non-zero on any failure. PORT overrides the cluster port (55495).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../../scripts/lib/common.sh"
source "$HERE/../interop/lib.sh"
source "$HERE/lib.sh"
TG_PG_BIN=${CLI_PG_BIN:-$TG_PG_BIN}
BENCH_SQL=$HERE/../bench/sql
cli_binary recover "${1:-}"

work=$(mktemp -d /tmp/tenant_guard_recover.XXXXXX)
chmod 755 "$work"
background=()
cleanup() {
    local pid
    for pid in "${background[@]}"; do kill -9 "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
    tg_cluster_stop
}
trap cleanup EXIT
tg_cluster_start "${PORT:-55495}" || { echo "recover: 0 passed, 1 failed"; exit 1; }
export PGDATABASE=drill
cd "$work"

sql() { command psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
run() {  # run NAME ARGS...: tenant-guard with stdin from /dev/null; prints the exit code
    local name=$1 rc
    shift
    "$BIN" "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
    # What it said when it failed, for a failure nobody expected (the log of a CI run).
    [ "$rc" -ne 0 ] && head -n 3 "$work/$name.err" | sed "s/^/    ($name, exit $rc) /" >&2
    echo "$rc"
}
# poll SECONDS SQL: until the query returns t; prints t or timeout.
poll() {
    local deadline=$((SECONDS + $1))
    while [ "$SECONDS" -lt "$deadline" ]; do
        [ "$(sql -c "$2")" = t ] && { echo t; return; }
        sleep 0.05
    done
    echo timeout
}
# A restore held up by a blocker (undelete_where waits for a lock in short
# tries with back-off, so "waiting" is: its statement has run for 2 s).
restoring="application_name = 'tenant-guard' AND state = 'active' AND query LIKE '%undelete_where%on_conflict => ''error''%'"
waiting_recover="SELECT EXISTS (SELECT FROM pg_stat_activity WHERE $restoring AND now() - query_start > interval '2 s')"
no_recover_backend="SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'tenant-guard')"
# hold_key TENANT: an open transaction that has inserted a live project with
# the key of one of the tenant's tombstoned projects, so that a restore of
# that tenant waits for it; release_key ends it (rolled back). It must come
# after the plan, whose dry run would wait for it too: recover is run on a
# pseudo-terminal (start_pty) and the key is held while it asks.
hold_key() {
    PGAPPNAME=blocker psql -X -q -d drill >/dev/null 2>&1 <<SQL &
BEGIN;
INSERT INTO projects (tenant_id, id, key, name, created_at) VALUES ($1, $1 * 10000, 'X', 'blocker', now());
SELECT pg_sleep(600);
SQL
    background+=($!)
    poll 20 "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'blocker' AND wait_event = 'PgSleep')" >/dev/null
}
release_key() {
    sql -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'blocker'" >/dev/null
    poll 20 "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'blocker')" >/dev/null
}
# start_pty NAME [VAR=VALUE...] -- ARGS...: tenant-guard ARGS on a pseudo-terminal
# (script(1)), its input on fd 7, its screen in $work/NAME.tty; returns when
# it asks for confirmation. Sets PTY (the script process) and TG (tenant-guard).
start_pty() {
    local name=$1 env=()
    shift
    while [ "$1" != -- ]; do env+=("$1"); shift; done
    shift
    mkfifo "$work/$name.in"
    script -qefc "exec $(printf '%q ' env "${env[@]}" "$BIN" "$@")" /dev/null <"$work/$name.in" >"$work/$name.tty" 2>&1 &
    PTY=$!
    background+=($PTY)
    exec 7>"$work/$name.in"
    local deadline=$((SECONDS + 60))
    until grep -q 'Type yes to go on:' "$work/$name.tty" || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.05; done
    TG=$(cat "/proc/$PTY/task/$PTY/children" 2>/dev/null || pgrep -P "$PTY")
    TG=${TG%% *}
}
answer() { printf '%s\n' "$1" >&7; }
end_pty() { wait "$PTY"; PTY_RC=$?; exec 7>&-; }  # sets PTY_RC, its exit code
set_sync_standby() {  # set_sync_standby NAMES: commits with synchronous_commit = on wait for that standby ('' none)
    sql -c "ALTER SYSTEM SET synchronous_standby_names = '$1'" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1
}
journal_lines() { cat "$work"/tenant-guard-recover-*.journal 2>/dev/null | wc -l; }
tenants_of() {  # tenants_of FILE: the distinct tenants of a deletions text table, numerically sorted
    awk -F'|' 'NR > 2 && NF >= 7 { gsub(/ /, "", $1); print $1 }' "$1" | sort -nu | tr '\n' ' ' | sed 's/ $//'
}
live_rows() { sql -c "SELECT sum(bench_tenant_rows(t)) FROM generate_series($1, $2) AS t"; }
checksums() {  # checksums LO HI: "tenant rel checksum" lines, every table
    sql -c "SELECT t || ' ' || r || ' ' || tenant_guard.tenant_checksum(t::text, r::regclass)
              FROM generate_series($1, $2) AS t, unnest(ARRAY['public.projects', 'public.issues', 'public.comments']) AS r
             ORDER BY t, r"
}
undelete_counts() {  # undelete_counts: "rows restored, rows restored more than once"
    sql -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE n > 1)
              FROM (SELECT rel, pk, count(*) AS n FROM tenant_guard.change_log WHERE origin = 'undelete' GROUP BY 1, 2) AS u"
}
thousands() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
tombstones_of() { sql -c "SELECT count(*) FROM tenant_guard.tombstones WHERE $1"; }

echo "-- setup: 50 tenants, FK-linked"
sql -d postgres -c "CREATE DATABASE drill"
{
    echo 'CREATE EXTENSION tenant_guard;'
    echo "\\i '$BENCH_SQL/recovery_schema.sql'"
    echo "SELECT tenant_guard.protect('comments'), tenant_guard.protect('issues'), tenant_guard.protect('projects');"
} | sql >/dev/null
sql -v lo=1 -v hi=50 -c 'SET tenant_guard.max_tenants_per_statement = 0' -f "$BENCH_SQL/recovery_load.sql" >/dev/null
check "50 tenants loaded" 98400 "$(live_rows 1 50)"

echo "-- the incident: the application deletes on purpose, the script deletes 40 tenants"
app_delete() {  # app_delete TENANT...: the application deletes a few comments of each, one statement each
    local t
    for t in "$@"; do
        echo "DELETE FROM comments WHERE tenant_id = $t AND id % 100 = 3;"
    done | PGAPPNAME=webapp sql -c "SET tenant_guard.actor = 'app'" -f - >/dev/null
}
app_delete 5 6 41 42 43 44 45      # before the script, also in tenants it will delete
checksums 1 50 >"$work/before.txt"
sql -c "SELECT t, bench_tenant_rows(t) FROM generate_series(1, 50) AS t" >"$work/rows_before.txt"
rows_before() {  # rows_before T,T,...: live rows those tenants had before the script
    awk -F'|' -v list="$1" 'BEGIN { n = split(list, a, ","); for (i = 1; i <= n; i++) want[a[i]] = 1 }
                            ($1 in want) { s += $2 } END { print s + 0 }' "$work/rows_before.txt"
}
app_tombstones_before=$(tombstones_of "actor = 'app'")
script_rows=$(live_rows 1 40)
( for i in 1 2 3 4 5; do app_delete 46 47 48 49 50; sleep 0.05; done ) &
app=$!
for t in $(seq 1 40); do echo "DELETE FROM projects WHERE tenant_id = $t;"; done |
    PGAPPNAME=cleanup sql -c "SET tenant_guard.actor = 'cleanup-script'" -f - >/dev/null
wait "$app"
app_tombstones=$(tombstones_of "actor = 'app'")
checksums 41 50 >"$work/others_before.txt"
check "the script deleted the 40 tenants" 0 "$(live_rows 1 40)"
check "the application's deletions are tombstones too (more of them during the script)" t \
    "$(sql -c "SELECT $app_tombstones > $app_tombstones_before AND $app_tombstones_before > 0")"

echo "-- deletions"
check "deletions --actor cleanup-script" 0 "$(run del_actor deletions --actor cleanup-script)"
check "lists exactly the script's 40 tenants" "$(seq -s ' ' 1 40)" "$(tenants_of "$work/del_actor.out")"
check "in the three tables (120 rows of the table)" 120 "$(awk -F'|' 'NR > 2 && NF >= 7' "$work/del_actor.out" | wc -l)"
check "its rows add up to what the script deleted" "$script_rows" \
    "$(awk -F'|' 'NR > 2 && NF >= 7 { gsub(/[ ,]/, "", $3); n += $3 } END { print n }' "$work/del_actor.out")"
contains "summary line" "$work/del_actor.out" "40 tenants, 3 tables, $(thousands "$script_rows") rows, deleted "
contains "summary names the actor" "$work/del_actor.out" "actors: cleanup-script"
check "deletions --json" 0 "$(run del_json deletions --actor cleanup-script --json)"
doc=$(cat "$work/del_json.out")
check "JSON: 120 entries, 40 tenants, the same rows" "120 40 $script_rows" \
    "$(sql -v doc="$doc" <<<"SELECT jsonb_array_length(:'doc'::jsonb->'deletions') || ' ' || (:'doc'::jsonb->'summary'->>'tenants') || ' ' || (SELECT sum((e->>'rows')::bigint) FROM jsonb_array_elements(:'doc'::jsonb->'deletions') AS e)")"
check "JSON: the tenants are 1..40" "$(seq -s ',' 1 40)" \
    "$(sql -v doc="$doc" <<<"SELECT string_agg(t, ',' ORDER BY t::int) FROM (SELECT DISTINCT e->>'tenant' AS t FROM jsonb_array_elements(:'doc'::jsonb->'deletions') AS e) AS s")"
check "JSON: the actor is the script's" '["cleanup-script"]' "$(sql -v doc="$doc" <<<"SELECT :'doc'::jsonb->'summary'->'actors'")"
check "JSON: the filter as given" '"cleanup-script"' "$(sql -v doc="$doc" <<<"SELECT :'doc'::jsonb->'filter'->'actor'")"
check "deletions --actor app" 0 "$(run del_app deletions --actor app)"
check "lists the application's tenants only" "5 6 41 42 43 44 45 46 47 48 49 50" "$(tenants_of "$work/del_app.out")"
check "deletions --application-name webapp" 0 "$(run del_appname deletions --application-name webapp)"
check "names the same tenants" "$(tenants_of "$work/del_app.out")" "$(tenants_of "$work/del_appname.out")"
xid=$(sql -c "SELECT xid FROM tenant_guard.tombstones WHERE actor = 'cleanup-script' AND tenant = '17' LIMIT 1")
check "deletions --xid (one script transaction)" 0 "$(run del_xid deletions --xid "$xid")"
check "is one tenant" 17 "$(tenants_of "$work/del_xid.out")"
first_app=$(sql -c "SELECT min(deleted_at) FROM tenant_guard.tombstones WHERE actor = 'app'")
check "deletions --until before the application's first deletion" 0 \
    "$(run del_until deletions --until "$(sql -c "SELECT '$first_app'::timestamptz - interval '1 microsecond'")" --actor app)"
contains "finds none of them" "$work/del_until.out" "nothing deleted matches"
check "deletions --since garbage exits 2" 2 "$(run del_bad deletions --since garbage)"
contains "naming the option" "$work/del_bad.err" "--since garbage"
check "deletions --xid garbage exits 2" 2 "$(run del_badxid deletions --xid x)"
check "deletions --actor '' exits 2" 2 "$(run del_empty deletions --actor '')"

echo "-- recover: usage, refusals, dry run"
state() { sql -c "SELECT (SELECT count(*) FROM tenant_guard.tombstones) || ' ' || (SELECT sum(bench_tenant_rows(t)) FROM generate_series(1, 50) AS t)"; }
state0=$(state)
check "recover without a filter exits 2" 2 "$(run rec_nofilter recover --yes)"
contains "and says what is needed" "$work/rec_nofilter.err" "at least one of --since"
check "recover --jobs 0 exits 2" 2 "$(run rec_jobs recover --actor cleanup-script --jobs 0)"
check "recover --until garbage exits 2" 2 "$(run rec_bad recover --until 'not a time')"
help_ok=0
for sub in deletions recover; do
    [ "$(run help_$sub "$sub" --help)" = 0 ] && grep -q "Usage: tenant-guard $sub" "$work/help_$sub.out" && help_ok=$((help_ok + 1))
done
check "--help on both" 2 "$help_ok"
check "recover --dry-run" 0 "$(run dry recover --actor cleanup-script --dry-run)"
contains "plan: tenants" "$work/dry.out" "tenants:     40 (1, 10, 11,"
contains "plan: rows" "$work/dry.out" "rows:        $(thousands "$script_rows")"
contains "plan: conflicts" "$work/dry.out" "conflicts:   none"
contains "plan: actors" "$work/dry.out" "actors:      cleanup-script"
contains "plan: time range" "$work/dry.out" "time range:  20"
check "dry run changes nothing" "$state0" "$(state)"
check "dry run writes no journal" 0 "$(journal_lines)"
check "not a terminal and no --yes: exit 2" 2 "$(run noyes recover --actor cleanup-script)"
contains "says to add --yes" "$work/noyes.err" "add --yes"
check "and restores nothing" "$state0" "$(state)"

echo "-- run 1: killed (-9) half-way, in a COMMIT"
# A live row takes a key of tenant 7 (committed): a conflict for later.
sql -c "INSERT INTO projects (tenant_id, id, key, name, created_at) VALUES (7, 70000, 'S', 'squatter', now())"
check "the dry run now shows the conflict" 0 "$(run dry2 recover --actor cleanup-script --dry-run)"
contains "in tenant 7" "$work/dry2.out" "conflicts:   1 row in 1 tenant: tenant 7 (public.projects 1)"
# A server without undelete_conflicts (before 0.8.0): the plan falls back on
# undelete_where's dry run, and finds the same conflict.
conflicts_fn="tenant_guard.undelete_conflicts(timestamptz, timestamptz, text, text, xid8, text[])"
sql -c "ALTER FUNCTION $conflicts_fn RENAME TO undelete_conflicts_hidden"
state_old=$(state)
check "the plan of a server before 0.8.0 (dry run)" 0 "$(run dry_old recover --actor cleanup-script --dry-run)"
sql -c "ALTER FUNCTION tenant_guard.undelete_conflicts_hidden(timestamptz, timestamptz, text, text, xid8, text[]) RENAME TO undelete_conflicts"
contains "shows the same conflict" "$work/dry_old.out" "conflicts:   1 row in 1 tenant: tenant 7 (public.projects 1)"
check "and changes nothing" "$state_old" "$(state)"
first13=$(rows_before 1,10,11,12,13,14,15,16,17,18,19,2,20)
# Its commits wait for a synchronous standby while one is named: the run is
# stopped in the COMMIT of tenant 20, after 1, 10..19 and 2, and killed there.
start_pty run1 PGOPTIONS='-c synchronous_commit=on' -- recover --actor cleanup-script --jobs 1
hold_key 20
answer yes
check "run 1 waits at tenant 20 (after 1, 10..19, 2)" t "$(poll 60 "$waiting_recover")"
set_sync_standby gate
release_key
check "tenant 20 is in its COMMIT" t "$(poll 30 "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'tenant-guard' AND wait_event = 'SyncRep')")"
check "the journal holds its header and 12 tenants" 13 "$(journal_lines)"
kill -9 "$TG"
end_pty
set_sync_standby ''
check "the killed run's backend ends" t "$(poll 30 "$no_recover_backend")"
check "tenant 20 is back all the same, byte-identical: its COMMIT had been sent" "0 3" \
    "$(tombstones_of "actor = 'cleanup-script' AND tenant = '20'") $(checksums 20 20 | grep -cFxf - "$work/before.txt")"
check "13 tenants are back, every row once" "$first13 0" "$(undelete_counts)"

echo "-- run 2: a lost connection in tenant 30, a conflict in tenant 7"
start_pty run2 -- recover --actor cleanup-script --jobs 1 --report "$work/run2.json"
contains "it resumed from the journal" "$work/run2.tty" "done before: 12 tenants, $(thousands "$(rows_before 1,10,11,12,13,14,15,16,17,18,19,2)") rows restored by earlier runs; 1 tenant restored with no journal entry"
contains "the plan shows the conflict" "$work/run2.tty" "conflicts:   1 row in 1 tenant: tenant 7"
hold_key 30
answer yes
check "run 2 waits at tenant 30" t "$(poll 60 "$waiting_recover")"
check "its connection is lost" t "$(sql -c "SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE $restoring")"
release_key
end_pty
check "run 2 exits 1 (two tenants are not back)" 1 "$PTY_RC"
contains "tenant 30 failed on its connection" "$work/run2.tty" "tenant 30 FAILED (rolled back, the others go on): ERROR"
contains "tenant 7 failed with TG020" "$work/run2.tty" "tenant 7 FAILED (rolled back, the others go on): ERROR TG020"
contains "the report says so" "$work/run2.tty" "38 tenants of 40 back"
contains "tenant 20 in the report" "$work/run2.tty" "restored (not journaled)"
contains "and how to go on" "$work/run2.tty" "run the same command again"
check "JSON report: 38 back, not complete" "38 false" \
    "$(sql -v doc="$(cat "$work/run2.json" 2>/dev/null || echo '{}')" <<<"SELECT (:'doc'::jsonb->'totals'->>'back') || ' ' || (:'doc'::jsonb->>'complete')")"
check "tenants 7 and 30 are not back (7 holds the squatter only), the others are" \
    "1 0 $(rows_before "$(seq -s, 1 40 | sed 's/\b7,//; s/\b30,//')")" \
    "$(live_rows 7 7) $(live_rows 30 30) $(sql -c "SELECT sum(bench_tenant_rows(t)) FROM generate_series(1, 40) AS t WHERE t NOT IN (7, 30)")"

echo "-- run 3: interrupted (SIGINT)"
sql -c "DELETE FROM projects WHERE tenant_id = 7 AND name = 'squatter'"  # (tombstoned, actor unset)
start_pty run3 -- recover --actor cleanup-script --jobs 1
hold_key 30
answer yes
check "run 3 waits at tenant 30" t "$(poll 60 "$waiting_recover")"
t0=$SECONDS
kill -INT "$TG"
end_pty
check "run 3 exits 1 after SIGINT" 1 "$PTY_RC"
check "promptly (under 10 s)" t "$([ $((SECONDS - t0)) -lt 10 ] && echo t || echo f)"
contains "with a hint to re-run" "$work/run3.tty" "run the same command again to continue"
contains "tenant 30 rolled back" "$work/run3.tty" "tenant 30 interrupted"
contains "tenant 7 not started" "$work/run3.tty" "| not started"
release_key
check "neither is back" "0 0" "$(live_rows 7 7) $(live_rows 30 30)"

echo "-- run 4: finishes"
others_state=$(tombstones_of "actor = 'app'")
check "run 4 exits 0" 0 "$(run run4 recover --actor cleanup-script --yes --jobs 2 --report "$work/final.json")"
contains "every tenant is back" "$work/run4.out" "40 tenants of 40 back (2 in this run"
contains "progress line at the end" "$work/run4.err" "recover: 2/2 tenants"
checksums 1 40 >"$work/after.txt"
check "every table of the 40 tenants byte-identical (checksums)" "$(grep -E '^([1-9]|[1-3][0-9]|40) ' "$work/before.txt" | md5sum)" \
    "$(md5sum <"$work/after.txt")"
check "every script row restored exactly once" "$script_rows 0" "$(undelete_counts)"
check "no tombstone of the script is left" 0 "$(tombstones_of "actor = 'cleanup-script'")"
check "the application's tombstones are all still there" "$app_tombstones $app_tombstones" "$others_state $(tombstones_of "actor = 'app'")"
check "the other tenants are as they were" "$(md5sum <"$work/others_before.txt")" "$(checksums 41 50 | md5sum)"
report_sums=$(sql -v doc="$(cat "$work/final.json")" <<<"SELECT string_agg((t->>'tenant') || ' ' || (x->>'table') || ' ' || (x->>'checksum'), E'\n' ORDER BY (t->>'tenant')::int, x->>'table')
    FROM jsonb_array_elements(:'doc'::jsonb->'tenants') AS t, jsonb_array_elements(t->'tables') AS x")
check "the report's checksums (all 40 tenants, earlier runs too) are the ones before the deletion" \
    "$(grep -E '^([1-9]|[1-3][0-9]|40) ' "$work/before.txt" | sort -k1,1n -k2,2 | md5sum)" "$(sort -k1,1n -k2,2 <<<"$report_sums" | md5sum)"
check "JSON report: complete, 40 back, the script's rows (but tenant 20's, not counted)" "true 40 $((script_rows - $(rows_before 20)))" \
    "$(sql -v doc="$(cat "$work/final.json")" <<<"SELECT (:'doc'::jsonb->>'complete') || ' ' || (:'doc'::jsonb->'totals'->>'back') || ' ' || (:'doc'::jsonb->'totals'->>'restored')")"
check "run 5, the same again: exit 0" 0 "$(run run5 recover --actor cleanup-script --yes)"
contains "nothing left to do" "$work/run5.out" "40 tenants of 40 back (none restored in this run)"
check "and nothing restored twice" "$script_rows 0" "$(undelete_counts)"

echo "-- the journal"
journal=$(ls "$work"/tenant-guard-recover-*.journal)
printf '{"tenant":"9","finished' >>"$journal"
check "a torn last line (a run killed while appending) is accepted" 0 "$(run torn recover --actor cleanup-script --yes)"
contains "with a note" "$work/torn.err" "ignored the torn last line"
cp "$journal" "$work/damaged.journal"
sed -i '3s/.*/garbage/' "$work/damaged.journal"
check "a damaged journal is refused (exit 1)" 1 "$(run damaged recover --actor cleanup-script --yes --journal "$work/damaged.journal")"
contains "naming the line" "$work/damaged.err" "damaged.journal line 3 is not JSON"
check "a journal of other arguments is refused (exit 1)" 1 "$(run otherargs recover --actor app --dry-run --journal "$journal")"
contains "saying which" "$work/otherargs.err" "was written for other arguments (--actor cleanup-script)"
check "while a run holds the journal, another is refused (exit 1)" 1 \
    "$(flock -n "$journal" "$BIN" recover --actor cleanup-script --yes </dev/null >"$work/locked.out" 2>"$work/locked.err"; echo $?)"
contains "it is in use" "$work/locked.err" "is in use by another tenant-guard recover"

echo "-- a second script; recover killed while it runs, resumed with --jobs 3"
checksums 1 30 >"$work/before2.txt"
second_rows=$(live_rows 1 30)
for t in $(seq 1 30); do echo "DELETE FROM projects WHERE tenant_id = $t;"; done |
    sql -c "SET tenant_guard.actor = 'second-script'" -f - >/dev/null
rm -f "$journal"
since=$(sql -c "SELECT min(deleted_at) FROM tenant_guard.tombstones WHERE actor = 'second-script'")
"$BIN" recover --actor second-script --since "$since" --yes --jobs 1 >"$work/kill2.out" 2>"$work/kill2.err" </dev/null &
kill2=$!
background+=($kill2)
while [ "$(journal_lines)" -lt 9 ] && kill -0 "$kill2" 2>/dev/null; do sleep 0.01; done
kill -9 "$kill2"
wait "$kill2" 2>/dev/null
killed_at=$(($(journal_lines) - 1))
poll 30 "$no_recover_backend" >/dev/null
echo "   killed after $killed_at journaled tenants"
check "killed part-way (some but not all tenants journaled)" t "$([ "$killed_at" -ge 8 ] && [ "$killed_at" -lt 30 ] && echo t || echo f)"
check "resumed with --jobs 3: exit 0" 0 \
    "$(run resume2 recover --actor second-script --since "$since" --yes --jobs 3)"
contains "it resumed" "$work/resume2.out" "resumed;"
contains "all 30 back" "$work/resume2.out" "30 tenants of 30 back"
check "byte-identical again" "$(md5sum <"$work/before2.txt")" "$(checksums 1 30 | md5sum)"
check "every row of the second script restored once more (twice in all), none more" "0 $second_rows" \
    "$(sql -c "SELECT count(*) FILTER (WHERE n > 2) || ' ' || count(*) FILTER (WHERE n = 2)
                 FROM (SELECT rel, pk, count(*) AS n FROM tenant_guard.change_log WHERE origin = 'undelete' GROUP BY 1, 2) AS u")"

echo "-- on a terminal: the question and the progress bar"
for t in 1 2 3; do echo "DELETE FROM projects WHERE tenant_id = $t;"; done |
    sql -c "SET tenant_guard.actor = 'third-script'" -f - >/dev/null
third_rows=$(tombstones_of "actor = 'third-script'")
start_pty tty_no -- recover --actor third-script
answer no
end_pty
check "answered no: exit 1" 1 "$PTY_RC"
contains "it asked" "$work/tty_no.tty" "Restore $(thousands "$third_rows") rows of 3 tenants? Type yes to go on:"
contains "and said so" "$work/tty_no.tty" "not confirmed; nothing restored"
check "and restored nothing" 0 "$(live_rows 1 3)"
start_pty tty_yes -- recover --actor third-script --jobs 2
answer yes
end_pty
check "answered yes: exit 0" 0 "$PTY_RC"
contains "the progress bar counts tenants" "$work/tty_yes.tty" "/3 tenants, "
contains "and rows/s" "$work/tty_yes.tty" " rows/s, "
contains "redrawn in place" "$work/tty_yes.tty" "$(printf '\033[K')"
check "the three tenants are back" "$(grep -cE '^[1-3] ' "$work/before2.txt")" "$(checksums 1 3 | grep -cFxf - "$work/before2.txt")"

summary recover
