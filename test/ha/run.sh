#!/usr/bin/env bash
# High availability: tenant_guard on a physical streaming standby, and after a
# failover to it.
#
#   bash test/ha/run.sh              # the extension must be installed; run as root
#                                    # or as the postgres OS user
#   HA_PORT=57120 bash test/ha/run.sh  # primary on HA_PORT, standby on HA_PORT + 1
#
# Two throwaway clusters in one work dir (unix sockets only, ports 55511 and
# 55512 by default): a primary (wal_level = replica) with two protected tables
# (accounts -> items, ON DELETE CASCADE, 5 tenants), a purge key, a purge done
# with a signed token, one tenant deleted (tombstones), a mark and a change
# cursor; then a standby made by pg_basebackup -R (streaming, replication
# slot), and more changes on the primary while it streams. Checked:
#   - on the standby, while it is one: tombstones, change log, protected
#     tables, purge keys, receipts, marks and the tables' rows equal the
#     primary's (count and md5 of the same query on both); the management
#     functions that write (undelete, mark, rewind, protect, add_purge_key,
#     revoke_purge_key, purge, set_retention, prune) and a DELETE fail with
#     25006 (read_only_sql_transaction), the standby keeps streaming and
#     nothing was consumed;
#   - after the primary is stopped (immediate: a crash) and the standby
#     promoted: the same database_id(), every tenant_guard_* trigger and event
#     trigger enabled as protect() left it, TRUNCATE refused (TG003), a DELETE leaves
#     tombstones, the change-log seq continues above the old primary's,
#     undelete of the tenant deleted on the primary brings its rows back
#     exactly (counts and md5 equal those taken on the primary before the
#     delete), rewind to the mark taken on the primary reverts an update made
#     after it, the change cursor taken on the primary continues with exactly
#     the changes made since, the token used on the primary is refused
#     (TG014) and the new token the standby refused works.
#
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "ha: N passed, N failed"; exits non-zero on any failure. About 6 s.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/lib/common.sh
source "$HERE/../../scripts/lib/common.sh"
# shellcheck source=../lib/checks.sh
source "$HERE/../lib/checks.sh"
P1=${HA_PORT:-55511}
P2=$((P1 + 1))

work_dir ha
[ "$(id -u)" -eq 0 ] && chown postgres: "$work"
work_clusters=(primary standby)
t_start=$(now_ms)

qp() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$work" -p "$P1" -U postgres -d ha "$@"; }
qs() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$work" -p "$P2" -U postgres -d ha "$@"; }
# expect_state WHAT SQLSTATE PORT SQL: a check that SQL fails with SQLSTATE
# ("ok": that it succeeds); on a mismatch the server's message is shown.
expect_state() {
    local out st
    if out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -h "$work" -p "$3" -U postgres -d ha \
                  -c "$4" 2>&1); then
        st=ok
    else
        st=$(printf '%s\n' "$out" | sed -n 's/^\(ERROR\|FATAL\|PANIC\):  \([0-9A-Z]\{5\}\): .*/\2/p' | head -1)
    fi
    if [ "$st" = "$2" ]; then pass "$1"; else fail "$1" "expected [$2]" "got      [$st]" "$(printf '%s\n' "$out" | head -n 5)"; fi
}
# wait_replay: waits (up to 20 s) until the standby has replayed the primary's
# current WAL position.
wait_replay() {
    local target deadline=$((SECONDS + 20))
    target=$(qp -c "SELECT pg_current_wal_lsn()") || return 1
    while [ $SECONDS -lt $deadline ]; do
        [ "$(qs -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn" 2>/dev/null)" = t ] && return 0
        sleep 0.05
    done
    return 1
}

# ---------------------------------------------------------------- primary
tg_as_pg "$TG_PG_BIN/initdb" -D "$work/primary" -U postgres -A trust --no-sync -E UTF8 \
    --locale=C.UTF-8 >"$work/initdb.log" 2>&1 || bail "primary initdb"
