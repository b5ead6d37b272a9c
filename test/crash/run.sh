#!/usr/bin/env bash
# Crash safety of tenant_guard (issue #8, item 1).
#
#   bash test/crash/run.sh          # the extension must be installed; run as root
#                                   # or as the postgres OS user
#   CRASH_PORT=57111 bash test/crash/run.sh
#
# A throwaway cluster (port 57110 by default; synchronous_commit = on, so an
# acknowledged commit is durable) holds a protected multi-tenant schema:
# accounts -> orders -> lines, ON DELETE CASCADE, 40 tenants, 204,000 rows
# (test/crash/setup.sql). The postmaster and all its processes are killed with
# SIGKILL in the middle of
#   1. a bulk DELETE of 20 tenants (one statement, cascading),
#   2. a maintenance script deleting 20 tenants one transaction at a time,
#   3. an undelete of 20 tenants (one statement),
#   4. a rewind of 10 tenants to a mark (one statement),
#   5. a purge, blocked on a row lock after it erased two of three tables
#      (and, separately, right after a purge was acknowledged),
#   6. a change-stream consumer's poll, just after aborted transactions whose
#      xids the restarted server hands out again,
# and each time the cluster is started again (crash recovery) and checked:
# every row that existed is live or tombstoned, never both, never twice; the
# change log holds a whole operation or none of it; a purge happened entirely
# (receipt, token spent: TG014, nothing left) or not at all (no receipt, rows
# there, the same token works); undelete of the crashed tenants brings every
# row back; the extension works afterwards; every btree index agrees with its
# table (amcheck). "Mid-way" is observed, not hoped for: the kill comes when
# pg_stat_activity shows the statement running for a while (or waiting on the
# lock), and the client must have lost its connection without a result.
#
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "crash: N passed, N failed"; exits non-zero on any failure. About 1 minute.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/lib/common.sh
source "$HERE/../../scripts/lib/common.sh"
# shellcheck source=../lib/checks.sh
source "$HERE/../lib/checks.sh"
PORT=${CRASH_PORT:-57110}

work_dir crash

# synchronous_commit on: what a client saw committed must survive. A long
# wal_writer_delay leaves the WAL of aborted transactions unwritten longer.
TG_EXTRA_CONF="synchronous_commit = on
wal_writer_delay = 10s
log_line_prefix = '%m [%p] %e '" tg_cluster_start "$PORT" >/dev/null || { fail "cluster starts"; summary crash; exit 1; }
export PGDATABASE=crash
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
t_start=$(now_ms)

q -d postgres -c 'CREATE DATABASE crash' || exit 1
q -f "$HERE/setup.sql" >/dev/null || { fail "schema and data set up"; summary crash; exit 1; }
range() { echo "{$(seq -s, "$1" "$2")}"; }  # range 1 20 -> {1,2,...,20}
S1=$(range 1 20) S2=$(range 21 40) S4=$(range 1 10)
note "setup: $(q -c "SELECT count(*) FROM chk.state WHERE label = 'orig'") rows in 40 tenants, $(( $(now_ms) - t_start )) ms"

# start_op NAME: runs the SQL on stdin in the background, every statement
# tagged "/* crash:NAME */" so that pg_stat_activity shows it.
start_op() {
    local name=$1
    sed "s|^/\*op\*/|/* crash:$name */|" >"$work/$name.sql"
    q -f "$work/$name.sql" >"$work/$name.out" 2>"$work/$name.err" &
    op_pid=$!
    bg_pids+=("$op_pid")
}

