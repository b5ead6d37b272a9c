#!/usr/bin/env bash
# Logical replication into protected tables: rows applied by the subscription's
# apply worker leave the same record (change log, tombstones, undelete) as
# ordinary DML does.
#
#   bash test/replication/run.sh      # the extension must be installed; run as
#                                     # root or as the postgres OS user
#   REPL_PUB_PORT=57121 REPL_SUB_PORT=57122 bash test/replication/run.sh
#   REPL_PG_BIN=/other/lib/postgresql/15/bin bash test/replication/run.sh
#
# The apply worker runs under session_replication_role = replica and fires row
# triggers only (enabled REPLICA or ALWAYS), never statement triggers; the
# initial table copy is a COPY and fires both. tenant_guard's capture is
# statement level, so protect() also installs the row-level trigger
# tenant_guard_capture_applied (ENABLE REPLICA) for the applied rows.
#
# Two throwaway clusters in one work dir (unix sockets only; ports 55521 and
# 55522 by default): a publisher (wal_level = logical) and a subscriber. Two
# variants, each in its own database on both clusters with its own
# publication and subscription:
#   - plain: tenant_guard only on the subscriber;
#   - tg_both: tenant_guard on the publisher too, both tables protected there
#            (the common HA set-up); there the subscriber's change log must
#            equal the publisher's, row for row.
# Tables accounts (4 tenants, 80 rows) and items (160 rows, ON DELETE CASCADE
# to accounts), protected on the subscriber before the subscription exists,
# plus an unprotected table tg_sync whose counter the publisher bumps after
# each step: when the subscriber sees it, everything before it is applied.
# Checked, per variant:
#   - protect() installed tenant_guard_capture_applied (row level, AFTER
#     INSERT OR UPDATE OR DELETE, enabled REPLICA) on both tables;
#   - the initial copy is on the subscriber (counts, md5) and was captured
#     exactly once per row (the COPY fires the statement-level capture; the
#     row-level trigger must not record those rows a second time);
#   - 100 single-row INSERTs on the publisher from just before CREATE
#     SUBSCRIPTION until the sync is under way (some land in the COPY, the
#     others are applied by a table-sync worker's catch-up or by the apply
#     worker; a note says how many were copied): each on the subscriber and
#     captured exactly once;
#   - INSERT of 5 accounts and 10 items on the publisher: one change_log row
#     op I each on the subscriber, new_row = the row;
#   - UPDATE on the publisher: change_log op U with old and new name;
#   - DELETE of 10 accounts of tenant 3 on the publisher (the cascade deletes
#     20 items there, replicated as deletes of items): as many tombstones and
#     change_log op D rows on the subscriber as the publisher deleted;
#   - undelete('3') on the subscriber restores them: counts and md5 of tenant
#     3 equal those before the delete, no tombstone of it left;
#   - ordinary DML on the subscriber (an INSERT, a DELETE of another tenant's
#     row) captured exactly once: one change_log row each, one tombstone;
#   - a DELETE and an UPDATE reaching 2 tenants on the publisher (in tg_both
#     first refused there, TG001, then with the limit raised) are applied on
#     the subscriber and captured: the blast-radius guard belongs to the
#     publisher;
#   - (tg_both) the subscriber's change log of the replicated changes equals
#     the publisher's (tenant, table, op, pk, old_row, new_row);
#   - the subscription still runs (a pid in pg_stat_subscription, every table
#     ready) and the subscriber's log has no ERROR from a logical replication
#     worker.
#
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "replication: N passed, N failed"; exits non-zero on any failure. About 10 s.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/lib/common.sh
source "$HERE/../../scripts/lib/common.sh"
# shellcheck source=../lib/checks.sh
source "$HERE/../lib/checks.sh"
PUB=${REPL_PUB_PORT:-55521}
SUB=${REPL_SUB_PORT:-$((PUB + 1))}
SYNC_TIMEOUT=${REPL_SYNC_TIMEOUT:-15}
# Another PostgreSQL 15 installation (its bin directory), e.g. a relocated copy
# holding another build of the extension.
TG_PG_BIN=${REPL_PG_BIN:-$TG_PG_BIN}

