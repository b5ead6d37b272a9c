#!/usr/bin/env bash
# ALTER EXTENSION tenant_guard UPDATE loses nothing. Installs version 0.1.0
# (the previous release; its install script is kept unchanged, and every
# later version is an update script on top of it), works with it through the
# current module (as after a package upgrade, before the DBA runs ALTER
# EXTENSION), updates to the current version and checks that history,
# tombstones, marks, keys, used tokens, receipts and cursors survived and that
# everything works afterwards. Prints "upgrade: N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
source "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"; tg_cluster_stop' EXIT
tg_cluster_start "${PORT:-55472}" || exit 1
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$TG_ROOT/tenant_guard.control")

q -c 'CREATE DATABASE old' -c 'CREATE DATABASE fresh'
q -d old -v pub="$(cat "$work/pub.pem")" -v key="$(cat "$work/key.pem")" <<'SQL' >/dev/null
CREATE EXTENSION tenant_guard VERSION '0.1.0';
CREATE TABLE sites (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE pages (tenant_id int NOT NULL, id int PRIMARY KEY, site_id int REFERENCES sites ON DELETE CASCADE);
SELECT tenant_guard.protect('pages');
SELECT tenant_guard.protect('sites');
INSERT INTO sites SELECT t, t * 100 + i, 'site' FROM generate_series(1, 5) t, generate_series(1, 4) i;
INSERT INTO pages SELECT s.tenant_id, s.id * 10 + j, s.id FROM sites s, generate_series(1, 3) j;
SELECT tenant_guard.mark('before-upgrade');
CREATE TABLE at_mark AS SELECT * FROM sites WHERE tenant_id = 2;
UPDATE sites SET name = 'renamed' WHERE tenant_id = 2;
DELETE FROM sites WHERE tenant_id = 3;
DELETE FROM sites WHERE tenant_id = 4;
SELECT tenant_guard.add_purge_key('k1', :'pub');
SELECT * FROM tenant_guard.purge(tenant_guard.sign_token(jsonb_build_object(
    'kid', 'k1', 'act', 'purge', 'db', tenant_guard.database_id(), 'tenant', '5', 'live', true,
    'max_rows', 100, 'exp', extract(epoch FROM now())::bigint + 600, 'jti', 'used-before-upgrade',
    'reason', 'test'), :'key'));
CREATE TABLE consumer AS SELECT cursor FROM tenant_guard.changes(NULL, 10) ORDER BY seq DESC LIMIT 1;
SQL
counts="SELECT (SELECT count(*) FROM tenant_guard.change_log) || '/' || (SELECT count(*) FROM tenant_guard.tombstones)
    || '/' || (SELECT count(*) FROM tenant_guard.protected_tables) || '/' || (SELECT count(*) FROM tenant_guard.marks)
    || '/' || (SELECT count(*) FROM tenant_guard.purge_keys) || '/' || (SELECT count(*) FROM tenant_guard.purge_receipts)"
before=$(q -d old -c "$counts")
stream_before=$(q -d old -c "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM tenant_guard.changes((SELECT cursor FROM consumer), 1000)")

q -d old -c "ALTER EXTENSION tenant_guard UPDATE" 2>"$work/update.err"
check "ALTER EXTENSION UPDATE succeeds" "0:" "$?:$(grep -v '^NOTICE' "$work/update.err")"
check "updated to the current version" "$current" "$(q -d old -c "SELECT extversion FROM pg_extension WHERE extname = 'tenant_guard'")"
check "history, tombstones, protection, marks, keys, receipts kept" "$before" "$(q -d old -c "$counts")"
check "a cursor taken before the update reads on without gap or duplicate" "$stream_before" \
    "$(q -d old -c "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM tenant_guard.changes((SELECT cursor FROM consumer), 1000)")"

q -d fresh -c "CREATE EXTENSION tenant_guard" >/dev/null
members="SELECT string_agg(pg_describe_object(classid, objid, 0), E'\n' ORDER BY 1) FROM pg_depend
          WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
            AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'tenant_guard')"