# wait_midway NAME MODE [MIN_MS]: waits until a statement of NAME has been
# running (MODE run: on CPU or I/O, not waiting on a lock) for MIN_MS, or
# (MODE lock) waits on a lock. Sets midway to "<ms> <wait event type>".
wait_midway() {
    local name=$1 mode=$2 min_ms=${3:-0} deadline=$((SECONDS + 60)) r ms ev
    midway=
    while [ $SECONDS -lt $deadline ]; do
        r=$(q -c "SELECT (extract(epoch FROM clock_timestamp() - query_start) * 1000)::int || ' ' ||
                         coalesce(wait_event_type, 'CPU')
                    FROM pg_stat_activity
                   WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '/* crash:$name */%'")
        if [ -n "$r" ]; then
            ms=${r%% *} ev=${r#* }
            if { [ "$mode" = lock ] && [ "$ev" = Lock ]; } ||
               { [ "$mode" = run ] && [ "$ev" != Lock ] && [ "$ms" -ge "$min_ms" ]; }; then
                midway=$r
                return 0
            fi
        elif ! kill -0 "$op_pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.05
    done
    return 1
}

# crash_recover: SIGKILL to the postmaster and every process of the cluster at
# once, wait until they are gone, start again (crash recovery).
crash_recover() {
    local pm kids p deadline=$((SECONDS + 60)) log_at
    pm=$(head -1 "$TG_CLUSTER_DIR/data/postmaster.pid")
    kids=$(ps -o pid= --ppid "$pm")
    # shellcheck disable=SC2086
    kill -KILL "$pm" $kids 2>/dev/null
    for p in $pm $kids; do  # a zombie still counts: PID 1 reaps it
        while [ -e "/proc/$p" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    done
    log_at=$(stat -c %s "$TG_CLUSTER_DIR/server.log")
    tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$TG_CLUSTER_DIR/data" -l "$TG_CLUSTER_DIR/server.log" -w -t 120 start \
        >/dev/null 2>&1
    recovered=$(tail -c +"$((log_at + 1))" "$TG_CLUSTER_DIR/server.log" |
        grep -c 'automatic recovery in progress')
}

# killed_midway NAME: the crash came while NAME's statement ran, and its client
# got no result but a lost connection.
killed_midway() {
    local name=$1 rc=0
    wait "$op_pid" || rc=$?
    if [ -n "$midway" ] && [ "$rc" -ne 0 ] && grep -q 'server closed the connection\|connection to server was lost\|terminating connection' "$work/$name.err"; then
        pass "$name: killed mid-way (statement running ${midway% *} ms, ${midway#* }), client lost its connection"
    else
        fail "$name: killed mid-way" "midway=[$midway] client rc=$rc" "$(cat "$work/$name.out" "$work/$name.err")"
    fi
    check "$name: cluster restarted through crash recovery" "1" "$recovered"
}

max_seq() { q -c "SELECT coalesce(max(seq), 0) FROM tenant_guard.change_log"; }
tenant_rows() { q -c "SELECT count(*) FROM chk.state WHERE label = 'orig' AND kind = 'L' AND tenant = ANY ('$1')"; }
NO_VIOLATION='lost=0 both=0 duplicate=0 new=0'

########################################################################
# 1. A bulk DELETE of 20 tenants, one statement cascading through 3 tables.
s0=$(max_seq)
n1=$(tenant_rows "$S1")
start_op delete <<'SQL'
SET tenant_guard.max_tenants_per_statement = 0;
/*op*/ DELETE FROM app.accounts WHERE tenant_id BETWEEN 1 AND 20;
SQL
wait_midway delete run 300
crash_recover
killed_midway delete
state=$(q -c "SELECT chk.which('$S1', 'orig', 'none')")
note "delete: after recovery the 20 tenants are '$state' (orig: statement lost, none: committed)"
check_one_of "delete: the 20 tenants' rows are all live or all deleted" "$state" orig none
check "delete: every row is live or tombstoned, not both, once" "$NO_VIOLATION" "$(q -c "SELECT chk.accounting('orig', '$S1')")"
case $state in none) log_want="$n1/1" ;; *) log_want="0/0" ;; esac
check "delete: the change log holds the whole statement or none of it (rows/xacts)" "$log_want" "$(q -c "SELECT chk.log_after($s0, 'dml')")"
check "delete: tombstones hold the rows' exact images" "0" "$(q -c "SELECT chk.tombstones_differ('orig', '$S1')")"
check "delete: the other 20 tenants untouched" "t" "$(q -c "SELECT chk.all_is('orig', '$S2')")"
q -c "SELECT count(*) FROM generate_series(1, 20) t, tenant_guard.undelete(t::text)" >/dev/null
check "delete: undelete of the 20 tenants brings every row back, no tombstone left" "t|0" \
    "$(q -c "SELECT chk.live_is('orig', '$S1'), (SELECT count(*) FROM tenant_guard.tombstones)")"

########################################################################
# 2. The mistaken maintenance script: one DELETE per tenant, each its own
#    transaction; killed after some tenants' deletes committed.
s0=$(max_seq)
start_op loop < <(for t in $(seq 21 40); do echo "/*op*/ DELETE FROM app.accounts WHERE tenant_id = $t;"; done)
gone_sql="SELECT count(DISTINCT tenant) FROM tenant_guard.tombstones"
deadline=$((SECONDS + 60)) midway=
while [ $SECONDS -lt $deadline ] && kill -0 "$op_pid" 2>/dev/null; do
    if [ "$(q -c "$gone_sql")" -ge 6 ]; then wait_midway loop run 0; break; fi
    sleep 0.05
done
crash_recover
killed_midway loop
gone=$(q -c "$gone_sql")
note "loop: $gone of 20 tenants' DELETEs had committed"
check "loop: each tenant entirely live or entirely deleted" "0" \
    "$(q -c "SELECT count(*) FROM generate_series(21, 40) t WHERE chk.which(ARRAY[t], 'orig', 'none') = 'neither'")"
check "loop: every row is live or tombstoned, not both, once" "$NO_VIOLATION" "$(q -c "SELECT chk.accounting('orig', '$S2')")"
check "loop: the change log holds whole transactions: one tenant's $((n1 / 20)) rows each, one per deleted tenant" "0|$gone" \
    "$(q -c "SELECT count(*) FILTER (WHERE n <> $((n1 / 20)) OR tenants <> 1), count(*)
               FROM (SELECT xid, count(*) AS n, count(DISTINCT tenant) AS tenants FROM tenant_guard.change_log
                      WHERE seq > $s0 GROUP BY xid) x")"
check "loop: tombstones hold the rows' exact images" "0" "$(q -c "SELECT chk.tombstones_differ('orig', '$S2')")"
restored=$(q -c "SELECT coalesce(sum(restored), 0) FROM generate_series(21, 40) t, tenant_guard.undelete(t::text)")
check "loop: undelete of the crashed tenant set restores every row ($restored), no tombstone left" \
    "$((gone * n1 / 20))|t|0" \
    "$restored|$(q -c "SELECT chk.live_is('orig', '$S2'), (SELECT count(*) FROM tenant_guard.tombstones)")"

########################################################################
# 3. An undelete of 20 tenants in one statement.
q -c 'SET tenant_guard.max_tenants_per_statement = 0' -c 'DELETE FROM app.accounts WHERE tenant_id BETWEEN 1 AND 20'
q -c "SELECT chk.take('undelete_before', '$S1')" >/dev/null
s0=$(max_seq)
start_op undelete <<'SQL'
/*op*/ SELECT sum(restored) FROM generate_series(1, 20) t, tenant_guard.undelete(t::text);
SQL
wait_midway undelete run 400
crash_recover
killed_midway undelete
state=$(q -c "SELECT chk.which('$S1', 'orig', 'none')")
note "undelete: after recovery the 20 tenants are '$state' (none: undelete lost, orig: committed)"
check_one_of "undelete: the 20 tenants' rows are all restored or all still deleted" "$state" orig none
check "undelete: every row is live or tombstoned, not both, once" "$NO_VIOLATION" \
    "$(q -c "SELECT chk.accounting('undelete_before', '$S1')")"
case $state in orig) log_want="$n1/1" ;; *) log_want="0/0" ;; esac
check "undelete: the change log holds the whole undelete or none of it (rows/xacts)" "$log_want" \
    "$(q -c "SELECT chk.log_after($s0, 'undelete')")"