work_dir replication
[ "$(id -u)" -eq 0 ] && chown postgres: "$work"
work_clusters=(sub pub)  # the subscriber first: its apply workers hold walsenders on the publisher
t_start=$(now_ms)

# qp DB ARGS / qs DB ARGS: psql on the publisher / the subscriber.
qp() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -h "$work" -p "$PUB" -U postgres -d "$db" "$@"; }
qs() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -h "$work" -p "$SUB" -U postgres -d "$db" "$@"; }
# sqlstate PORT DB SQL: "ok" if SQL succeeds, else the SQLSTATE of its error.
sqlstate() {
    local out
    if out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -h "$work" -p "$1" -U postgres -d "$2" \
                  -c "$3" 2>&1); then
        echo ok
    else
        printf '%s\n' "$out" | sed -n 's/^\(ERROR\|FATAL\|PANIC\):  \([0-9A-Z]\{5\}\): .*/\2/p' | head -1
    fi
}
# wait_until DB SQL [SECONDS]: polls the subscriber until SQL returns t.
wait_until() {
    local deadline=$((SECONDS + ${3:-$SYNC_TIMEOUT}))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(qs "$1" -c "$2" 2>/dev/null)" = t ] && return 0
        sleep 0.05
    done
    return 1
}
# synced DB: bumps the publisher's tg_sync counter and waits until the
# subscriber has it; the apply worker applies in commit order, so then every
# change committed on the publisher before is applied (or the worker is stuck).
synced() {
    local n
    n=$(qp "$1" -c "UPDATE tg_sync SET n = n + 1 RETURNING n") || return 1
    wait_until "$1" "SELECT n >= $n FROM tg_sync"
}
# The rows of one tenant on either side: counts and md5 of both tables.
tenant_rows() {
    echo "SELECT (SELECT count(*) || ' ' || md5(coalesce(string_agg(a::text, ',' ORDER BY id), ''))
                    FROM accounts a WHERE tenant_id = $1) || ' | ' ||
                 (SELECT count(*) || ' ' || md5(coalesce(string_agg(i::text, ',' ORDER BY id), ''))
                    FROM items i WHERE tenant_id = $1)"
}
ALL_ROWS="SELECT (SELECT count(*) || ' ' || md5(coalesce(string_agg(a::text, ',' ORDER BY id), '')) FROM accounts a)
          || ' | ' || (SELECT count(*) || ' ' || md5(coalesce(string_agg(i::text, ',' ORDER BY id), '')) FROM items i)"
SCHEMA="CREATE TABLE accounts (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE items (tenant_id int NOT NULL, id int PRIMARY KEY,
                    account_id int REFERENCES accounts ON DELETE CASCADE, note text);
CREATE TABLE tg_sync (id int PRIMARY KEY, n bigint NOT NULL);"
# The change log of the replicated tables, one line per row, for comparing
# the two sides (tg_both); $1: an extra condition.
log_lines() {
    echo "SELECT rel::text || ' ' || tenant || ' ' || op || ' ' || pk::text || ' ' || coalesce(old_row::text, '-')
                 || ' ' || coalesce(new_row::text, '-')
            FROM tenant_guard.change_log WHERE ${1:-true} ORDER BY rel::text, pk::text, seq"
}

# ---------------------------------------------------------------- clusters
for side in pub sub; do
    tg_as_pg "$TG_PG_BIN/initdb" -D "$work/$side" -U postgres -A trust --no-sync -E UTF8 \
        --locale=C.UTF-8 >"$work/initdb_$side.log" 2>&1 || bail "$side initdb"
    cat >>"$work/$side/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
port = $([ $side = pub ] && echo "$PUB" || echo "$SUB")
fsync = off
shared_buffers = 64MB
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
max_worker_processes = 16
max_logical_replication_workers = 8
max_sync_workers_per_subscription = 2
wal_retrieve_retry_interval = 200ms
log_line_prefix = '%m [%p] %b %e '
EOF
    echo "local replication all trust" >>"$work/$side/pg_hba.conf"
    tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$work/$side" -l "$work/$side.log" -w -t 30 start >/dev/null ||
        bail "$side starts"
