#!/usr/bin/env bash
# Concurrency soak of tenant_guard (issues #4 and #8, item 2).
#
# Usage:
#   bash test/stress/soak.sh                       # CI: 45 s, 4 writers, 60 tenants
#   SOAK_SECONDS=1800 SOAK_WRITERS=8 SOAK_TENANTS=200 SOAK_RATE=3000 bash test/stress/soak.sh
#                                                  # a long soak: 30 min, 8 writers
# Environment:
#   SOAK_SECONDS  load duration in seconds (default 45)
#   SOAK_WRITERS  pgbench clients, at least 4 (default 4)
#   SOAK_TENANTS  tenants (default 60); fewer tenants, more collisions
#   SOAK_RATE     target writer transactions per second, all clients together
#                 (default 0: as fast as they can). The consumer is one
#                 PL/pgSQL loop; the "drain" line says how far behind it was
#                 when the load stopped (it keeps up with ~2,700 tps on 2 cores).
#   SOAK_STRICT   1 (default): known extension bugs count as failures; 0: report them as "not ok # TODO"
#   SOAK_PORT     cluster port (default 57120)
# The extension must be installed; run as root or as the postgres OS user.
# Everything runs on a throwaway cluster, removed at the end (also on failure).
#
# What runs at the same time, for SOAK_SECONDS:
#   - SOAK_WRITERS pgbench clients (test/stress/writer.pgbench): single-tenant
#     INSERT / INSERT ON CONFLICT / UPDATE / DELETE (cascading) on two
#     FK-linked protected tables, multi-statement transactions, and undelete of
#     their tenant (on_conflict => 'skip'); serialization failures and
#     deadlocks are retried (--max-tries);
#   - a rewinder: takes marks and rewinds one random tenant at a time to a
#     recent mark or to a time a moment ago; every fourth mark is taken in a
#     REPEATABLE READ transaction together with a copy of one tenant's rows;
#   - a consumer (PL/pgSQL procedure soak.consume): reads
#     tenant_guard.changes(cursor, 500) in a loop and replays every change into
#     unprotected replica tables, committing replica and cursor together.
# Then the load stops, every tenant with a saved copy is rewound to that mark
# (quietly) and compared with the copy, the consumer drains the stream, and:
# replica = source row for row (both tables, EXCEPT both ways); no change
# delivered twice; the delivered seqs are exactly the change log's; changes
# to one row arrive in seq order and each transaction's changes together; no
# error in the server log or in the wrappers other than the expected ones
# (TG001/TG002, 40001, and 40P01 from the workload's own lock order); a
# deadlock that involves an extension function fails the run.
#
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "soak: N passed, N failed"; exits non-zero on any failure. A check that
# fails only through a known extension bug prints "not ok - ... # TODO" with
# its evidence and is counted only with SOAK_STRICT=1 (the default).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/lib/common.sh
source "$HERE/../../scripts/lib/common.sh"
# shellcheck source=../lib/checks.sh
source "$HERE/../lib/checks.sh"
SECONDS_LOAD=${SOAK_SECONDS:-45}
WRITERS=${SOAK_WRITERS:-4}
TENANTS=${SOAK_TENANTS:-60}
RATE=${SOAK_RATE:-0}
PORT=${SOAK_PORT:-57120}
[ "$WRITERS" -ge 4 ] || { echo "soak.sh: SOAK_WRITERS must be at least 4" >&2; exit 2; }

work_dir soak