cat >>"$work/primary/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
port = $P1
fsync = off
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 4
max_replication_slots = 4
hot_standby = on
track_commit_timestamp = on
log_line_prefix = '%m [%p] %e '
EOF
echo "local replication all trust" >>"$work/primary/pg_hba.conf"
tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$work/primary" -l "$work/primary.log" -w -t 30 start >/dev/null ||
    bail "primary starts"

openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null &&
    openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem" || bail "Ed25519 key pair made"
KEY=$(cat "$work/key.pem")
# token JTI TENANT LIVE: a purge token signed on the primary (k1, exp now+600).
token() {
    qp -v key="$KEY" -v jti="$1" -v tenant="$2" -v live="$3" <<'SQL'
SELECT tenant_guard.sign_token(jsonb_build_object(
    'kid', 'k1', 'act', 'purge', 'db', tenant_guard.database_id(), 'tenant', :'tenant',
    'live', :'live'::boolean, 'max_rows', 1000, 'exp', extract(epoch FROM now())::bigint + 600,
    'jti', :'jti', 'reason', 'ha test'), :'key')
SQL
}

psql -X -q -At -v ON_ERROR_STOP=1 -h "$work" -p "$P1" -U postgres -d postgres -c 'CREATE DATABASE ha' ||
    bail "database created"
qp -v pub="$(cat "$work/pub.pem")" <<'SQL' >/dev/null 2>"$work/setup.err" || bail "schema, data and purge key set up"
CREATE EXTENSION tenant_guard;
CREATE TABLE accounts (tenant_id int NOT NULL, id int PRIMARY KEY, name text NOT NULL, balance numeric);
CREATE TABLE items (tenant_id int NOT NULL, id int PRIMARY KEY,
                    account_id int NOT NULL REFERENCES accounts ON DELETE CASCADE,
                    note text, qty int NOT NULL);
SELECT tenant_guard.protect('accounts');
SELECT tenant_guard.protect('items');
-- 5 tenants, 20 accounts and 200 items each.
INSERT INTO accounts SELECT (a - 1) / 20 + 1, a, 'account ' || a, a * 1.25 FROM generate_series(1, 100) a;
INSERT INTO items SELECT (i - 1) / 200 + 1, i, (i - 1) / 10 + 1, md5(i::text), i % 7 FROM generate_series(1, 1000) i;
SELECT tenant_guard.add_purge_key('k1', :'pub');
SQL
# The rows of one tenant: counts and md5 of both tables.
tenant_rows() {
    echo "SELECT (SELECT count(*) || ' ' || md5(coalesce(string_agg(a::text, ',' ORDER BY id), ''))
                    FROM accounts a WHERE tenant_id = $1) || ' | ' ||
                 (SELECT count(*) || ' ' || md5(coalesce(string_agg(i::text, ',' ORDER BY id), ''))
                    FROM items i WHERE tenant_id = $1)"
}
rows2_before=$(qp -c "$(tenant_rows 2)")
rows4_before=$(qp -c "$(tenant_rows 4)")
used_token=$(token used-on-primary 5 true) || bail "token signed on the primary"
check "purge with a signed token on the primary (tenant 5: 20 accounts, 200 items)" "accounts 20 0|items 200 0" \
    "$(qp -v t="$used_token" <<<"SELECT string_agg(rel || ' ' || live_deleted || ' ' || tombstones_deleted, '|' ORDER BY rel::text)
                                  FROM tenant_guard.purge(:'t')")"
check "DELETE of tenant 2 on the primary leaves 220 tombstones" "220" \
    "$(qp -c "DELETE FROM accounts WHERE tenant_id = 2" -c "SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '2'")"