check "undelete: the other 20 tenants untouched" "t" "$(q -c "SELECT chk.all_is('orig', '$S2')")"
q -c "SELECT count(*) FROM generate_series(1, 20) t, tenant_guard.undelete(t::text)" >/dev/null
check "undelete: run again, every row is back, no tombstone left" "t|0" \
    "$(q -c "SELECT chk.live_is('orig', '$S1'), (SELECT count(*) FROM tenant_guard.tombstones)")"

########################################################################
# 4. A rewind of 10 tenants to a mark, in one statement.
q >/dev/null <<'SQL'
SELECT tenant_guard.mark('crash-mark');
SET tenant_guard.max_tenants_per_statement = 0;
UPDATE app.orders SET amount = amount + 1, status = 'changed' WHERE tenant_id BETWEEN 1 AND 10;
DELETE FROM app.accounts WHERE tenant_id BETWEEN 1 AND 10 AND id % 5 = 0;
INSERT INTO app.accounts SELECT t, 1000 + a, 'new ' || a, a, NULL, NULL FROM generate_series(1, 10) t, generate_series(1, 20) a;
INSERT INTO app.orders SELECT t, 100000 + a * 10 + o, 1000 + a, o, 'new', NULL
  FROM generate_series(1, 10) t, generate_series(1, 20) a, generate_series(1, 10) o;