# The error log as JSON lines (loaded into the database at the end), with
# every statement that failed.
TG_CLUSTER_LOGDIR=$work/log
mkdir -p "$TG_CLUSTER_LOGDIR"
[ "$(id -u)" -eq 0 ] && chown postgres: "$TG_CLUSTER_LOGDIR"
TG_EXTRA_CONF="logging_collector = on
log_destination = 'jsonlog'
log_directory = '$TG_CLUSTER_LOGDIR'
log_filename = 'server'
log_rotation_age = 0
log_rotation_size = 0
log_file_mode = 0644
log_min_error_statement = error
max_connections = $((WRITERS + 20))" tg_cluster_start "$PORT" >/dev/null || { fail "cluster starts"; summary soak; exit 1; }
export PGDATABASE=soak
# A check that fails because of a known extension bug (evidence named):
# "not ok ... # TODO", not counted as a failure unless SOAK_STRICT=1.
known=0
known_check() {  # known_check WHAT COUNT REPRODUCER
    if [ "$2" = 0 ]; then pass "$1"
    elif [ "${SOAK_STRICT:-1}" = 1 ]; then fail "$1" "$2 times; known extension bug, evidence: $3"
    else known=$((known + 1)); echo "not ok - $1 # TODO known extension bug ($2 times), evidence: $3"; fi
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
t_start=$(now_ms)

q -d postgres -c 'CREATE DATABASE soak' || exit 1
q -v tenants="$TENANTS" -f "$HERE/soak_setup.sql" >/dev/null || { fail "schema and data set up"; summary soak; exit 1; }
s0=$(q -c 'SELECT max(seq) FROM tenant_guard.change_log')
note "setup: $TENANTS tenants, $(q -c 'SELECT (SELECT count(*) FROM app.accounts) + (SELECT count(*) FROM app.orders)') rows; load for ${SECONDS_LOAD} s with $WRITERS writers"

# The consumer, from the cursor saved at the end of the setup.
PGAPPNAME=soak-consumer q -c 'CALL soak.consume(2000)' >"$work/consumer.out" 2>&1 &
consumer_pid=$!
bg_pids+=("$consumer_pid")

# The writers.
PGAPPNAME=soak-writer "$TG_PG_BIN/pgbench" -n -c "$WRITERS" -j 2 -T "$SECONDS_LOAD" -D tenants="$TENANTS" \
    $([ "$RATE" -gt 0 ] && echo "-R $RATE") --max-tries=50 --failures-detailed -f "$HERE/writer.pgbench" >"$work/pgbench.out" 2>&1 &
writers_pid=$!
bg_pids+=("$writers_pid")

# The rewinder (this shell): marks and rewinds until the load ends.
rewinder() {
    local i=0 t m deadline=$((SECONDS + SECONDS_LOAD))
    export PGAPPNAME=soak-rewinder
    while [ $SECONDS -lt "$deadline" ]; do
        i=$((i + 1))
        t=$((1 + RANDOM % TENANTS))
        if [ $((i % 4)) -eq 1 ]; then
            # A checked mark: tenant t's rows saved in the mark's snapshot.
            q >/dev/null <<SQL
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO soak.at_mark SELECT 'check-$i', $t, r.* FROM soak.tenant_rows($t) r;
SELECT tenant_guard.mark('check-$i');
COMMIT;
SQL
            echo "check-$i $t" >>"$work/checked_marks"
        else
            q -c "SELECT tenant_guard.mark('soak-$i')" >/dev/null
        fi
        sleep "0.$((2 + RANDOM % 4))"
        t=$((1 + RANDOM % TENANTS))
        if [ $((i % 3)) -eq 0 ]; then
            q -c "SELECT count(*) FROM tenant_guard.rewind('$t', to_time => clock_timestamp() - interval '0.$((1 + RANDOM % 9)) s')"
        else
            m=$(q -c "SELECT name FROM (SELECT name FROM tenant_guard.marks ORDER BY marked_at DESC LIMIT 4) m
                        ORDER BY random() LIMIT 1")
            q -c "SELECT count(*) FROM tenant_guard.rewind('$t', to_mark => '$m')"
        fi >>"$work/rewinder.out" 2>&1 && echo ok >>"$work/rewinds" || echo failed >>"$work/rewinds"
    done
}
rewinder
wait "$writers_pid"
writers_rc=$?
t_load=$(now_ms)

########################################################################
# The load is over: what the writers and the rewinder did.
note "pgbench: $(grep -E '^number of transactions actually processed|^number of failed transactions|^number of transactions retried|^tps' "$work/pgbench.out" | tr '\n' ';' | sed 's/;$//')"
check "writers: pgbench ran to the end without an aborted client" "0|0" \
    "$writers_rc|$(grep -c 'aborted' "$work/pgbench.out")"
failed_tx=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out")
check "writers: no transaction failed after retries" "0" "${failed_tx:-missing}"
rewinds_ok=$(grep -c '^ok$' "$work/rewinds") rewinds_failed=$(grep -c '^failed$' "$work/rewinds")
undeletes=$(q -c "SELECT count(*) || ' (' || coalesce(sum(restored), 0) || ' rows restored)' FROM soak.undeletes")
note "rewinder: $rewinds_ok rewinds done, $rewinds_failed refused; writers: $undeletes undeletes"
[ "$rewinds_ok" -gt 0 ] && pass "rewinder: rewinds ran under load ($rewinds_ok)" || fail "rewinder: rewinds ran under load" "$(tail -5 "$work/rewinder.out")"

# Rewinds to the checked marks, now that nothing else writes: each tenant
# must be back exactly to its rows in the mark's snapshot.
bad=0 total=0
while read -r m t; do
    total=$((total + 1))
    if ! q -c "SELECT count(*) FROM tenant_guard.rewind('$t', to_mark => '$m')" >/dev/null 2>"$work/check.err"; then
        bad=$((bad + 1)); note "rewind of tenant $t to $m failed: $(head -1 "$work/check.err")"; continue
    fi
    diff=$(q -c "SELECT count(*) FROM ((SELECT rel, row_data FROM soak.tenant_rows($t)
                                         EXCEPT ALL SELECT rel, row_data FROM soak.at_mark WHERE mark = '$m')
                                        UNION ALL
                                        (SELECT rel, row_data FROM soak.at_mark WHERE mark = '$m'
                                         EXCEPT ALL SELECT rel, row_data FROM soak.tenant_rows($t))) d")
    [ "$diff" = 0 ] || { bad=$((bad + 1)); note "tenant $t after rewind to $m: $diff rows differ from the copy saved at the mark"; }
done < <(cat "$work/checked_marks" 2>/dev/null)
[ "$total" -gt 0 ] && [ "$bad" -eq 0 ] && pass "rewind to a mark taken under load restores the tenant exactly ($total marks)" ||
    fail "rewind to a mark taken under load restores the tenant exactly" "$bad of $total differ or failed"

# Drain the stream.
lag=$(q -c "SELECT count(*) FROM tenant_guard.change_log WHERE seq > $s0" ) consumed=$(q -c 'SELECT count(*) FROM soak.consumed')
q -c 'UPDATE soak.control SET stop = true'
wait "$consumer_pid"
consumer_rc=$?
note "drain: consumer was $((lag - consumed)) changes behind when the load stopped; drained in $(( $(now_ms) - t_load )) ms (with the checked rewinds)"
check "consumer: ran to the end without an error" "0" "$consumer_rc"
[ "$consumer_rc" -eq 0 ] || sed 's/^/#   /' "$work/consumer.out" | head -5

########################################################################
# The replica against the source, and the stream against the log.
q -c "SELECT 'consumer: ' || count(*) || ' changes (' || count(DISTINCT xid) || ' transactions; ' ||
             string_agg(DISTINCT op, '') || ') in ' || (SELECT batches FROM soak.consumer_state) || ' batches, ' ||
             (SELECT polls FROM soak.consumer_state) || ' polls' FROM soak.consumed" | sed 's/^/# /'
for table in accounts orders; do
    check "replica = source, app.$table (rows only in one of them; rows)" \
        "0|$(q -c "SELECT count(*) FROM app.$table")" \
        "$(q -c "SELECT count(*) FROM ((SELECT * FROM app.$table EXCEPT ALL SELECT * FROM replica.$table)
                                      UNION ALL (SELECT * FROM replica.$table EXCEPT ALL SELECT * FROM app.$table)) d")|$(
           q -c "SELECT count(*) FROM replica.$table")"