qp -c "SELECT tenant_guard.mark('before-standby')" >/dev/null || bail "mark on the primary"
cursor=$(qp -c "SELECT tenant_guard.current_cursor()") || bail "change cursor on the primary"
seq_before=$(qp -c "SELECT max(seq) FROM tenant_guard.change_log")
triggers_primary=$(qp -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tenant\_guard\_%'")

# ---------------------------------------------------------------- standby
tg_as_pg "$TG_PG_BIN/pg_basebackup" -h "$work" -p "$P1" -U postgres -D "$work/standby" -R -X stream \
    -C -S ha_standby -c fast --no-sync >"$work/basebackup.log" 2>&1 || bail "pg_basebackup -R"
printf 'port = %s\n' "$P2" >>"$work/standby/postgresql.conf"
tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$work/standby" -l "$work/standby.log" -w -t 30 start >/dev/null ||
    bail "standby starts"
check "standby is in recovery" "t" "$(qs -c "SELECT pg_is_in_recovery()")"
wait_replay && pass "standby replays the primary's current LSN" || bail "standby replays the primary's current LSN"
check "primary streams to the standby" "streaming ha_standby" \
    "$(qp -c "SELECT s.state || ' ' || r.slot_name FROM pg_stat_replication s JOIN pg_replication_slots r ON r.active_pid = s.pid")"

# More changes while the standby streams: another tenant deleted, an update
# after the mark.
qp -c "DELETE FROM accounts WHERE tenant_id = 3" \
   -c "UPDATE items SET qty = qty + 100, note = 'changed' WHERE tenant_id = 4 AND id % 3 = 0" >/dev/null ||
    fail "changes on the primary after the standby started"
rows4_updated=$(qp -c "$(tenant_rows 4)")
wait_replay && pass "standby replays the changes made after it started" ||
    fail "standby replays the changes made after it started"

# The same query on both servers: count and md5 of every row, in a fixed order.
same() {  # same WHAT RELATION ORDER
    local sql="SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY $3), '')) FROM $2 t"
    local a b
    a=$(qp -c "$sql" 2>&1) b=$(qs -c "$sql" 2>&1)
    if [ "$a" = "$b" ] && [[ $a =~ ^[1-9] ]]; then pass "standby: $1 equal the primary's ($a)"
    else fail "standby: $1 equal the primary's" "primary [$a]" "standby [$b]"; fi
}
same "tombstones" tenant_guard.tombstones tombstone_id
same "change_log rows" tenant_guard.change_log seq
same "protected_tables" tenant_guard.protected_tables rel::text
same "purge_keys" tenant_guard.purge_keys key_id
same "purge_receipts" tenant_guard.purge_receipts receipt_id
same "marks" tenant_guard.marks name
same "accounts rows" accounts id
same "items rows" items id
check "standby: tombstones of tenants 2 and 3, none of 5" "2 220|3 220" \
    "$(qs -c "SELECT string_agg(tenant || ' ' || n, '|' ORDER BY tenant) FROM
                (SELECT tenant, count(*) n FROM tenant_guard.tombstones GROUP BY tenant) s")"
check "standby: status() readable, as on the primary" "$(qp -c "SELECT string_agg(s::text, '|' ORDER BY rel::text) FROM tenant_guard.status() s")" \
    "$(qs -c "SELECT string_agg(s::text, '|' ORDER BY rel::text) FROM tenant_guard.status() s")"
check "standby: changes() from the primary's cursor readable, as on the primary" \
    "$(qp -v c="$cursor" <<<"SELECT count(*) || ' ' || md5(coalesce(string_agg(seq::text, ',' ORDER BY seq), '')) FROM tenant_guard.changes(:'c', 100000)")" \
    "$(qs -v c="$cursor" <<<"SELECT count(*) || ' ' || md5(coalesce(string_agg(seq::text, ',' ORDER BY seq), '')) FROM tenant_guard.changes(:'c', 100000)")"

# Writing management functions are refused cleanly: 25006, nothing changes.
new_token=$(token new-after-failover 3 false) || fail "second token signed on the primary"
# A history policy whose prune() has work to do (close the current segment);
# taken back on the primary after the calls below.
qp -c "SELECT tenant_guard.set_retention('1 second')" -c "SELECT pg_sleep(0.2)" >/dev/null
wait_replay >/dev/null
for call in "SELECT * FROM tenant_guard.undelete('x')" \
            "SELECT * FROM tenant_guard.undelete('2')" \
            "SELECT * FROM tenant_guard.undelete('2', dry_run => true)" \
            "SELECT tenant_guard.mark('m')" \
            "SELECT * FROM tenant_guard.rewind('4', to_mark => 'before-standby')" \
            "SELECT tenant_guard.add_purge_key('k2', '$(cat "$work/pub.pem")')" \
            "SELECT tenant_guard.revoke_purge_key('k1')" \
            "SELECT * FROM tenant_guard.purge('$new_token')" \
            "SELECT tenant_guard.set_retention('1 day')" \
            "SELECT * FROM tenant_guard.prune()" \
            "CREATE TABLE t (tenant_id int NOT NULL PRIMARY KEY)" \
            "DELETE FROM accounts WHERE tenant_id = 1"; do
    case $call in *add_purge_key*) what="SELECT tenant_guard.add_purge_key(...)" ;;
                  *purge\(*) what="SELECT * FROM tenant_guard.purge(<new token>)" ;;
                  *) what=$call ;; esac
    expect_state "standby: $what fails with 25006" "25006" "$P2" "$call"
