#!/usr/bin/env bash
# ALTER EXTENSION tenant_guard UPDATE loses nothing, and ends where a fresh
# install begins. Installs version 0.1.0 (the first release; its install
# script and the update scripts after it are kept unchanged), works with it
# through the current module (as after a package upgrade, before the DBA runs
# ALTER EXTENSION), updates to the current version and checks that history,
# tombstones, marks, keys, used tokens, receipts and cursors survived and that
# everything works afterwards. A fresh CREATE EXTENSION runs the current
# install script, which make builds from schema/: the updated database must
# have the same objects with the same definitions (pg_dump of both, see
# normalize_dump.pl), the same configuration tables and the same parameter
# grants. Prints "upgrade: N passed, N failed"; a difference is printed as a diff.
# TG_PG_BIN (scripts/lib/common.sh) chooses the server; PORT its port.
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
# The fresh install first: GRANT SET ON PARAMETER is cluster-wide, so what
# the install script grants is seen before the update scripts grant it too.
q -d fresh -c "CREATE EXTENSION tenant_guard" >/dev/null 2>"$work/create.err"
check "CREATE EXTENSION succeeds" "0:" "$?:$(grep -v '^NOTICE' "$work/create.err")"
check "CREATE EXTENSION runs the current version's install script (built from schema/), not the update chain" t \
    "$(q -c "SELECT (pg_stat_file(setting || '/extension/tenant_guard--$current.sql', true)).size > 0
               FROM pg_config WHERE name = 'SHAREDIR'")"
parameter_grants="SELECT coalesce(string_agg(parname || ' ' || paracl::text, E'\n' ORDER BY parname), 'none')
                    FROM pg_parameter_acl WHERE parname LIKE 'tenant\_guard.%'"
fresh_parameter_grants=$(q -c "$parameter_grants")
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

# 0.7.0 -> current repairs the tombstone keys that 0.6.0 and 0.7.0 nulled when
# a primary-key column was retyped (the image was converted, the key was not):
# a 0.7.0 database with such a key, made as that bug left it.
q -c 'CREATE DATABASE nulled_keys'
check "a tombstone key nulled by 0.7.0 is taken again from its image, and restores" '{"id": "k1"}|{"id": "k2"}
2
k1,k2' \
    "$(q -d nulled_keys <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION tenant_guard VERSION '0.7.0';
CREATE TABLE keyed (tenant_id text NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('keyed') \g /dev/null
INSERT INTO keyed VALUES ('acme', 1), ('acme', 2);
DELETE FROM keyed;
ALTER TABLE keyed ALTER COLUMN id TYPE text USING 'k' || id;
UPDATE tenant_guard.tombstone_data SET pk = '{"id": null}' WHERE tombstone_id = (SELECT min(tombstone_id) FROM tenant_guard.tombstone_data);
ALTER EXTENSION tenant_guard UPDATE;
SELECT string_agg(pk::text, '|' ORDER BY tombstone_id) FROM tenant_guard.tombstone_data;
SELECT restored FROM tenant_guard.undelete('acme');
SELECT string_agg(id, ',' ORDER BY id) FROM keyed;
SQL
)"

# same_as_fresh NAME FILE_SUFFIX COMMAND...: COMMAND DB of both databases agree; else the diff.
same_as_fresh() {
    local name=$1 suffix=$2
    shift 2
    "$@" fresh >"$work/fresh.$suffix"
    "$@" old >"$work/updated.$suffix"
    if diff -u --label "fresh install" --label "updated from 0.1.0" "$work/fresh.$suffix" "$work/updated.$suffix" \
        >"$work/$suffix.diff"; then
        check "$name" same same
    else
        head -200 "$work/$suffix.diff"
        check "$name" same "different (diff above)"
    fi
}
members() {  # members DB: the extension's objects
    q -d "$1" -c "SELECT pg_describe_object(classid, objid, 0) AS d FROM pg_depend
                   WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
                     AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'tenant_guard')
                   ORDER BY d"
}
definitions() {  # definitions DB: the schema's DDL, grants and initial privileges, normalised
    "$TG_PG_BIN/pg_dump" --schema-only --binary-upgrade -d "$1" | perl "$(dirname "$0")/normalize_dump.pl"
}
configuration() {  # configuration DB: the tables pg_dump dumps the rows of, and the install's own cluster row
    q -d "$1" -c "SELECT string_agg(t.rel::regclass || coalesce(' ' || nullif(t.cond, ''), ''), E'\n'
                                     ORDER BY t.rel::regclass::text)
                    FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS t(rel, cond)
                   WHERE e.extname = 'tenant_guard'" \
      -c "SELECT system_id = tenant_guard._system_id(), adopted_seq FROM tenant_guard.history_cluster ORDER BY 2"
}
same_as_fresh "the updated extension has the objects of a fresh install" members members
same_as_fresh "the updated schema has the definitions of a fresh install (pg_dump)" sql definitions
same_as_fresh "the updated extension dumps the rows of the tables a fresh install does" conf configuration
check "the install script grants what the update scripts grant (SET ON PARAMETER)" "$(q -c "$parameter_grants")" \
    "$fresh_parameter_grants"

check "capture works after the update" "I" \
    "$(q -d old -c "INSERT INTO sites VALUES (1, 999, 'new')" -c "SELECT op FROM tenant_guard.change_log WHERE pk = '{\"id\": 999}'")"
check "after the update, a statement's rows of one tenant are one entry, which a cursor from before reads row by row" \
    "5|5" "$(q -d old -c "INSERT INTO sites SELECT 1, 5000 + i, 'bulk' FROM generate_series(1, 5) AS i" \
              -c "SELECT (SELECT string_agg(entry_rows::text, ',') FROM tenant_guard.change_log_data
                           WHERE entry_rows IS NOT NULL) || '|' ||
                         (SELECT count(*) FROM tenant_guard.changes((SELECT cursor FROM consumer), 100000)
                           WHERE new_row ->> 'name' = 'bulk')")"
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