done
check "consumer: every change fitted the replica (no insert of a present key, no update/delete of a missing one)" "0" \
    "$(q -c 'SELECT count(*) FROM soak.anomalies')"
q -c "SELECT seq || ' ' || rel || ' ' || op || ' ' || pk || ': ' || what FROM soak.anomalies ORDER BY seq LIMIT 5" | sed 's/^/#   /'
check "consumer: no change delivered twice" "0" \
    "$(q -c 'SELECT count(*) FROM (SELECT seq FROM soak.consumed GROUP BY seq HAVING count(*) > 1) d')"
check "consumer: delivered seqs = change-log seqs (missing|extra)" "0|0" \
    "$(q -c "SELECT count(*) FROM (SELECT seq FROM tenant_guard.change_log WHERE seq > $s0 EXCEPT SELECT seq FROM soak.consumed) d")|$(
       q -c "SELECT count(*) FROM (SELECT seq FROM soak.consumed EXCEPT SELECT seq FROM tenant_guard.change_log WHERE seq > $s0) d")"
check "consumer: changes to one row arrive in the order they happened" "0" \
    "$(q -c 'SELECT count(*) FROM (SELECT seq < lag(seq) OVER (PARTITION BY rel, pk ORDER BY pos) AS back FROM soak.consumed) d WHERE back')"
