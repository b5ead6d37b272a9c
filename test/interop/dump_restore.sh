#!/usr/bin/env bash
# pg_dump / pg_restore keeps everything: protected tables, tombstones,
# history, purge keys, used tokens and receipts; protection is active again in
# the restored database (capture, TRUNCATE refused), undelete works there and a
# used token is still refused. Runs on its own throwaway cluster; the extension
# must be installed. Prints "dump_restore: N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
source "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
chmod 755 "$work"
[ "$(id -u)" -eq 0 ] && chown postgres: "$work"  # pg_dump runs as the cluster's OS user
trap 'rm -rf "$work"; tg_cluster_stop' EXIT
tg_cluster_start "${PORT:-55471}" || exit 1
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"

# The schema of the source database (and of a database protected on its own, below).
schema="CREATE EXTENSION tenant_guard; CREATE TABLE sites (tenant_id int NOT NULL, id int PRIMARY KEY, name text); CREATE TABLE pages (tenant_id int NOT NULL, id int PRIMARY KEY, site_id int REFERENCES sites ON DELETE CASCADE); CREATE TABLE events (tenant_id int NOT NULL, id int, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id); CREATE TABLE events_1 PARTITION OF events FOR VALUES IN (1); CREATE TABLE events_rest PARTITION OF events DEFAULT;"
q -c 'CREATE DATABASE source' -c 'CREATE DATABASE target'
q -d source -c "$schema" >/dev/null
q -d source -v pub="$(cat "$work/pub.pem")" -v key="$(cat "$work/key.pem")" <<'SQL' >/dev/null
SELECT tenant_guard.protect('pages');
SELECT tenant_guard.protect('sites');
SELECT tenant_guard.protect('events');
INSERT INTO sites VALUES (1, 1, 'one'), (1, 2, 'two');
INSERT INTO sites VALUES (2, 3, 'three');
INSERT INTO pages VALUES (1, 10, 1), (1, 11, 2);
INSERT INTO events VALUES (1, 1), (2, 1);
DELETE FROM sites WHERE id = 1;
SELECT tenant_guard.add_purge_key('k1', :'pub');
SELECT * FROM tenant_guard.purge(tenant_guard.sign_token(jsonb_build_object(
    'kid', 'k1', 'act', 'purge', 'db', tenant_guard.database_id(), 'tenant', '2', 'live', true,
    'max_rows', 10, 'exp', extract(epoch FROM now())::bigint + 600, 'jti', 'used-before-dump', 'reason', 'test'),
    :'key'));