done
pass "publisher (port $PUB, wal_level = logical) and subscriber (port $SUB) started"

# ---------------------------------------------------------------- one variant
# variant NAME PROTECT_PUBLISHER(0|1)
variant() {
    local v=$1 pub_tg=$2 n a b
    note "variant $v: tenant_guard $([ "$pub_tg" = 1 ] && echo "on both sides" || echo "on the subscriber only")"
    if ! psql -X -q -At -v ON_ERROR_STOP=1 -h "$work" -p "$PUB" -U postgres -d postgres -c "CREATE DATABASE $v" ||
       ! psql -X -q -At -v ON_ERROR_STOP=1 -h "$work" -p "$SUB" -U postgres -d postgres -c "CREATE DATABASE $v"; then
        fail "$v: databases created"
        return
    fi

    # Publisher: tables, initial rows (4 tenants), publication.
    local prot=""
    [ "$pub_tg" = 1 ] && prot="CREATE EXTENSION tenant_guard;
SELECT tenant_guard.protect('accounts'); SELECT tenant_guard.protect('items');"
    qp "$v" >/dev/null 2>"$work/setup_pub_$v.err" <<SQL || { fail "$v: publisher set up" "$(cat "$work/setup_pub_$v.err")"; return; }
$SCHEMA
$prot
INSERT INTO accounts SELECT (a - 1) / 20 + 1, a, 'account ' || a FROM generate_series(1, 80) a;
INSERT INTO items SELECT (i - 1) / 40 + 1, i, (i - 1) / 2 + 1, 'item ' || i FROM generate_series(1, 160) i;
INSERT INTO tg_sync VALUES (1, 0);
CREATE PUBLICATION pub_$v FOR TABLE accounts, items, tg_sync;
SQL
    # Subscriber: extension, tables, protect() before the subscription exists.
    qs "$v" >/dev/null 2>"$work/setup_sub_$v.err" <<SQL || { fail "$v: subscriber set up" "$(cat "$work/setup_sub_$v.err")"; return; }
CREATE EXTENSION tenant_guard;
$SCHEMA
SELECT tenant_guard.protect('accounts');
SELECT tenant_guard.protect('items');
SQL
    # row level (1) | INSERT (4) | DELETE (8) | UPDATE (16), not BEFORE (2) nor INSTEAD (64): 29
    check "$v: protect() installed tenant_guard_capture_applied (AFTER I/U/D, FOR EACH ROW, ENABLE REPLICA) on both tables" \
        "accounts 29 R|items 29 R" \
        "$(qs "$v" -c "SELECT string_agg(tgrelid::regclass || ' ' || tgtype || ' ' || tgenabled::text, '|' ORDER BY tgrelid::regclass::text)
                         FROM pg_trigger WHERE tgname = 'tenant_guard_capture_applied'")"
    # From just before the subscription is created until after the initial
    # sync started, 100 single-row INSERTs on the publisher (tenant 4, ids
    # 2001-2100): each lands in a table-sync worker's COPY, or is applied by
    # the worker's catch-up or by the apply worker.
    local during
    during=$(for i in $(seq 2001 2100); do
                 echo "INSERT INTO accounts VALUES (4, $i, 'during sync $i');"
                 echo "SELECT pg_sleep(0.005);"
             done)
    qp "$v" <<<"$during" >/dev/null 2>&1 &
    local during_pid=$!
    bg_pids+=("$during_pid")
    sleep 0.1
    qs "$v" -c "CREATE SUBSCRIPTION sub_$v CONNECTION 'host=$work port=$PUB dbname=$v user=postgres'
                PUBLICATION pub_$v WITH (copy_data = true)" >/dev/null 2>"$work/sub_$v.err" ||
        { fail "$v: subscription created" "$(cat "$work/sub_$v.err")"; return; }
    wait "$during_pid" || fail "$v: INSERTs on the publisher during the initial sync"
    if wait_until "$v" "SELECT count(*) = 3 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel r
                          JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = 'sub_$v'" 20 && synced "$v"; then
        pass "$v: initial sync done (every table ready) and caught up"
    else
        fail "$v: initial sync done (every table ready) and caught up" \
            "$(qs "$v" -c "SELECT srrelid::regclass || ' ' || srsubstate FROM pg_subscription_rel")" \
            "$(grep -E 'ERROR|FATAL' "$work/sub.log" | tail -n 5)"
        return
    fi

    # Initial copy.
    check "$v: initial copy on the subscriber (counts, md5 = the publisher's)" "$(qp "$v" -c "$ALL_ROWS")" \
        "$(qs "$v" -c "$ALL_ROWS")"
    check "$v: initial copy captured exactly once per row (op I: rows, distinct keys; accounts, items)" \
        "accounts 80 80|items 160 160" \
        "$(qs "$v" -c "SELECT string_agg(rel || ' ' || n || ' ' || k, '|' ORDER BY rel::text) FROM
                         (SELECT rel, count(*) n, count(DISTINCT pk) k FROM tenant_guard.change_log
                           WHERE op = 'I' AND (pk->>'id')::int <= 1000 GROUP BY rel) s")"
    check "$v: the 100 rows inserted during the initial sync: on the subscriber, each captured once" \
        "100 100 100 100" \
        "$(qs "$v" -c "SELECT (SELECT count(*) FROM accounts WHERE id BETWEEN 2001 AND 2100) || ' ' || count(*) || ' ' ||
                              count(DISTINCT pk) || ' ' || count(*) FILTER (WHERE c.new_row = to_jsonb(a))
                         FROM tenant_guard.change_log c LEFT JOIN accounts a ON a.id = (c.pk->>'id')::int
                        WHERE c.rel = 'accounts'::regclass AND c.op = 'I' AND (c.pk->>'id')::int BETWEEN 2001 AND 2100")"
    # The COPY of accounts is one local transaction: the rows captured in it
    # were copied, the others applied.
    note "$v: of those, copied by the initial COPY: $(qs "$v" -c "SELECT count(DISTINCT pk) FROM tenant_guard.change_log
               WHERE rel = 'accounts'::regclass AND (pk->>'id')::int BETWEEN 2001 AND 2100 AND xid =
                     (SELECT min(xid::text)::xid8 FROM tenant_guard.change_log WHERE rel = 'accounts'::regclass AND pk = '{\"id\": 1}')"), applied after it: the rest"

    # INSERT on the publisher.
    qp "$v" >/dev/null <<'SQL' || fail "$v: INSERT on the publisher"
BEGIN;
INSERT INTO accounts SELECT 1, a, 'new ' || a FROM generate_series(1001, 1005) a;
INSERT INTO items SELECT 1, i, 1001 + (i - 1001) / 2, 'new item ' || i FROM generate_series(1001, 1010) i;
COMMIT;
SQL
    synced "$v" || { fail "$v: INSERT replicated (sync timed out)" "$(grep ERROR "$work/sub.log" | tail -n 5)"; return; }
    check "$v: INSERT replicated (5 accounts, 10 items)" "5 10" \
        "$(qs "$v" -c "SELECT (SELECT count(*) FROM accounts WHERE id BETWEEN 1001 AND 1005) || ' ' ||
                              (SELECT count(*) FROM items WHERE id BETWEEN 1001 AND 1010)")"
    check "$v: applied INSERT captured: one change_log row op I per row, tenant 1, new_row = the row" \
        "accounts 5 5 5|items 10 10 10" \
        "$(qs "$v" -c "SELECT 'accounts ' || count(*) || ' ' || count(*) FILTER (WHERE c.op = 'I' AND c.tenant = '1')
                              || ' ' || count(*) FILTER (WHERE c.new_row = to_jsonb(a))
                         FROM tenant_guard.change_log c LEFT JOIN accounts a ON a.id = (c.pk->>'id')::int
                        WHERE c.rel = 'accounts'::regclass AND (c.pk->>'id')::int BETWEEN 1001 AND 1005" \
                   -c "SELECT 'items ' || count(*) || ' ' || count(*) FILTER (WHERE c.op = 'I' AND c.tenant = '1')
                              || ' ' || count(*) FILTER (WHERE c.new_row = to_jsonb(i))
                         FROM tenant_guard.change_log c LEFT JOIN items i ON i.id = (c.pk->>'id')::int
                        WHERE c.rel = 'items'::regclass AND (c.pk->>'id')::int BETWEEN 1001 AND 1010" | paste -sd'|')"

    # UPDATE on the publisher.
    qp "$v" -c "UPDATE accounts SET name = 'renamed ' || id WHERE id IN (1001, 1002)" >/dev/null ||
        fail "$v: UPDATE on the publisher"
    synced "$v" || { fail "$v: UPDATE replicated (sync timed out)"; return; }
    check "$v: applied UPDATE captured: change_log op U with old and new name" \
        "1001 new 1001 > renamed 1001|1002 new 1002 > renamed 1002" \
        "$(qs "$v" -c "SELECT string_agg(pk->>'id' || ' ' || (old_row->>'name') || ' > ' || (new_row->>'name'), '|' ORDER BY seq)
                         FROM tenant_guard.change_log
                        WHERE rel = 'accounts'::regclass AND op = 'U' AND (pk->>'id')::int BETWEEN 1001 AND 1005")"

    # DELETE of 10 accounts of tenant 3 on the publisher (cascade into items).
    local before3 images3 pub_acc pub_items
    before3=$(qs "$v" -c "$(tenant_rows 3)")
    images3=$(qs "$v" -c "SELECT (SELECT md5(string_agg(to_jsonb(a)::text, ',' ORDER BY id)) FROM accounts a
                                  WHERE id BETWEEN 41 AND 50) || ' ' ||
                                 (SELECT md5(string_agg(to_jsonb(i)::text, ',' ORDER BY id)) FROM items i
                                  WHERE account_id BETWEEN 41 AND 50)")
    pub_items=$(qp "$v" -c "SELECT count(*) FROM items WHERE account_id BETWEEN 41 AND 50")
    pub_acc=$(qp "$v" -c "WITH d AS (DELETE FROM accounts WHERE tenant_id = 3 AND id BETWEEN 41 AND 50 RETURNING 1)
                         SELECT count(*) FROM d") || fail "$v: DELETE on the publisher"
    pub_items=$((pub_items - $(qp "$v" -c "SELECT count(*) FROM items WHERE account_id BETWEEN 41 AND 50")))
    note "$v: the publisher deleted $pub_acc accounts and, by its cascade, $pub_items items"
    synced "$v" || { fail "$v: DELETE replicated (sync timed out)" "$(grep ERROR "$work/sub.log" | tail -n 5)"; return; }
    check "$v: DELETE replicated (tenant 3: accounts 41-50 and their items gone)" "0 0" \
        "$(qs "$v" -c "SELECT (SELECT count(*) FROM accounts WHERE id BETWEEN 41 AND 50) || ' ' ||
                              (SELECT count(*) FROM items WHERE account_id BETWEEN 41 AND 50)")"
    check "$v: applied DELETE leaves tombstones of tenant 3 (as many as the publisher deleted)" \
        "accounts $pub_acc|items $pub_items" \
        "$(qs "$v" -c "SELECT string_agg(rel || ' ' || n, '|' ORDER BY rel::text) FROM
                         (SELECT rel, count(*) n FROM tenant_guard.tombstones WHERE tenant = '3' GROUP BY rel) s")"
    check "$v: tombstones hold the deleted rows (md5 of row_data = of the rows before the delete)" "$images3" \
        "$(qs "$v" -c "SELECT (SELECT md5(string_agg(row_data::text, ',' ORDER BY (pk->>'id')::int)) FROM tenant_guard.tombstones
                                WHERE tenant = '3' AND rel = 'accounts'::regclass) || ' ' ||
                              (SELECT md5(string_agg(row_data::text, ',' ORDER BY (pk->>'id')::int)) FROM tenant_guard.tombstones
                                WHERE tenant = '3' AND rel = 'items'::regclass)")"
    check "$v: applied DELETE captured: change_log op D rows of tenant 3" "accounts $pub_acc|items $pub_items" \
        "$(qs "$v" -c "SELECT string_agg(rel || ' ' || n, '|' ORDER BY rel::text) FROM
                         (SELECT rel, count(*) n FROM tenant_guard.change_log WHERE tenant = '3' AND op = 'D' GROUP BY rel) s")"
    if [ "$pub_tg" = 1 ]; then
        # The log so far, both sides: the publisher's statement-level capture
        # and the subscriber's capture of the copy and of the applied rows.
        a=$(qp "$v" -c "$(log_lines)") b=$(qs "$v" -c "$(log_lines)")
        if [ "$a" = "$b" ] && [ -n "$a" ]; then
            pass "$v: subscriber's change log = the publisher's ($(printf '%s\n' "$a" | wc -l) rows: copy, I, U, D)"
        else
            fail "$v: subscriber's change log = the publisher's" \
                "$(diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -n 8)" \
                "publisher $(printf '%s\n' "$a" | grep -c .) rows, subscriber $(printf '%s\n' "$b" | grep -c .) rows"
        fi
    fi

    # undelete on the subscriber.
    check "$v: undelete('3') on the subscriber" "accounts $pub_acc 0|items $pub_items 0" \
        "$(qs "$v" -c "SELECT string_agg(rel || ' ' || restored || ' ' || skipped, '|') FROM tenant_guard.undelete('3')")"
    check "$v: tenant 3 rows on the subscriber equal those before the delete (counts, md5)" "$before3" \
        "$(qs "$v" -c "$(tenant_rows 3)")"
    check "$v: no tombstone of tenant 3 left" "0" "$(qs "$v" -c "SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '3'")"

    # Ordinary DML on the subscriber: captured once, not twice.
    local seq0 seq1 seq2
    seq0=$(qs "$v" -c "SELECT coalesce(max(seq), 0) FROM tenant_guard.change_log")
    qs "$v" -c "INSERT INTO accounts VALUES (2, 9001, 'local insert')" >/dev/null || fail "$v: INSERT on the subscriber"
    seq1=$(qs "$v" -c "SELECT coalesce(max(seq), 0) FROM tenant_guard.change_log")
    check "$v: INSERT on the subscriber captured once" "I accounts 9001 2" \
        "$(qs "$v" -c "SELECT string_agg(op || ' ' || rel || ' ' || (pk->>'id') || ' ' || tenant, '|')
                         FROM tenant_guard.change_log WHERE seq > $seq0")"
    qs "$v" -c "DELETE FROM items WHERE id = 160" >/dev/null || fail "$v: DELETE on the subscriber"
    seq2=$(qs "$v" -c "SELECT coalesce(max(seq), 0) FROM tenant_guard.change_log")
    check "$v: DELETE on the subscriber (tenant 4) captured once: one change_log row, one tombstone" \
        "D items 160 4 / items 160 4" \
        "$(qs "$v" -c "SELECT (SELECT string_agg(op || ' ' || rel || ' ' || (pk->>'id') || ' ' || tenant, '|')
                                 FROM tenant_guard.change_log WHERE seq > $seq1) || ' / ' ||
                              (SELECT string_agg(rel || ' ' || (pk->>'id') || ' ' || tenant, '|')
                                 FROM tenant_guard.tombstones WHERE tombstone_id > $seq1)")"

    # Changes reaching 2 tenants in one statement, on the publisher.
    local del="DELETE FROM items WHERE account_id IN (1, 21)" upd="UPDATE accounts SET name = name || ' (2)' WHERE id IN (2, 22)"
    if [ "$pub_tg" = 1 ]; then
        check "$v: publisher refuses the DELETE reaching 2 tenants (TG001)" "TG001" "$(sqlstate "$PUB" "$v" "$del")"
        qp "$v" -c "BEGIN" -c "SET LOCAL tenant_guard.max_tenants_per_statement = 0" -c "$del" -c "$upd" -c "COMMIT" >/dev/null ||
            fail "$v: DELETE and UPDATE reaching 2 tenants on the publisher (limit raised)"
    else
        qp "$v" -c "BEGIN" -c "$del" -c "$upd" -c "COMMIT" >/dev/null ||
            fail "$v: DELETE and UPDATE reaching 2 tenants on the publisher"
    fi
    synced "$v" || { fail "$v: changes reaching 2 tenants applied on the subscriber (sync timed out)" \
                          "$(grep ERROR "$work/sub.log" | tail -n 5)"; return; }
    check "$v: DELETE and UPDATE reaching 2 tenants applied on the subscriber" "0 2" \
        "$(qs "$v" -c "SELECT (SELECT count(*) FROM items WHERE account_id IN (1, 21)) || ' ' ||
                              (SELECT count(*) FROM accounts WHERE id IN (2, 22) AND name LIKE '% (2)')")"
    check "$v: ... and captured: tombstones and change_log op D / U per tenant" \
        "D items 1 2|D items 2 2|U accounts 1 1|U accounts 2 1 / items 1 2|items 2 2" \
        "$(qs "$v" -c "SELECT (SELECT string_agg(op || ' ' || rel || ' ' || tenant || ' ' || n, '|' ORDER BY op, rel::text, tenant) FROM
                                 (SELECT op, rel, tenant, count(*) n FROM tenant_guard.change_log
                                   WHERE seq > $seq2 GROUP BY op, rel, tenant) s) || ' / ' ||
                              (SELECT string_agg(rel || ' ' || tenant || ' ' || n, '|' ORDER BY rel::text, tenant) FROM
                                 (SELECT rel, tenant, count(*) n FROM tenant_guard.tombstones
                                   WHERE tombstone_id > $seq2 GROUP BY rel, tenant) s)")"
    if [ "$pub_tg" = 1 ]; then
        # Everything replicated, both sides: on the subscriber without its own
        # local DML (seq0 .. seq2) and the undelete's re-inserts.
        a=$(qp "$v" -c "$(log_lines)")
        b=$(qs "$v" -c "$(log_lines "origin <> 'undelete' AND NOT (seq > $seq0 AND seq <= $seq2)")")
        if [ "$a" = "$b" ] && [ -n "$a" ]; then
            pass "$v: subscriber's change log of the replicated changes = the publisher's ($(printf '%s\n' "$a" | wc -l) rows)"
        else
            fail "$v: subscriber's change log of the replicated changes = the publisher's" \
                "$(diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -n 8)"
        fi
    fi
    note "$v: origin of the subscriber's change_log rows: $(qs "$v" -c "SELECT string_agg(origin || ' ' || n, ', ' ORDER BY origin)
                                                      FROM (SELECT origin, count(*) n FROM tenant_guard.change_log GROUP BY origin) s")"

    # The subscription still runs.
    check "$v: subscription still running (apply worker pid), every table ready" "true 3" \
        "$(qs "$v" -c "SELECT (SELECT (pid IS NOT NULL)::text FROM pg_stat_subscription WHERE subname = 'sub_$v' AND relid IS NULL)
                              || ' ' || (SELECT count(*) FROM pg_subscription_rel WHERE srsubstate = 'r')")"
}

variant plain 0
variant tg_both 1

# No apply or table-sync worker failed, in either variant (log_line_prefix
# names the backend type: "logical replication worker").
check "subscriber log: no ERROR from a logical replication worker, none exited with an error" "" \
    "$(grep -E 'ERROR:' "$work/sub.log" | grep -iE 'logical replication|apply'
       grep -E 'logical replication (worker|apply worker).*exited with exit code [1-9]' "$work/sub.log")"
check "publisher log: no ERROR from a walsender" "" "$(grep -E 'ERROR:' "$work/pub.log" | grep -iE 'walsender|logical')"

# Drop the subscriptions while the publisher runs (their slots go with them).
for v in plain tg_both; do
    qs "$v" -c "DROP SUBSCRIPTION IF EXISTS sub_$v" >/dev/null 2>&1
done
note "run time $(( $(now_ms) - t_start )) ms"
summary replication