check "consumer: each transaction's changes arrive together" "0" \
    "$(q -c 'SELECT count(*) FROM (SELECT xid FROM (SELECT xid, xid IS DISTINCT FROM lag(xid) OVER (ORDER BY pos) AS starts
                                                    FROM soak.consumed) r WHERE starts GROUP BY xid HAVING count(*) > 1) d')"

########################################################################
# Errors: the server log (jsonlog) and the wrappers.
q -c "COPY soak.log_raw FROM '$TG_CLUSTER_LOGDIR/server.json' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
q >/dev/null <<'SQL'
CREATE VIEW soak.all_errors AS
SELECT coalesce(l->>'application_name', '') AS who, l->>'state_code' AS state_code, l->>'message' AS message,
       coalesce(l->>'detail', '') AS detail, coalesce(l->>'context', '') AS context,
       coalesce(l->>'statement', '') AS statement
  FROM (SELECT line::jsonb AS l FROM soak.log_raw) j
 WHERE l->>'error_severity' IN ('ERROR', 'FATAL', 'PANIC')
UNION ALL
SELECT who, state_code, message, coalesce(detail, ''), coalesce(context, ''), 'tenant_guard.undelete' FROM soak.errors;
-- A deadlock involves the extension when one of its parties ran an extension
-- function (the rewinder, an undelete) or the extension's code was on the
-- stack. A known extension bug is classed on its own.
CREATE VIEW soak.classified AS
SELECT *, CASE
       WHEN state_code = '40P01' AND detail ~ 'tenant_guard\.rewind' AND detail ~ 'try_undelete'
           THEN 'known: rewind and undelete of one tenant'
       WHEN state_code = '40P01' AND detail || context || statement ~ 'tenant_guard|try_undelete'
           THEN 'extension deadlock'
       WHEN state_code = '40P01' THEN 'workload deadlock'
       -- A row restored by undelete or rewind whose parent a writer of the same
       -- tenant deleted meanwhile (documented: the undelete fails, nothing is
       -- restored). A key taken meanwhile gives 40001 (test/isolation/specs/
       -- rewind_insert_race, undelete_skip_race); a 23505 is unexpected.
       WHEN state_code = '23503' AND who IN ('undelete', 'soak-rewinder') THEN 'expected refusal'
       -- A rewind waits for no lock: it retries for 30 s and then gives up with
       -- 55P03, nothing changed (documented), when the unthrottled writers of
       -- its tenant held one of its rows at every attempt (seen once in CI).
       WHEN state_code = '55P03' AND who = 'soak-rewinder' THEN 'expected refusal'
       WHEN state_code IN ('40001', 'TG001', 'TG002') THEN 'expected'
       ELSE 'unexpected' END AS class
  FROM soak.all_errors;
SQL
q -c "SELECT 'errors: ' || coalesce(string_agg(n || ' × ' || class || ' ' || state_code || ' (' || who || ')', ', '), 'none')
        FROM (SELECT class, state_code, who, count(*) AS n FROM soak.classified GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) d" | sed 's/^/# /'
errors_of() {  # errors_of CLASS: "count" and up to 3 examples as "#" lines on fd 3
    q -c "SELECT who || ' ' || state_code || ': ' || message || ' | ' || left(regexp_replace(detail, '\s+', ' ', 'g'), 600) ||
                 ' | ' || left(regexp_replace(statement || ' ' || context, '\s+', ' ', 'g'), 300)
            FROM soak.classified WHERE class = '$1' LIMIT 3" | sed 's/^/#   /' >&3
    q -c "SELECT count(*) FROM soak.classified WHERE class = '$1'"
}
{
    check "no deadlock involving an extension function, e.g. rewind vs writers (other than the known one below)" "0" \
        "$(errors_of 'extension deadlock')"
    check "no unexpected error, e.g. 23505 from undelete/rewind (server log and wrappers)" "0" "$(errors_of unexpected)"
    n=$(errors_of 'known: rewind and undelete of one tenant')
    known_check "no deadlock between a rewind and an undelete of the same tenant (they insert keys in different orders)" "$n" \
        "the server-log lines above (no deterministic spec yet)"
} 3>&1

note "total $(( ($(now_ms) - t_start) / 1000 )) s"
[ "$known" -eq 0 ] || note "$known known extension bug(s) seen (not ok # TODO above; counted as failures with SOAK_STRICT=1)"
summary soak