-- History in three log segments: the sequence is moved on twice by prune(),
-- so the newest segments are ordinary tables created after CREATE EXTENSION.
SELECT tenant_guard.set_retention('1 second');
SELECT pg_sleep(0.2);
SELECT * FROM tenant_guard.prune();
INSERT INTO sites VALUES (1, 5, 'in segment 1');
SELECT pg_sleep(0.2);
SELECT * FROM tenant_guard.prune();
INSERT INTO sites VALUES (1, 6, 'in segment 2');
SELECT tenant_guard.set_retention('1 day');
SELECT tenant_guard.mark('before-dump');
SQL
before=$(q -d source -c "SELECT (SELECT count(*) FROM tenant_guard.change_log) || '/' ||
    (SELECT count(*) FROM tenant_guard.tombstones) || '/' || (SELECT count(*) FROM tenant_guard.protected_tables) || '/' ||
    (SELECT count(*) FROM tenant_guard.purge_keys) || '/' || (SELECT count(*) FROM tenant_guard.purge_receipts)")

tg_as_pg "$TG_PG_BIN/pg_dump" -Fc -d source -f "$work/source.dump" 2>"$work/dump.err"
check "pg_dump succeeds" "0" "$?"
tg_as_pg "$TG_PG_BIN/pg_restore" -d target "$work/source.dump" 2>"$work/restore.err"
check "pg_restore succeeds without errors" "0:" "$?:$(cat "$work/restore.err")"

after=$(q -d target -c "SELECT (SELECT count(*) FROM tenant_guard.change_log) || '/' ||
    (SELECT count(*) FROM tenant_guard.tombstones) || '/' || (SELECT count(*) FROM tenant_guard.protected_tables) || '/' ||
    (SELECT count(*) FROM tenant_guard.purge_keys) || '/' || (SELECT count(*) FROM tenant_guard.purge_receipts)")
check "history, tombstones, protection, keys, receipts restored" "$before" "$after"
check "triggers restored, enabled ALWAYS" "25" \
    "$(q -d target -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tenant\_guard\_%' AND tgenabled = 'A'
                         AND tgrelid::regclass::text NOT LIKE 'tenant\_guard.%'")"
check "undelete works after restore" "sites 1 0|pages 1 0" \
    "$(q -d target -c "SELECT string_agg(rel || ' ' || restored || ' ' || skipped, '|') FROM tenant_guard.undelete('1')")"
check "capture active after restore" "1" \
    "$(q -d target -c "INSERT INTO sites VALUES (1, 4, 'four')" -c "SELECT count(*) FROM tenant_guard.change_log WHERE pk = '{\"id\": 4}'")"
check "TRUNCATE refused after restore" "TG003" \
    "$(q -d target -c "DO \$\$ BEGIN TRUNCATE sites CASCADE; EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%', SQLSTATE; END \$\$" 2>&1 | grep -o 'TG00[0-9]')"
check "a used token is still refused" "TG014" \
    "$(q -d target -v key="$(cat "$work/key.pem")" <<'SQL' 2>&1 | tail -1
CREATE FUNCTION pg_temp.try(t text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN PERFORM tenant_guard.purge(t); RETURN 'accepted'; EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE; END $f$;
SELECT pg_temp.try(tenant_guard.sign_token(jsonb_build_object(
    'kid', 'k1', 'act', 'purge', 'db', tenant_guard.database_id(), 'tenant', '2', 'max_rows', 10,
    'exp', extract(epoch FROM now())::bigint + 600, 'jti', 'used-before-dump', 'reason', 'test'), :'key'));
SQL
)"
# The triggers protect() installs, also the row-level one a partition inherits.
triggers="SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'events_3'::regclass"
check "a new partition of a restored protected table is protected" \
    "tenant_guard_capture_applied:R,tenant_guard_capture_delete:A,tenant_guard_capture_insert:A,tenant_guard_capture_update:A,tenant_guard_no_truncate:A,tenant_guard_statement_start:A" \
    "$(q -d target -c "CREATE TABLE events_3 PARTITION OF events FOR VALUES IN (3)" -c "$triggers")"

check "history in three log segments restored" "0 1 2" \
    "$(q -d target -c "SELECT string_agg(DISTINCT (seq >> 44)::text, ' ') FROM tenant_guard.change_log")"
check "new changes go to the current segment after restore" "2" \
    "$(q -d target -c "INSERT INTO sites VALUES (1, 7, 'seven')" -c "SELECT seq >> 44 FROM tenant_guard.change_log WHERE pk = '{\"id\": 7}'")"
q -d target -c "SELECT tenant_guard.set_retention('1 second')" -c "SELECT pg_sleep(1.1)" -c "SELECT * FROM tenant_guard.prune()" >/dev/null
check "prune drops old segments after restore" "segments 0 1 gone, 2 kept" \
    "$(q -d target -c "SELECT 'segments ' || string_agg(segment::text, ' ' ORDER BY segment) FILTER (WHERE dropped_at IS NOT NULL) ||
                              ' gone, ' || string_agg(segment::text, ' ') FILTER (WHERE dropped_at IS NULL) || ' kept'
                         FROM tenant_guard.log_segment")"

# A data-only restore into a database whose tables are protected already
# (protected in another order, with rows and history of their own) would mix
# two histories: table ids and seqs collide. Refused, with or without
# --disable-triggers, and that database's history is unchanged.
q -c 'CREATE DATABASE protected_target' >/dev/null
q -d protected_target -c "$schema" >/dev/null
q -d protected_target <<'SQL' >/dev/null
SELECT tenant_guard.protect('events');
SELECT tenant_guard.protect('sites');
SELECT tenant_guard.protect('pages');
INSERT INTO sites VALUES (9, 900, 'own');
INSERT INTO pages VALUES (9, 901, 900);
DELETE FROM pages WHERE id = 901;
SQL
tg_as_pg "$TG_PG_BIN/pg_dump" -Fc --data-only -d source -f "$work/data.dump" 2>/dev/null
history="SELECT (SELECT string_agg(rel || ':' || op || ':' || pk, ',' ORDER BY seq) FROM tenant_guard.change_log) || '/' ||
    (SELECT string_agg(rel || ':' || pk, ',') FROM tenant_guard.tombstones) || '/' ||
    (SELECT string_agg(rel::text, ',' ORDER BY rel::text) FROM tenant_guard.protected_tables)"
history_before=$(q -d protected_target -c "$history")
tg_as_pg "$TG_PG_BIN/pg_restore" --data-only --single-transaction -d protected_target "$work/data.dump" \
    >/dev/null 2>"$work/data.err"
check "a data-only restore into protected tables is refused" "1:1" \
    "$?:$(grep -c 'holds tenant_guard history already' "$work/data.err")"
tg_as_pg "$TG_PG_BIN/pg_restore" --data-only --disable-triggers --single-transaction -d protected_target \
    "$work/data.dump" >/dev/null 2>"$work/data2.err"
check "also with --disable-triggers" "1:1" "$?:$(grep -c 'cannot enable or disable all triggers\|cannot change the triggers of tenant_guard' "$work/data2.err")"
check "that database's history is unchanged" "$history_before" "$(q -d protected_target -c "$history")"

# Into another cluster (a fresh initdb: its xids are lower than the source's):
# history from there is adopted, not reinterpreted. Rewinds reach back to the
# restore only; undelete works.
first_cluster=$TG_CLUSTER_DIR first_port=$PGPORT
tg_cluster_start "$((${PORT:-55471} + 1))" >/dev/null || exit 1
q -c 'CREATE DATABASE target'
tg_as_pg "$TG_PG_BIN/pg_restore" -h "$TG_CLUSTER_DIR" -p "$PGPORT" -d target "$work/source.dump" 2>"$work/restore2.err"
check "pg_restore into another cluster succeeds without errors" "0:" "$?:$(cat "$work/restore2.err")"
check "a mark from the other cluster is refused (TG021), not misread" "TG021" \
    "$(q -d target -c "DO \$\$ BEGIN PERFORM tenant_guard.rewind('1', to_mark => 'before-dump'); EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%', SQLSTATE; END \$\$" 2>&1 | grep -o 'TG0[0-9]*')"
q -d target -c "SELECT tenant_guard.mark('after-restore')" -c "UPDATE sites SET name = 'changed' WHERE id = 2" >/dev/null
check "rewind to a mark taken after the restore reverts only what followed it" "sites 0 1 0|two" \
    "$(q -d target -c "SELECT string_agg(rel || ' ' || reinserted || ' ' || reverted || ' ' || removed, ',') FROM tenant_guard.rewind('1', to_mark => 'after-restore')" \
        -c "SELECT name FROM sites WHERE id = 2" | paste -sd'|')"
check "undelete works in the other cluster" "sites 1 0|pages 1 0" \
    "$(q -d target -c "SELECT string_agg(rel || ' ' || restored || ' ' || skipped, '|') FROM tenant_guard.undelete('1')")"
tg_cluster_stop
TG_CLUSTER_DIR=$first_cluster PGHOST=$first_cluster PGPORT=$first_port

summary dump_restore