check "the updated extension has the objects of a fresh install" "$(q -d fresh -c "$members")" "$(q -d old -c "$members")"

check "capture works after the update" "I" \
    "$(q -d old -c "INSERT INTO sites VALUES (1, 999, 'new')" -c "SELECT op FROM tenant_guard.change_log WHERE pk = '{\"id\": 999}'")"
check "undelete works after the update" "sites 4 0|pages 12 0" \
    "$(q -d old -c "SELECT string_agg(rel || ' ' || restored || ' ' || skipped, '|' ORDER BY rel::text DESC) FROM tenant_guard.undelete('3')")"
check "deletions() lists a deletion made before the update (no actor recorded then)" "4 sites 4 1 {}|4 pages 12 1 {}" \
    "$(q -d old -c "SELECT string_agg(concat_ws(' ', tenant, rel, rows, transactions, actors), '|' ORDER BY rel::text DESC)
                    FROM tenant_guard.deletions(until => now()) WHERE tenant = '4'")"
check "undelete_row brings back a row deleted before the update with its cascade (by transaction)" "sites 1 0|pages 3 0" \
    "$(q -d old -c "SELECT string_agg(rel || ' ' || restored || ' ' || skipped, '|' ORDER BY rel::text DESC)
                    FROM tenant_guard.undelete_row('sites', '{\"id\": 401}')")"
check "undelete_where restores the rest of it" "sites 3|pages 9" \
    "$(q -d old -c "SELECT string_agg(rel || ' ' || restored, '|' ORDER BY rel::text DESC)
                    FROM tenant_guard.undelete_where(until => now(), tenants => '{4}')")"
check "a deletion after the update records its actor and statement" "upgrade-test 1" \
    "$(q -d old -c "SET tenant_guard.actor = 'upgrade-test'" -c "DELETE FROM sites WHERE id = 402" \
                -c "SELECT min(actor) || ' ' || count(DISTINCT statement_id) FROM tenant_guard.tombstones WHERE tenant = '4'")"
check "rewind to a mark taken before the update" "sites
0" \
    "$(q -d old -c "SELECT string_agg(rel::text, ',') FROM tenant_guard.rewind('2', to_mark => 'before-upgrade')" \
                -c "SELECT count(*) FROM (SELECT * FROM sites WHERE tenant_id = 2 EXCEPT SELECT * FROM at_mark) d")"
check "a token used before the update is still refused" "TG014" \
    "$(q -d old -v key="$(cat "$work/key.pem")" <<'SQL' 2>&1 | tail -1
CREATE FUNCTION pg_temp.try(t text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN PERFORM tenant_guard.purge(t); RETURN 'accepted'; EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE; END $f$;
SELECT pg_temp.try(tenant_guard.sign_token(jsonb_build_object(
    'kid', 'k1', 'act', 'purge', 'db', tenant_guard.database_id(), 'tenant', '5', 'max_rows', 100,
    'exp', extract(epoch FROM now())::bigint + 600, 'jti', 'used-before-upgrade', 'reason', 'test'), :'key'));
SQL
)"
q -d old -c "SELECT tenant_guard.set_retention('1 second')" -c "SELECT pg_sleep(0.2)" -c "SELECT * FROM tenant_guard.prune()" \
    -c "INSERT INTO sites VALUES (1, 998, 'after the roll')" -c "SELECT pg_sleep(1.1)" -c "SELECT * FROM tenant_guard.prune()" >/dev/null
check "prune drops the pre-update history" "0|1" \
    "$(q -d old -c "SELECT (SELECT count(*) FROM tenant_guard.change_log WHERE seq < 1::bigint << 44) || '|' ||
                           (SELECT count(*) FROM tenant_guard.change_log WHERE pk = '{\"id\": 998}')")"

summary upgrade