done
# The token's single use is recorded by an INSERT ... ON CONFLICT, so on a
# standby a spent token gets 25006 as well, not TG014.
expect_state "standby: purge(<used token>) fails with 25006" "25006" "$P2" "SELECT * FROM tenant_guard.purge('$used_token')"
qp -c "SELECT tenant_guard.set_retention(NULL)" >/dev/null || fail "retention policy removed on the primary"
qp -c "INSERT INTO accounts VALUES (1, 1001, 'after the refusals', 0)" >/dev/null
wait_replay && pass "standby still streams after the refused calls" || fail "standby still streams after the refused calls"
same "tombstones (after the refused calls)" tenant_guard.tombstones tombstone_id
same "marks and receipts (after the refused calls)" \
    "(SELECT name AS k FROM tenant_guard.marks UNION ALL SELECT jti FROM tenant_guard.purge_receipts)" k
check "standby server log: no PANIC, no crash" "" \
    "$(grep -E 'PANIC|terminated by signal|server process .* was terminated' "$work/standby.log")"
rows1_primary=$(qp -c "$(tenant_rows 1)")
dbid=$(qp -c "SELECT tenant_guard.database_id()")

# ---------------------------------------------------------------- failover
tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$work/primary" -m immediate -w stop >/dev/null || fail "primary stopped (immediate)"
tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$work/standby" -w -t 30 promote >/dev/null || bail "standby promoted"
check "promoted server is out of recovery" "f" "$(qs -c "SELECT pg_is_in_recovery()")"
check "promoted: database_id() unchanged" "$dbid" "$(qs -c "SELECT tenant_guard.database_id()")"
# Enabled as protect() leaves them: ALWAYS, but the apply-worker capture REPLICA.
check "promoted: every tenant_guard_* trigger there and enabled as protect() left it" "$triggers_primary of $triggers_primary" \
    "$(qs -c "SELECT count(*) FILTER (WHERE tgenabled = CASE tgname WHEN 'tenant_guard_capture_applied' THEN 'R' ELSE 'A' END) || ' of ' || count(*) FROM pg_trigger WHERE tgname LIKE 'tenant\_guard\_%'")"
check "promoted: triggers on both tables" "accounts items" \
    "$(qs -c "SELECT string_agg(DISTINCT tgrelid::regclass::text, ' ') FROM pg_trigger WHERE tgname LIKE 'tenant\_guard\_%' AND tgrelid::regclass::text NOT LIKE 'tenant\_guard.%'")"
check "promoted: the extension's event triggers enabled ALWAYS" "A" \
    "$(qs -c "SELECT string_agg(DISTINCT e.evtenabled::text, ',') FROM pg_event_trigger e
                JOIN pg_depend d ON d.classid = 'pg_event_trigger'::regclass AND d.objid = e.oid
                JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'tenant_guard'")"
check "promoted: rows of tenant 1 equal the old primary's" "$rows1_primary" "$(qs -c "$(tenant_rows 1)")"
expect_state "promoted: TRUNCATE refused (TG003)" "TG003" "$P2" "TRUNCATE items"
check "promoted: DELETE of tenant 1 leaves tombstones (21 accounts, 200 items)" "21 200" \
    "$(qs -c "DELETE FROM accounts WHERE tenant_id = 1" \
          -c "SELECT count(*) FILTER (WHERE rel = 'accounts'::regclass) || ' ' || count(*) FILTER (WHERE rel = 'items'::regclass)
                FROM tenant_guard.tombstones WHERE tenant = '1'")"