INSERT INTO app.lines SELECT t, 1000000 + a * 100 + o * 10 + l, 100000 + a * 10 + o, 'new', l
  FROM generate_series(1, 10) t, generate_series(1, 20) a, generate_series(1, 10) o, generate_series(1, 4) l;
UPDATE app.lines SET qty = qty + 10 WHERE tenant_id BETWEEN 1 AND 10 AND id % 7 = 0;
SQL
q -c "SELECT chk.take('rewind_before', '$S4')" >/dev/null
rewind_sql="SELECT sum(reinserted + reverted + removed) FROM generate_series(1, 10) t, tenant_guard.rewind(t::text, to_mark => 'crash-mark'"
n4=$(q -c "$rewind_sql, dry_run => true)")
s0=$(max_seq)
start_op rewind <<<"/*op*/ $rewind_sql);"
wait_midway rewind run 300
crash_recover
killed_midway rewind
state=$(q -c "SELECT chk.which('$S4', 'orig', 'rewind_before')")
note "rewind: after recovery the 10 tenants are at '$state' (rewind_before: rewind lost, orig: committed; $n4 changes)"
check_one_of "rewind: the 10 tenants are entirely at the mark or entirely as before the rewind" "$state" orig rewind_before
check "rewind: every row is live or tombstoned, not both, once" "$NO_VIOLATION" \
    "$(q -c "SELECT chk.accounting('rewind_before', '$S4')")"
case $state in orig) log_want="$n4/1" ;; *) log_want="0/0" ;; esac
check "rewind: the change log holds the whole rewind or none of it (rows/xacts)" "$log_want" \
    "$(q -c "SELECT chk.log_after($s0, 'rewind')")"
check "rewind: the other 30 tenants untouched" "t" "$(q -c "SELECT chk.all_is('orig', '$(range 11 40)')")"
q -c "$rewind_sql)" >/dev/null
check "rewind: run again, the 10 tenants are exactly at the mark" "t" "$(q -c "SELECT chk.live_is('orig', '$S4')")"