check "promoted: tenant 1 rows gone" "0 0" \
    "$(qs -c "SELECT (SELECT count(*) FROM accounts WHERE tenant_id = 1) || ' ' || (SELECT count(*) FROM items WHERE tenant_id = 1)")"
check "promoted: change-log seq continues above the old primary's" "t" \
    "$(qs -c "SELECT min(seq) > $seq_before AND count(*) = 221 FROM tenant_guard.change_log WHERE tenant = '1' AND op = 'D'")"
check "promoted: undelete of tenant 2 (deleted on the primary)" "accounts 20 0|items 200 0" \
    "$(qs -c "SELECT string_agg(rel || ' ' || restored || ' ' || skipped, '|') FROM tenant_guard.undelete('2')")"
check "promoted: tenant 2 rows equal those before the delete (counts, md5)" "$rows2_before" "$(qs -c "$(tenant_rows 2)")"
check "promoted: no tombstones of tenant 2 left" "0" "$(qs -c "SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '2'")"
check "promoted: undelete of tenant 1 (deleted on the promoted server)" "accounts 21 0|items 200 0" \
    "$(qs -c "SELECT string_agg(rel || ' ' || restored || ' ' || skipped, '|') FROM tenant_guard.undelete('1')")"
check "promoted: tenant 1 rows back as before the delete" "$rows1_primary" "$(qs -c "$(tenant_rows 1)")"
check "promoted: the update of tenant 4 is there" "$rows4_updated" "$(qs -c "$(tenant_rows 4)")"
check "promoted: rewind of tenant 4 to the mark taken on the primary reverts the update" "items 0 66 0" \
    "$(qs -c "SELECT string_agg(rel || ' ' || reinserted || ' ' || reverted || ' ' || removed, '|')
                FROM tenant_guard.rewind('4', to_mark => 'before-standby') WHERE reinserted + reverted + removed > 0")"
check "promoted: tenant 4 rows equal those at the mark" "$rows4_before" "$(qs -c "$(tenant_rows 4)")"
# The cursor taken on the primary after the mark: every change since, once.
check "promoted: changes() from the primary's cursor returns every later change once" "t" \
    "$(qs -v c="$cursor" <<<"WITH c AS (SELECT seq FROM tenant_guard.changes(:'c', 100000)),
                                   l AS (SELECT seq FROM tenant_guard.change_log WHERE seq > $seq_before)
                              SELECT (SELECT count(*) FROM c) = (SELECT count(DISTINCT seq) FROM c)
                                 AND NOT EXISTS (SELECT seq FROM c EXCEPT SELECT seq FROM l)
                                 AND NOT EXISTS (SELECT seq FROM l EXCEPT SELECT seq FROM c)
                                 AND (SELECT count(*) FROM c) > 0")"
expect_state "promoted: the token used on the old primary is refused (TG014)" "TG014" "$P2" "SELECT * FROM tenant_guard.purge('$used_token')"
check "promoted: the new token the standby refused purges tenant 3's tombstones" "accounts 0 20|items 0 200" \
    "$(qs -v t="$new_token" <<<"SELECT string_agg(rel || ' ' || live_deleted || ' ' || tombstones_deleted, '|' ORDER BY rel::text)
                                  FROM tenant_guard.purge(:'t')")"
check "promoted: nothing of tenant 3 left, two receipts" "0 0 2" \
    "$(qs -c "SELECT (SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '3') || ' ' ||
                     (SELECT count(*) FROM tenant_guard.change_log WHERE tenant = '3') || ' ' ||
                     (SELECT count(*) FROM tenant_guard.purge_receipts)")"
expect_state "promoted: the new token is then refused too (TG014)" "TG014" "$P2" "SELECT * FROM tenant_guard.purge('$new_token')"
expect_state "promoted: mark works" "ok" "$P2" "SELECT tenant_guard.mark('after-failover')"

note "run time $(( $(now_ms) - t_start )) ms"
summary ha