########################################################################
# 5. Purge. Tokens are signed with the openssl command line, as a key holder
#    would, outside the database.
b64url() { basenc --base64url -w0 | tr -d '='; }
openssl genpkey -algorithm ed25519 -out "$work/purge.key" 2>/dev/null
openssl pkey -in "$work/purge.key" -pubout -out "$work/purge.pub"
q -v pub="$(cat "$work/purge.pub")" >/dev/null <<<"SELECT tenant_guard.add_purge_key('crash-key', :'pub');"
db_id=$(q -c 'SELECT tenant_guard.database_id()')
token() {  # token TENANT JTI
    local now payload sig
    now=$(date +%s)
    payload=$(printf '{"kid":"crash-key","act":"purge","db":"%s","tenant":"%s","live":true,"max_rows":100000,"exp":%d,"iat":%d,"jti":"%s","reason":"crash test"}' \
        "$db_id" "$1" $((now + 3600)) "$now" "$2" | b64url)
    printf 'tg1.%s' "$payload" >"$work/msg"
    sig=$(openssl pkeyutl -sign -rawin -inkey "$work/purge.key" -in "$work/msg" | b64url)
    printf 'tg1.%s.%s' "$payload" "$sig"
}
# Some tombstones and history of tenants 39 and 40 besides their live rows.
q >/dev/null <<'SQL'
DELETE FROM app.accounts WHERE tenant_id = 39 AND id <= 10;
DELETE FROM app.accounts WHERE tenant_id = 40 AND id <= 10;
UPDATE app.lines SET qty = qty + 1 WHERE tenant_id = 39 AND id % 3 = 0;
UPDATE app.lines SET qty = qty + 1 WHERE tenant_id = 40 AND id % 3 = 0;
SQL
q -c "SELECT chk.take('purge_before', '$(range 1 40)')" >/dev/null
footprint() {  # live rows / tombstones / change-log rows of a tenant
    q -c "SELECT (SELECT count(*) FROM chk.now_state(ARRAY[$1]) WHERE kind = 'L') || '/' ||
                 (SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '$1') || '/' ||
                 (SELECT count(*) FROM tenant_guard.change_log WHERE tenant = '$1')"
}
receipts() { q -c "SELECT count(*) FROM tenant_guard.purge_receipts WHERE jti = '$1'"; }
try_purge() {  # the SQLSTATE of a refusal, or the counts
    q -c "DO \$\$ BEGIN PERFORM tenant_guard.purge('$1'); RAISE NOTICE 'accepted';
          EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%', SQLSTATE; END \$\$" 2>&1 | sed 's/^NOTICE: *//'
}
counts_sql="SELECT string_agg(rel || ':' || live_deleted || '/' || tombstones_deleted || '/' || history_deleted, ' ' ORDER BY rel::text) FROM tenant_guard.purge"

# 5a. Killed while it waits for a row lock on the last table it erases (it has
#     spent the token and erased lines and orders in its transaction by then).
T40=$(token 40 crash-purge-40)
foot40=$(footprint 40)
dry40=$(q -c "$counts_sql('$T40', dry_run => true)")
q >"$work/blocker.out" 2>&1 <<'SQL' &
BEGIN;
SELECT 1 FROM app.accounts WHERE tenant_id = 40 AND id = 100 FOR UPDATE;
/* crash:blocker */ SELECT pg_sleep(600);
SQL
bg_pids+=("$!")
op_pid=$! wait_midway blocker run 0
start_op purge <<<"/*op*/ $counts_sql('$T40');"
wait_midway purge lock
crash_recover
killed_midway purge
rc40=$(receipts crash-purge-40)
check "purge: killed mid-way leaves no receipt" "0" "$rc40"
check "purge: killed mid-way leaves every live row, tombstone and change of the tenant (live/tombstones/log)" "$foot40" "$(footprint 40)"
check "purge: the same token then works, with the dry run's counts" "$dry40" "$(q -c "$counts_sql('$T40')")"
check "purge: then nothing of tenant 40 is left, one receipt" "0/0/0|1" "$(footprint 40)|$(receipts crash-purge-40)"
check "purge: a retry is refused as used" "TG014" "$(try_purge "$T40")"

# 5b. Acknowledged, then the crash: it must all be there.
T39=$(token 39 crash-purge-39)
dry39=$(q -c "$counts_sql('$T39', dry_run => true)")
done39=$(q -c "$counts_sql('$T39')")
check "purge: acknowledged purge returned the dry run's counts" "$dry39" "$done39"
op_pid=0 midway=
crash_recover
check "purge: cluster restarted through crash recovery" "1" "$recovered"
check "purge: an acknowledged purge survives the crash: receipt, nothing left" "1|0/0/0" \
    "$(receipts crash-purge-39)|$(footprint 39)"
check "purge: its token is refused as used after the crash" "TG014" "$(try_purge "$T39")"
check "purge: the other 38 tenants untouched (live rows and tombstones)" "t" \
    "$(q -c "SELECT chk.all_is('purge_before', '$(range 1 38)')")"

########################################################################
# 6. The change stream across a crash. Transactions that took an xid and
#    aborted just before the crash leave no trace in the WAL, so the restarted
#    server hands their xids out again, below the snapshots in the consumer's
#    cursor. The cursor must still deliver every change committed after the
#    crash, once, including one of a long transaction holding a reused xid.
c0=$(q -c 'SELECT tenant_guard.current_cursor()')
q -c "INSERT INTO app.accounts VALUES (38, 5000, 'cdc')"
aborted=$(for i in 1 2 3 4 5; do q -c 'BEGIN' -c 'SELECT pg_current_xact_id()' -c 'ROLLBACK'; done | tail -1)
c1=$(q -c "SELECT cursor FROM tenant_guard.changes('$c0') ORDER BY seq DESC LIMIT 1")
op_pid=0 midway=
crash_recover
check "cdc: cluster restarted through crash recovery" "1" "$recovered"
q >"$work/long.out" 2>&1 <<'SQL' &
BEGIN;
INSERT INTO app.accounts VALUES (38, 5001, 'cdc long');
SELECT pg_current_xact_id();
/* crash:long */ SELECT pg_sleep(2);
COMMIT;
SQL
long_pid=$!
bg_pids+=("$long_pid")
op_pid=$long_pid wait_midway long run 0
for i in 2 3 4 5 6; do q -c "INSERT INTO app.accounts VALUES (38, 500$i, 'cdc')"; done
cursor=$c1 delivered=
consume() {
    local rows
    rows=$(q -F ' ' -c "SELECT cursor, pk->>'id' FROM tenant_guard.changes('$cursor', 1000)")
    [ -n "$rows" ] || return 0
    cursor=$(tail -1 <<<"$rows" | cut -d' ' -f1)
    delivered+=$(cut -d' ' -f2 <<<"$rows" | tr '\n' ' ')
}
consume
wait "$long_pid"
consume
consume
long_xid=$(head -1 "$work/long.out")
note "cdc: last xid aborted before the crash $aborted, the long transaction after it got $long_xid"
[ -n "$long_xid" ] && [ "$long_xid" -le "$aborted" ] && note "cdc: xids were handed out again after the crash"
check "cdc: a cursor from before the crash delivers every change committed after it, once" \
    "5001 5002 5003 5004 5005 5006" "$(tr ' ' '\n' <<<"$delivered" | sed '/^$/d' | sort -n | tr '\n' ' ' | sed 's/ $//')"

########################################################################
# After all the crashes.
check "after recovery: DELETE + undelete round trip of a tenant" "5100|5100|t|0" \
    "$(q -c 'DELETE FROM app.accounts WHERE tenant_id = 21' -c "SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '21'")|$(
       q -c "SELECT sum(restored) FROM tenant_guard.undelete('21')")|$(
       q -c "SELECT chk.live_is('orig', '{21}'), (SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '21')")"
check "after recovery: tenants 1-37 hold exactly their original rows" "t" "$(q -c "SELECT chk.live_is('orig', '$(range 1 37)')")"
check "after recovery: every tombstone's deletion is in the change log" "0" "$(q -c 'SELECT chk.orphan_tombstones()')"
if n=$(q -c 'SELECT chk.indexes()' 2>"$work/amcheck.err"); then
    pass "after recovery: all $n btree indexes agree with their tables (amcheck, heapallindexed)"
else
    fail "after recovery: btree indexes agree with their tables (amcheck)" "$(cat "$work/amcheck.err")"
fi
panics=$(grep -cE ' (PANIC|FATAL) ' "$TG_CLUSTER_DIR/server.log" | tr -d ' ')
check "server log: no PANIC or FATAL" "0" "$panics"
[ "$panics" = 0 ] || grep -E ' (PANIC|FATAL) ' "$TG_CLUSTER_DIR/server.log" | head -5 | sed 's/^/#   /'

note "total $(( ($(now_ms) - t_start) / 1000 )) s"
summary crash
