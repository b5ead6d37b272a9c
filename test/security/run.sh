#!/usr/bin/env bash
# shellcheck disable=SC2016  # SQL in single quotes: $f$, $q$ and "$user" are PostgreSQL's
# shellcheck source-path=SCRIPTDIR
# Hostile roles: no role gains a privilege through tenant_guard, and no SQL
# the extension runs in an elevated context (as its owner, as a table owner,
# in event triggers, triggers, SECURITY DEFINER functions) resolves a name
# through a namespace that the caller or a table owner controls.
#
# 1. names.sh lists every unqualified function, type and operator of the SQL
#    the extension runs (taken from the code now, so a new name is covered).
# 2. Roles in database "sec": dba (superuser, the victim), conn_only (CONNECT,
#    TEMP), app_dml (DML on the application tables), app_owner (owns schema
#    app and the protected tables), operator (every management function).
# 3. Each attacker shadows every name (shadows.sql): domains in pg_temp and in
#    its own schema, functions and aggregates with each pg_catalog signature
#    and the variants an exact match wins with, operators with each
#    pg_catalog signature and the cross-type pairs; every shadow records
#    (attacker, name, current_user, session_user, entry point) and tries to
#    escalate. Search paths: own schema first, pg_temp first, the default
#    one, and the one persisted with ALTER ROLE ... SET.
# 4. Every entry point is driven from each attacker's session and from the
#    dba's (search_path = app, op, public) while the shadows exist.
# 5. Checks: no shadow ran as anyone but its attacker (nor in another role's
#    session), one check per entry point of each session; no attacker gained
#    an attribute or a membership; the three exploits of the security issue
#    (with controls that their shadows are reachable at all); a table owner's
#    triggers and domain checks run as the owner when undelete, rewind or
#    purge write its rows; tenant_guard's trigger functions attached to a
#    role's own table forge no history; the guard rails held (TG001, TG002,
#    TG003); and the entry points ran to completion (so that a pass means
#    something).
#
# Needs bash, perl, psql, openssl and an installed tenant_guard. Prints one
# "ok - ..." / "not ok - ..." line per check and "security: N passed, N failed".
# SEC_NO_SHADOWS=1 runs everything without the shadows (a dry run of the
# harness: every check must pass against any build). SEC_PG_BIN=DIR runs the
# cluster from another PostgreSQL 15 bin directory (e.g. a private copy whose
# lib and share hold another build of the extension) and SEC_SRC=DIR takes
# the names from that build's sources; SEC_KEEP=DIR keeps the session
# scripts and their output there.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/common.sh"
source "$here/../lib/checks.sh"

TG_PG_BIN=${SEC_PG_BIN:-$TG_PG_BIN}
src=${SEC_SRC:-$TG_ROOT}
started=$SECONDS
work_dir security
# A setup step failed: say which, and end with the summary all the same.
setup_failed() {  # setup_failed WHAT
    fail "setup: $1" "$(tail -15 "$work/setup.log" 2>/dev/null)"
    summary security
    exit 1
}
tg_cluster_start "${PORT:-55494}" >"$work/setup.log" 2>&1 || setup_failed "the cluster starts"

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d sec "$@"; }          # as postgres
attackers=(conn_only app_dml app_owner operator)
: >"$work/steps"

# ---------------------------------------------------------------------------
# 1. Names from the code, and a self-test of the extractor.
# ---------------------------------------------------------------------------
if ! "$here/names.sh" "$src" >"$work/names" 2>"$work/names.err"; then
    fail "names.sh extracts the names of the extension's SQL" "$(cat "$work/names.err")"
fi
count_kind() { grep -c "^$1 " "$work/names" || true; }
nf=$(count_kind func) nt=$(count_kind type) no=$(count_kind op)
qf=$(count_kind qfunc) qt=$(count_kind qtype) qo=$(count_kind qop)
note "names in the extension's SQL: $nf functions, $nt types, $no operators unqualified (shadowed);" \
     "$qf functions, $qt types, $qo operators schema-qualified"
note "functions: $(awk '$1 == "func" {printf "%s ", $2}' "$work/names")"
note "types: $(awk '$1 == "type" {printf "%s ", $2}' "$work/names")"
note "operators: $(awk '$1 == "op" {printf "%s ", $2}' "$work/names")"
if [ $((nf + qf)) -ge 20 ] && [ $((nt + qt)) -ge 5 ] && [ $((no + qo)) -ge 3 ] && [ "$nf" -ge 1 ]; then
    pass "names.sh finds a non-trivial list (>= 20 functions, >= 5 types, >= 3 operators)"
else
    fail "names.sh finds a non-trivial list (>= 20 functions, >= 5 types, >= 3 operators)" \
         "found $nf+$qf functions, $nt+$qt types, $no+$qo operators (unqualified+qualified)"
fi
mkdir -p "$work/sample/src/extension"
cat >"$work/sample/src/extension/sample.cpp" <<'CPP'
// format(x) in a comment is no name
void f() {
    spi::exec("SELECT lower(name::text), x.a = ANY ($1::int8[]), pg_catalog.upper(t) "
              "FROM tenant_guard.t AS u(k, v) WHERE c.note LIKE 'a%' AND b OPERATOR(pg_catalog.<>) 2", {});
    std::string sql = std::string("SELECT ") + "jsonb_build_object('k', x.k) || NULL::jsonb";
    throw Error(ERRCODE_X, "cannot frobnicate(" + name + ") as text", "hint: use refrob() instead");
}
CPP
cat >"$work/sample/tenant_guard--9.9.sql" <<'SQL'
CREATE FUNCTION tenant_guard.s() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    v pg_snapshot;
BEGIN
    -- count(*) in a comment
    EXECUTE format('SELECT greatest(1, 2) FROM %I', 'x');
    RETURN length('abc') + 1;
END $$;
SQL
sample=$("$here/names.sh" "$work/sample" 2>&1 | tr '\n' ' ')
check "names.sh self-test: SQL literals and bodies, no comments, messages, keywords or qualified names" \
    "func format func jsonb_build_object func length func lower type int8 type jsonb type pg_snapshot type text op + op = op || op ~~ qfunc pg_catalog.upper qop pg_catalog.<> " \
    "$sample"

# ---------------------------------------------------------------------------
# 2. Database, roles, application tables, keys and tokens.
# ---------------------------------------------------------------------------
openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
pub=$(cat "$work/pub.pem") key=$(cat "$work/key.pem")

psql -X -q -v ON_ERROR_STOP=1 -d postgres >>"$work/setup.log" 2>&1 <<'SQL' || setup_failed "roles and database"
CREATE ROLE dba LOGIN SUPERUSER;
CREATE ROLE conn_only LOGIN;
CREATE ROLE app_dml LOGIN;
CREATE ROLE app_owner LOGIN;
CREATE ROLE operator LOGIN;
CREATE DATABASE sec;
SQL
q >>"$work/setup.log" 2>&1 <<'SQL' || setup_failed "CREATE EXTENSION tenant_guard, schemas, grants"
REVOKE ALL ON DATABASE sec FROM PUBLIC;
GRANT CONNECT, TEMP ON DATABASE sec TO conn_only, app_dml, app_owner, operator;
CREATE EXTENSION tenant_guard;
CREATE SCHEMA app AUTHORIZATION app_owner;
CREATE SCHEMA op AUTHORIZATION operator;
CREATE SCHEMA dml AUTHORIZATION app_dml;
GRANT USAGE ON SCHEMA tenant_guard TO app_owner, operator;
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = 'tenant_guard'::regnamespace AND p.proname = 'protect' LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO app_owner', f);
    END LOOP;
    FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = 'tenant_guard'::regnamespace
                AND p.proname IN ('undelete', 'undelete_where', 'undelete_conflicts', 'undelete_row', 'deletions',
                                  'tenant_checksum',
                                  'undelete_trash', 'rewind', 'mark',
                                  'changes', 'current_cursor', 'status', 'tenant_status', 'purge', 'set_retention',
                                  'prune', 'add_purge_key', 'revoke_purge_key', 'unprotect', 'database_id') LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO operator', f);
    END LOOP;
END $$;
-- What the shadows record; every role may write it, none but postgres read it.
CREATE TABLE public.pwned (attacker text, name text, cur text, sess text, step text,
                           at timestamptz DEFAULT clock_timestamp());
GRANT INSERT ON public.pwned TO PUBLIC;
CREATE TABLE public.pwned_log (attacker text, name text, cur text, sess text, step text);
CREATE TABLE public.tg_names (kind text, name text);
GRANT SELECT ON public.tg_names TO PUBLIC;
SQL
awk '$1 ~ /^(func|type|op)$/ { gsub(/\047/, "\047\047", $2); printf "INSERT INTO public.tg_names VALUES (\047%s\047, \047%s\047);\n", $1, $2 }' \
    "$work/names" | q >>"$work/setup.log" 2>&1

# The application, as its owner (no shadow exists yet).
psql -X -q -v ON_ERROR_STOP=1 -U app_owner -d sec >>"$work/setup.log" 2>&1 <<'SQL' || setup_failed "the application's tables, protected by app_owner"
SET client_min_messages = error;
CREATE TABLE app.accounts (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE app.items (tenant_id int NOT NULL, id int PRIMARY KEY,
                        account_id int REFERENCES app.accounts ON DELETE CASCADE, note text, price numeric);
-- notes: json and jsonb columns, which undelete and rewind read back from
-- their exact text (images keep it beside the value): that SQL runs under the shadows too.
CREATE TABLE app.notes (tenant_id text NOT NULL, id int PRIMARY KEY, body text,
                        meta jsonb DEFAULT 'null', raw json DEFAULT '{"a":  1, "a": 2}');
CREATE TABLE app.docs (tenant_id int NOT NULL, id int PRIMARY KEY, body text, deleted_at timestamptz);
CREATE TABLE app.bulk (tenant_id int NOT NULL, id int PRIMARY KEY, v text);
CREATE TABLE app.events (tenant_id int NOT NULL, id int NOT NULL, note text, PRIMARY KEY (tenant_id, id))
    PARTITION BY LIST (tenant_id);
CREATE TABLE app.events_a PARTITION OF app.events FOR VALUES IN (1, 2, 3, 4, 5, 6, 7, 8);
CREATE TABLE app.events_b PARTITION OF app.events FOR VALUES IN (9, 10);
CREATE TABLE app.scratch (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE app.scratch2 (tenant_id int NOT NULL, id int PRIMARY KEY);
INSERT INTO app.accounts SELECT t, t * 100 + i, 'account ' || t || '-' || i FROM generate_series(1, 8) t, generate_series(1, 3) i;
INSERT INTO app.items SELECT a.tenant_id, a.id * 10 + j, a.id, 'item', j * 1.5 FROM app.accounts a, generate_series(1, 3) j;
INSERT INTO app.notes SELECT t::text, t * 100 + i, 'note' FROM generate_series(1, 8) t, generate_series(1, 2) i;
INSERT INTO app.docs SELECT t, t * 100 + i, 'doc', NULL FROM generate_series(1, 8) t, generate_series(1, 2) i;
INSERT INTO app.events SELECT t, i, 'event' FROM generate_series(1, 8) t, generate_series(1, 2) i;
INSERT INTO app.scratch SELECT 1, i FROM generate_series(1, 3) i;
INSERT INTO app.scratch2 SELECT 1, i FROM generate_series(1, 3) i;
SELECT tenant_guard.protect('app.accounts');
SELECT tenant_guard.protect('app.items');
SELECT tenant_guard.protect('app.notes');
SELECT tenant_guard.protect('app.docs', delete_mode => 'flag', flag_column => 'deleted_at');
SELECT tenant_guard.protect('app.bulk');
SELECT tenant_guard.protect('app.events');
SELECT tenant_guard.protect('app.scratch');
SELECT tenant_guard.protect('app.scratch2');
GRANT USAGE ON SCHEMA app TO app_dml, operator;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO app_dml, operator;
SQL
# The application's trash (0.4.0): app_dml may read it and restore from it.
q >>"$work/setup.log" 2>&1 <<'SQL' || setup_failed "the trash is granted to app_dml"
GRANT USAGE ON SCHEMA tenant_guard TO app_dml;
GRANT SELECT ON tenant_guard.trash TO app_dml;
GRANT EXECUTE ON FUNCTION tenant_guard.undelete_trash(bigint[], text, boolean) TO app_dml;
SQL

token() {  # token ACT KID SCOPE-JSON JTI
    q -v key="$key" -v act="$1" -v kid="$2" -v scope="$3" -v jti="$4" 2>>"$work/setup.log" <<'SQL'
SELECT tenant_guard.sign_token(jsonb_build_object('kid', :'kid', 'act', :'act', 'db', tenant_guard.database_id(),
           'max_rows', 100000, 'exp', extract(epoch FROM now())::bigint + 1800, 'jti', :'jti',
           'reason', 'security test') || :'scope'::jsonb, :'key')
SQL
}
tok_op_purge=$(token purge k_op '{"tenant": "3", "live": true}' op-purge-3)
tok_dba_purge=$(token purge k_dba '{"tenant": "4", "live": true}' dba-purge-4)
tok_op_unprot=$(token unprotect k_op '{"tables": ["app.scratch"]}' op-unprotect)
tok_dba_unprot=$(token unprotect k_dba '{"tables": ["app.scratch2"]}' dba-unprotect)
if [ -z "$tok_op_purge" ] || [ -z "$tok_dba_unprot" ]; then setup_failed "tokens are signed"; fi

roles_sql="SELECT string_agg(r.rolname || ':' || r.rolsuper || r.rolcreaterole || r.rolcreatedb || r.rolbypassrls
                  || r.rolreplication || ':' || coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname)
                      FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), ''),
                  E'\n' ORDER BY r.rolname)
             FROM pg_roles r WHERE r.rolname = :'who'"
role_state() { q -v who="$1" <<<"$roles_sql"; }
declare -A roles_before
for a in "${attackers[@]}"; do roles_before[$a]=$(role_state "$a"); done
ticks() { q -c "SELECT count(*) FROM tenant_guard.cdc_tick" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------
# 3 and 4. Sessions. Lines "--step LABEL" become SET tgtest.step = 'SESSION: LABEL'
# (what every shadow records) and are the entry points checked below.
# ---------------------------------------------------------------------------
render() {  # render SESSION < script-with-step-markers > script
    local who=$1 line label
    while IFS= read -r line; do
        if [[ $line == --step\ * ]]; then
            label="$who: ${line#--step }"
            label=${label//\'/}   # no quotes in a label: it goes into SQL and psql strings
            printf '%s\n' "$label" >>"$work/steps"
            printf '%s\n' "\\echo 'STEP|$label'" "SET tgtest.step = '$label';"
        else
            printf '%s\n' "$line"
        fi
    done
}
run_session() {  # run_session ROLE NAME < script: psql as ROLE, errors expected and go on
    local role=$1 name=$2 t0=$SECONDS
    render "$name" >"$work/$name.sql"
    psql -X -q -d sec -U "$role" -v ON_ERROR_STOP=0 -v VERBOSITY=verbose -v pub="$pub" \
        -v tok_op_purge="$tok_op_purge" -v tok_dba_purge="$tok_dba_purge" \
        -v tok_op_unprot="$tok_op_unprot" -v tok_dba_unprot="$tok_dba_unprot" \
        -f "$work/$name.sql" >"$work/$name.log" 2>&1
    printf "%s %s s, " "$name" $((SECONDS - t0)) >>"$work/timings"   # a subshell (the end of a pipe): via a file
}

# Shadows of one attacker in one schema (own or pg_temp); the explicit
# exploits come first, the generated ones skip names already taken.
# SEC_NO_SHADOWS=1: only the recorder (tg_pwn), no shadow and no exploit.
shadows() {  # shadows WHO SCHEMA KINDS
    local kinds=$3
    [ "${SEC_NO_SHADOWS:-0}" = 1 ] && kinds=none
    printf '%s\n' "\\set who $1" "\\set sch $2" "\\set kinds $kinds" "\\i '$here/shadows.sql'"
}
exploit() {  # exploit SQL: the SQL, unless SEC_NO_SHADOWS=1
    [ "${SEC_NO_SHADOWS:-0}" = 1 ] || printf '%s\n' "$1"
}

# DDL on the session's own temp table and own table (event triggers), PASS
# tells the passes apart.
own_ddl() {  # own_ddl PASS [SCHEMA]
    local p=$1 s=${2:-}
    cat <<SQL
--step DDL on its own temp table: CREATE, ALTER TABLE, RENAME, DROP ($p)
CREATE TEMP TABLE tt_$p (id pg_catalog.int4 PRIMARY KEY, v pg_catalog.text);
ALTER TABLE tt_$p ADD COLUMN w pg_catalog.int4;
ALTER TABLE tt_$p ALTER COLUMN v SET NOT NULL;
ALTER TABLE tt_$p RENAME COLUMN w TO w2;
ALTER TABLE tt_$p RENAME TO tt_${p}_r;
DROP TABLE tt_${p}_r;
--step DDL on its own temp table: PARTITION OF, ATTACH, DROP ($p)
CREATE TEMP TABLE tp_$p (id pg_catalog.int4) PARTITION BY LIST (id);
CREATE TEMP TABLE tp_${p}_1 PARTITION OF tp_$p FOR VALUES IN (1);
CREATE TEMP TABLE tp_${p}_2 (id pg_catalog.int4);
ALTER TABLE tp_$p ATTACH PARTITION tp_${p}_2 FOR VALUES IN (2);
DROP TABLE tp_$p;
SQL
    [ -n "$s" ] && cat <<SQL
--step DDL on its own table: CREATE, ALTER TABLE, RENAME, DROP ($p)
CREATE TABLE $s.ot_$p (id pg_catalog.int4 PRIMARY KEY, v pg_catalog.text);
ALTER TABLE $s.ot_$p ADD COLUMN w pg_catalog.int4;
ALTER TABLE $s.ot_$p RENAME TO ot_${p}_r;
DROP TABLE $s.ot_${p}_r;
--step DDL on its own table: PARTITION OF, DETACH, DROP ($p)
CREATE TABLE $s.op_$p (id pg_catalog.int4) PARTITION BY LIST (id);
CREATE TABLE $s.op_${p}_1 PARTITION OF $s.op_$p FOR VALUES IN (1);
ALTER TABLE $s.op_$p DETACH PARTITION $s.op_${p}_1;
DROP TABLE $s.op_$p, $s.op_${p}_1;
SQL
    return 0
}

# DDL on the protected tables: what is allowed, and the back doors refused.
protected_ddl() {  # protected_ddl PASS PARTITION-VALUE (PASS names the new column and partition)
    local p=$1 v=$2
    cat <<SQL
--step DDL on a protected table: ALTER TABLE ADD COLUMN ($p)
ALTER TABLE app.accounts ADD COLUMN extra_$p pg_catalog.int4;
--step DDL on a protected table: CREATE TABLE PARTITION OF ($p)
CREATE TABLE app.events_$p PARTITION OF app.events FOR VALUES IN ($v);
--step DDL on a protected table: DROP TABLE, TRUNCATE, DROP TRIGGER, DISABLE TRIGGER, DETACH (refused) ($p)
DROP TABLE app.items;
DROP TABLE app.accounts CASCADE;
TRUNCATE app.items;
DROP TRIGGER tenant_guard_capture_insert ON app.items;
ALTER TABLE app.items DISABLE TRIGGER ALL;
ALTER TABLE app.items DISABLE TRIGGER tenant_guard_capture_delete;
ALTER TABLE app.accounts RENAME COLUMN tenant_id TO t;
ALTER TABLE app.accounts DROP COLUMN tenant_id;
ALTER TABLE app.events DETACH PARTITION app.events_b;
SQL
}

# DML on the protected tables.
dml() {  # dml PASS TENANT ID [BULK-TENANT BULK-FIRST-ID]
    local p=$1 t=$2 id=$3 bt=${4:-} bf=${5:-}
    cat <<SQL
--step DML: single-row INSERT ($p)
INSERT INTO app.accounts VALUES ($t, $id, 'new');
INSERT INTO app.items VALUES ($t, $id, $id, 'new', 2.5);
INSERT INTO app.notes VALUES ('$t', $id, 'new');
INSERT INTO app.docs VALUES ($t, $id, 'new', NULL);
INSERT INTO app.events VALUES ($t, $id, 'new');
--step DML: single-row UPDATE ($p)
UPDATE app.accounts SET name = 'changed' WHERE id OPERATOR(pg_catalog.=) $id;
UPDATE app.notes SET body = 'changed' WHERE id OPERATOR(pg_catalog.=) $id;
--step DML: single-row DELETE, cascading and in flag mode ($p)
DELETE FROM app.accounts WHERE id OPERATOR(pg_catalog.=) $id;
DELETE FROM app.docs WHERE id OPERATOR(pg_catalog.=) $id;
DELETE FROM app.events WHERE tenant_id OPERATOR(pg_catalog.=) $t AND id OPERATOR(pg_catalog.=) $id;
--step DML: multi-tenant DELETE and UPDATE (TG001), tenant change and pin (TG002) ($p)
DELETE FROM app.items WHERE tenant_id OPERATOR(pg_catalog.=) ANY ('{7,8}');
UPDATE app.notes SET body = 'x' WHERE tenant_id OPERATOR(pg_catalog.=) ANY ('{7,8}');
UPDATE app.accounts SET tenant_id = 7 WHERE id OPERATOR(pg_catalog.=) ${t}01;
SET tenant_guard.tenant = '1';
INSERT INTO app.accounts VALUES (7, $((id + 50)), 'pinned away');
RESET tenant_guard.tenant;
SQL
    [ -n "$bt" ] && cat <<SQL
--step DML: INSERT of 9000 rows in one statement, a CDC tick ($p)
INSERT INTO app.bulk SELECT $bt, g, 'bulk' FROM pg_catalog.generate_series($bf, $((bf + 8999))) AS g;
SQL
    return 0
}

# Every management function, for role who may (or is refused).
management() {  # management TENANT MARK KEY-ID PURGE-TOKEN-VAR UNPROTECT-TABLE UNPROTECT-TOKEN-VAR
    local t=$1 m=$2 k=$3 tp=$4 ut=$5 tu=$6
    cat <<SQL
--step add_purge_key
SELECT tenant_guard.add_purge_key('$k', :'pub');
--step status, tenant_status
SELECT * FROM tenant_guard.status();
SELECT * FROM tenant_guard.tenant_status('$t');
--step mark
SELECT pg_catalog.clock_timestamp() AS t_before \gset
SELECT tenant_guard.mark('$m');
--step changes(NULL), current_cursor, changes(cursor)
SELECT pg_catalog.count(*) AS n_changes FROM tenant_guard.changes(NULL, 100000) \gset
\echo RESULT|changes|:n_changes
\set cursor_now none
SELECT tenant_guard.current_cursor() AS cursor_now \gset
SELECT * FROM tenant_guard.changes(:'cursor_now', 10);
SELECT * FROM tenant_guard.changes(NULL, 5, '$t');
--step delete a tenant (tombstones, cascade, flag mode)
DELETE FROM app.accounts WHERE tenant_id OPERATOR(pg_catalog.=) $t;
DELETE FROM app.notes WHERE tenant_id OPERATOR(pg_catalog.=) '$t';
DELETE FROM app.docs WHERE tenant_id OPERATOR(pg_catalog.=) $t;
DELETE FROM app.events WHERE tenant_id OPERATOR(pg_catalog.=) $t;
--step undelete dry_run
SELECT * FROM tenant_guard.undelete('$t', dry_run => true);
--step undelete
SELECT pg_catalog.sum(restored) AS n_restored FROM tenant_guard.undelete('$t') \gset
\echo RESULT|undelete|:n_restored
--step prepare: a script deletes the tenant's accounts (actor, application_name)
SET tenant_guard.actor = 'sec-script-$t';
SET application_name = 'sec-script.py';
DELETE FROM app.accounts WHERE tenant_id OPERATOR(pg_catalog.=) $t;
RESET tenant_guard.actor;
RESET application_name;
--step deletions, undelete_conflicts, undelete_where (dry_run and real)
SELECT * FROM tenant_guard.deletions(actor => 'sec-script-$t', application_name => 'sec-script.py');
SELECT 'ran' AS n_conflicts FROM (SELECT pg_catalog.count(*) FROM tenant_guard.undelete_conflicts(actor => 'sec-script-$t')) AS c \gset
\echo RESULT|undelete_conflicts|:n_conflicts
SELECT * FROM tenant_guard.undelete_where(actor => 'sec-script-$t', dry_run => true);
SELECT pg_catalog.sum(restored) AS n_where FROM tenant_guard.undelete_where(actor => 'sec-script-$t') \gset
\echo RESULT|undelete_where|:n_where
--step prepare: delete one account (its items cascade)
DELETE FROM app.accounts WHERE id OPERATOR(pg_catalog.=) ${t}01;
--step undelete_row with its cascade, tenant_checksum
SELECT * FROM tenant_guard.undelete_row('app.accounts', pg_catalog.jsonb_build_object('id', ${t}01), dry_run => true);
SELECT pg_catalog.sum(restored) AS n_row
  FROM tenant_guard.undelete_row('app.accounts', pg_catalog.jsonb_build_object('id', ${t}01)) \gset
\echo RESULT|undelete_row|:n_row
SELECT pg_catalog.length(tenant_guard.tenant_checksum('$t', 'app.accounts')) AS n_checksum \gset
\echo RESULT|tenant_checksum|:n_checksum
--step prepare: delete its items again, one key taken since
DELETE FROM app.items WHERE tenant_id OPERATOR(pg_catalog.=) $t;
INSERT INTO app.items VALUES ($t, ${t}011, ${t}01, 'taken again', 1);
--step undelete of some tables, deleted_after, on_conflict skip
SELECT * FROM tenant_guard.undelete('$t', rels => '{app.items}', deleted_after => :'t_before', on_conflict => 'skip');
--step prepare: changes after the mark
UPDATE app.accounts SET name = 'after the mark' WHERE tenant_id OPERATOR(pg_catalog.=) $t;
INSERT INTO app.accounts VALUES ($t, ${t}99, 'after the mark');
DELETE FROM app.items WHERE id OPERATOR(pg_catalog.=) ${t}021;
--step rewind to a mark (dry_run and real)
SELECT * FROM tenant_guard.rewind('$t', to_mark => '$m', dry_run => true);
SELECT pg_catalog.sum(reinserted OPERATOR(pg_catalog.+) reverted OPERATOR(pg_catalog.+) removed) AS n_rewound
  FROM tenant_guard.rewind('$t', to_mark => '$m') \gset
\echo RESULT|rewind|:n_rewound
--step prepare: a change after the time
UPDATE app.notes SET body = 'after the time' WHERE tenant_id OPERATOR(pg_catalog.=) '$t';
--step rewind to a time
SELECT * FROM tenant_guard.rewind('$t', to_time => :'t_before');
--step set_retention, prune
SELECT tenant_guard.set_retention('30 days', '30 days');
SELECT * FROM tenant_guard.prune();
--step purge dry_run
SELECT * FROM tenant_guard.purge(:'$tp', dry_run => true);
--step purge with a token
SELECT pg_catalog.sum(live_deleted OPERATOR(pg_catalog.+) tombstones_deleted) AS n_purged
  FROM tenant_guard.purge(:'$tp') \gset
\echo RESULT|purge|:n_purged
--step unprotect with a token
SELECT tenant_guard.unprotect('$ut', :'$tu');
SQL
}

# The known exploits, created before the generated shadows.
exploit_a='CREATE FUNCTION pg_temp.evil(v pg_catalog.text) RETURNS pg_catalog.bool LANGUAGE plpgsql AS $f$
BEGIN RETURN pg_temp.tg_pwn(pg_catalog.current_setting($q$tgtest.who$q$), $q$exploit (a) domain pg_temp.text, CHECK (pg_temp.evil(VALUE))$q$); END $f$;
CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (pg_temp.evil(VALUE));'
exploit_b='CREATE FUNCTION app.evil_eq(a pg_catalog.oid, b pg_catalog.regclass) RETURNS pg_catalog.bool LANGUAGE plpgsql AS $f$
BEGIN PERFORM app.tg_pwn($q$app_owner$q$, $q$exploit (b) operator app.=(oid,regclass)$q$);
      RETURN a OPERATOR(pg_catalog.=) b::pg_catalog.oid; END $f$;
CREATE OPERATOR app.= (LEFTARG = pg_catalog.oid, RIGHTARG = pg_catalog.regclass, FUNCTION = app.evil_eq);'
exploit_c='CREATE FUNCTION dml.pg_snapshot_xmax(s pg_catalog.pg_snapshot) RETURNS pg_catalog.xid8 LANGUAGE plpgsql AS $f$
BEGIN PERFORM dml.tg_pwn($q$app_dml$q$, $q$exploit (c) function dml.pg_snapshot_xmax(pg_snapshot)$q$);
      RETURN pg_catalog.pg_snapshot_xmax(s); END $f$;'

# app_owner: its tables, its own shadows in app and pg_temp, DDL, protect,
# its triggers on the protected tables; refused management calls.
ticks_0=$(ticks)
{
    echo "SET client_min_messages = warning;"
    echo "SELECT pg_catalog.set_config('tgtest.who', 'app_owner', false);"
    exploit "$exploit_b"
    exploit "$exploit_a"
    shadows app_owner app 'types,funcs,ops'
    shadows app_owner pg_temp 'types,funcs'
    cat <<'SQL'
-- Its own triggers on its protected tables: when rows are restored they must
-- run as app_owner, never as whoever restores.
CREATE FUNCTION app.owner_audit() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
BEGIN PERFORM app.tg_pwn('app_owner', 'owner trigger on app.' || TG_TABLE_NAME); RETURN NULL; END $f$;
CREATE TRIGGER zz_owner_audit AFTER INSERT OR UPDATE OR DELETE ON app.accounts FOR EACH ROW EXECUTE FUNCTION app.owner_audit();
CREATE TRIGGER zz_owner_audit AFTER INSERT OR UPDATE OR DELETE ON app.items FOR EACH ROW EXECUTE FUNCTION app.owner_audit();
CREATE TRIGGER zz_owner_audit AFTER INSERT OR UPDATE OR DELETE ON app.notes FOR EACH ROW EXECUTE FUNCTION app.owner_audit();
-- and a domain of its own, whose check runs on each value written.
CREATE FUNCTION app.owner_check(v pg_catalog.text) RETURNS pg_catalog.bool LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $f$
BEGIN RETURN app.tg_pwn('app_owner', 'owner domain check of app.items.tag'); END $f$;
CREATE DOMAIN app.owner_tag AS pg_catalog.text CHECK (app.owner_check(VALUE));
ALTER TABLE app.items ADD COLUMN tag app.owner_tag;
GRANT USAGE ON SCHEMA app TO PUBLIC;
ALTER ROLE app_owner SET search_path = app, pg_temp, pg_catalog, public;
SET search_path = app, pg_temp, pg_catalog, public;
--step control: its own shadows are live
SELECT 1::oid = 'pg_class'::regclass, 'x'::text, pg_snapshot_xmax(pg_current_snapshot());
SQL
    own_ddl 1 app
    protected_ddl ao1 11
    dml 1 6 6901
    cat <<'SQL'
--step protect a new table, tombstone and flag mode, with an unprotected cascade child (a warning)
CREATE TABLE app.ao_new (tenant_id pg_catalog.int4 NOT NULL, id pg_catalog.int4 PRIMARY KEY,
                         account_id pg_catalog.int4 REFERENCES app.accounts ON DELETE CASCADE);
CREATE TABLE app.ao_child (tenant_id pg_catalog.int4 NOT NULL, id pg_catalog.int4 PRIMARY KEY,
                           new_id pg_catalog.int4 REFERENCES app.ao_new ON DELETE CASCADE);
SELECT tenant_guard.protect('app.ao_new');
CREATE TABLE app.ao_flag (tenant_id pg_catalog.int4 NOT NULL, id pg_catalog.int4 PRIMARY KEY,
                          deleted_at pg_catalog.timestamptz);
SELECT tenant_guard.protect('app.ao_flag', delete_mode => 'flag', flag_column => 'deleted_at');
INSERT INTO app.ao_new VALUES (6, 1, 601), (6, 2, 602);
INSERT INTO app.ao_flag VALUES (6, 1, NULL);
DELETE FROM app.ao_flag WHERE id OPERATOR(pg_catalog.=) 1;
--step an owner trigger that changes the row again: capture_order renumbers as the extension owner under these shadows
CREATE FUNCTION app.ao_again() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
    IF pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.=) 1 THEN
        UPDATE app.ao_new SET account_id = 601 WHERE id OPERATOR(pg_catalog.=) NEW.id;
    END IF;
    RETURN NULL;
END $f$;
CREATE TRIGGER ao_again AFTER UPDATE ON app.ao_new FOR EACH ROW EXECUTE FUNCTION app.ao_again();
UPDATE app.ao_new SET account_id = 602 WHERE id OPERATOR(pg_catalog.=) 1;
DROP TRIGGER ao_again ON app.ao_new;
--step protect again with the same settings, and with others (refused)
SELECT tenant_guard.protect('app.ao_new');
SELECT tenant_guard.protect('app.ao_new', 'id');
--step grant its new tables to the application and the operator
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO app_dml, operator;
SQL
    management 6 m_ao k_ao tok_op_purge app.scratch tok_op_unprot | sed 's/^--step /--step (not granted) /'
    echo "SET search_path = pg_temp, app, pg_catalog, public;"
    own_ddl 2 app
    protected_ddl ao2 13
    echo 'SET search_path = "$user", public;'
    own_ddl 3 app
    protected_ddl ao3 14
} | run_session app_owner app_owner
# Read now: a purge later erases tenant 6's history.
ao_again=$(q -c "SELECT string_agg(new_row->>'account_id', '|' ORDER BY seq) FROM tenant_guard.change_log
                  WHERE rel = 'app.ao_new'::regclass AND op = 'U' AND pk->>'id' = '1'")
{   # a new session: the search_path persisted with ALTER ROLE, no pg_temp shadows
    own_ddl 4 app
    protected_ddl ao4 15
    dml 4 6 6904
} | run_session app_owner app_owner_persisted

# operator: every management function, with its own shadows in op and pg_temp.
{
    echo "SET client_min_messages = warning;"
    echo "SELECT pg_catalog.set_config('tgtest.who', 'operator', false);"
    # No types in pg_temp (nor exploit (a), a domain there): with temporary
    # tables or types the session runs no table owner's code for a role
    # without the owner's rights (55000, checked below), so the management
    # functions would not run at all.
    shadows operator op 'types,funcs,ops'
    shadows operator pg_temp 'funcs'
    cat <<'SQL'
GRANT USAGE ON SCHEMA op TO PUBLIC;
ALTER ROLE operator SET search_path = op, pg_temp, pg_catalog, public;
SET search_path = op, pg_temp, pg_catalog, public;
--step control: its own shadows are live
SELECT format('%s', 'x'::text), 1::oid = 'pg_class'::regclass;
SQL
    management 2 m_op k_op tok_op_purge app.scratch tok_op_unprot
    own_ddl 1 op
    dml 1 1 1911
    cat <<'SQL'
--step (not granted) protect
CREATE TABLE op.mine (tenant_id pg_catalog.int4 NOT NULL, id pg_catalog.int4 PRIMARY KEY);
SELECT tenant_guard.protect('op.mine');
--step tenant_guard trigger functions on its own table (forged history)
CREATE TABLE op.forge (tenant_id pg_catalog.int4 NOT NULL, id pg_catalog.int4 PRIMARY KEY,
                       name pg_catalog.text, deleted_at pg_catalog.timestamptz);
CREATE TRIGGER forge_ins AFTER INSERT ON op.forge REFERENCING NEW TABLE AS tg_new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.capture('1', 'tenant_id', 'tombstone');
CREATE TRIGGER forge_del AFTER DELETE ON op.forge REFERENCING OLD TABLE AS tg_old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.capture('1', 'tenant_id', 'tombstone');
CREATE TRIGGER forge_flag BEFORE DELETE ON op.forge FOR EACH ROW EXECUTE FUNCTION tenant_guard.flag_delete('deleted_at', 'timestamp with time zone');
CREATE TRIGGER forge_trunc BEFORE TRUNCATE ON op.forge FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.refuse_truncate();
INSERT INTO op.forge VALUES (1, 424242, 'forged', NULL);
DELETE FROM op.forge;
DROP TRIGGER forge_flag ON op.forge;
DELETE FROM op.forge;
SQL
    echo "SET search_path = pg_temp, op, pg_catalog, public;"
    own_ddl 2 op
    cat <<'SQL'
--step status, changes, mark (pg_temp first)
SELECT * FROM tenant_guard.status();
SELECT * FROM tenant_guard.changes(NULL, 5);
SELECT tenant_guard.mark('m_op_2');
SQL
    echo 'SET search_path = "$user", public;'
    own_ddl 3 op
} | run_session operator operator
{
    own_ddl 4 op
    cat <<'SQL'
--step prepare: delete its notes
DELETE FROM app.notes WHERE tenant_id OPERATOR(pg_catalog.=) '2';
--step undelete, rewind (persisted search_path)
SELECT * FROM tenant_guard.undelete('2');
SELECT * FROM tenant_guard.rewind('2', to_mark => 'm_op_2');
SQL
} | run_session operator operator_persisted
ticks_1=$(ticks)
# (now: the dba's prune at the end expires tombstones and their history)
forged=$(q -c "SELECT (SELECT count(*) FROM tenant_guard.change_log WHERE pk @> '{\"id\": 424242}') || '|' ||
                      (SELECT count(*) FROM tenant_guard.tombstones WHERE pk @> '{\"id\": 424242}')")

# app_dml: DML with its own shadows in dml and pg_temp.
{
    echo "SET client_min_messages = warning;"
    echo "SELECT pg_catalog.set_config('tgtest.who', 'app_dml', false);"
    exploit "$exploit_c"
    shadows app_dml dml 'types,funcs,ops'
    shadows app_dml pg_temp 'funcs'  # no types there: as for the operator
    cat <<'SQL'
GRANT USAGE ON SCHEMA dml TO PUBLIC;
ALTER ROLE app_dml SET search_path = dml, pg_temp, pg_catalog, public;
SET search_path = dml, pg_temp, pg_catalog, public;
--step control: its own shadows are live
SELECT pg_snapshot_xmax(pg_current_snapshot()), 'x'::text;
SQL
    dml 1 1 1901 9 1
    cat <<'SQL'
--step trash and undelete_trash of its pinned tenant
SET tenant_guard.tenant = '1';
DELETE FROM app.notes WHERE id OPERATOR(pg_catalog.=) 102;
SELECT pg_catalog.count(*) AS n_trash FROM tenant_guard.trash \gset
\echo RESULT|trash|:n_trash
SELECT * FROM tenant_guard.undelete_trash(ARRAY(SELECT t.tombstone_id FROM tenant_guard.trash t
    WHERE t.rel OPERATOR(pg_catalog.=) 'app.notes'::pg_catalog.regclass), 'skip', dry_run => true);
SELECT pg_catalog.sum(restored) AS n_trash_restored FROM tenant_guard.undelete_trash(ARRAY(SELECT t.tombstone_id
    FROM tenant_guard.trash t WHERE t.rel OPERATOR(pg_catalog.=) 'app.notes'::pg_catalog.regclass), 'skip') \gset
\echo RESULT|undelete_trash|:n_trash_restored
RESET tenant_guard.tenant;
SQL
    own_ddl 1 dml
    protected_ddl dml1 16 | sed 's/^--step /--step (not owner) /'
    management 1 m_dml k_dml tok_op_purge app.scratch tok_op_unprot | sed 's/^--step /--step (not granted) /'
    echo "SET search_path = pg_temp, dml, pg_catalog, public;"
    own_ddl 2 dml
    dml 2 1 1902 9 10001
    echo 'SET search_path = "$user", public;'
    own_ddl 3 dml
} | run_session app_dml app_dml
{
    own_ddl 4 dml
    dml 4 1 1904 9 20001
} | run_session app_dml app_dml_persisted
ticks_2=$(ticks)

# conn_only: CONNECT and TEMP only; its shadows are in pg_temp.
{
    echo "SET client_min_messages = warning;"
    echo "SELECT pg_catalog.set_config('tgtest.who', 'conn_only', false);"
    exploit "$exploit_a"
    shadows conn_only pg_temp 'types,funcs'
    cat <<'SQL'
ALTER ROLE conn_only SET search_path = pg_temp, pg_catalog, public;
SET search_path = pg_temp, pg_catalog, public;
--step control: its own shadows are live
SELECT 'x'::text;
SQL
    own_ddl 1
    protected_ddl co1 17 | sed 's/^--step /--step (no privilege) /'
    dml 1 1 1941 | sed 's/^--step /--step (no privilege) /'
    management 1 m_co k_co tok_op_purge app.scratch tok_op_unprot | sed 's/^--step /--step (no privilege) /'
    echo 'SET search_path = "$user", public;'
    own_ddl 2
    echo 'SET search_path = pg_catalog, public;'
    own_ddl 3
} | run_session conn_only conn_only
ticks_3=$(ticks)

# dba: a superuser with the application's schemas on his search_path, while
# the attackers' shadows in app and op exist.
{
    echo "SET client_min_messages = warning;"
    echo "SET search_path = app, op, public;"
    own_ddl 1 public
    protected_ddl dba1 12
    echo 'SELECT pg_catalog.count(*) AS ticks_before FROM tenant_guard.cdc_tick \gset'
    dml 1 8 8901 10 100001
    echo 'SELECT pg_catalog.count(*) AS ticks_after FROM tenant_guard.cdc_tick \gset'
    printf '%s\n' '\echo RESULT|ticks|:ticks_before|:ticks_after'
    cat <<'SQL'
--step protect a new table
CREATE TABLE app.dba_new (tenant_id pg_catalog.int4 NOT NULL, id pg_catalog.int4 PRIMARY KEY,
                          account_id pg_catalog.int4 REFERENCES app.accounts ON DELETE CASCADE);
SELECT tenant_guard.protect('app.dba_new');
INSERT INTO app.dba_new VALUES (5, 1, 501), (5, 2, 502);
SQL
    management 5 m_dba k_dba tok_dba_purge app.scratch2 tok_dba_unprot
    cat <<'SQL'
--step prune with a short retention (history and tombstones expire)
DELETE FROM app.notes WHERE tenant_id OPERATOR(pg_catalog.=) '7';
SELECT tenant_guard.set_retention('1 second', '1 second');
SELECT pg_catalog.pg_sleep(1.2);
SELECT * FROM tenant_guard.prune();
SELECT * FROM tenant_guard.prune();
SQL
} | run_session dba dba
ticks_4=$(ticks)

# ---------------------------------------------------------------------------
# 5. Checks.
# ---------------------------------------------------------------------------
# What the shadows recorded: rows committed in public.pwned, and the warnings
# (also of statements that failed and rolled their rows back).
cat "$work"/*.log | perl -ne '
    next unless /WARNING:\s+(?:01000:\s+)?TGPWN\|(.*)$/;   # (VERBOSITY verbose adds the SQLSTATE)
    my @f = $1 =~ /^([^|]*)\|(.*)\|([^|]*)\|([^|]*)\|([^|]*)$/ or next;   # a name may hold "|" (operator ||)
    s/\x27/\x27\x27/g for @f;
    printf "INSERT INTO public.pwned_log VALUES (%s);\n", join ", ", map { "\x27$_\x27" } @f;' | q
q <<'SQL'
CREATE VIEW public.recorded AS
SELECT DISTINCT attacker, name, cur, sess, step FROM (
    SELECT attacker, name, cur, sess, coalesce(step, '') AS step FROM public.pwned
    UNION ALL SELECT attacker, name, cur, sess, step FROM public.pwned_log) r;
-- A shadow that ran as another role, or in another role's session.
CREATE VIEW public.leaks AS
SELECT * FROM public.recorded
 WHERE name NOT LIKE 'owner %' AND (cur <> attacker OR sess <> attacker);
SQL
note "shadows made: $(cat "$work"/*.log | sed -n 's/.*TGSHADOWS|//p' | tr '\n' ';')"
note "shadow calls recorded: $(q -c "SELECT count(*) FROM public.recorded") (as the attacker itself:" \
     "$(q -c "SELECT count(*) FROM public.recorded WHERE cur = attacker AND sess = attacker"))"

leak_detail() {  # leak_detail SQL-CONDITION: one line per leaked name
    q -c "SELECT string_agg(format('%s''s %s ran as %s (session of %s) at \"%s\"', attacker, name, cur, sess, step),
                            E'\n' ORDER BY step, attacker, name)
            FROM public.leaks WHERE $1"
}
n=$(q -c "SELECT count(*) FROM public.pwned_log")
if [ "$n" -gt 0 ]; then pass "the shadows' warnings are read from the sessions' output ($n)"
else fail "the shadows' warnings are read from the sessions' output" "no TGPWN warning parsed"; fi
if [ "${SEC_NO_SHADOWS:-0}" != 1 ]; then
    for a in "${attackers[@]}"; do
        n=$(q -v who="$a" <<<"SELECT count(*) FROM public.recorded WHERE attacker = :'who' AND cur = :'who'
                                 AND step LIKE '%control%'")
        if [ "$n" -gt 0 ]; then pass "control: $a's shadows are found through its own search_path"
        else fail "control: $a's shadows are found through its own search_path" "no shadow of $a ran in its control step"; fi
    done
fi

# One check per entry point of each session.
while IFS= read -r step; do
    d=$(leak_detail "step = $(printf "'%s'" "${step//\'/\'\'}")")
    if [ -z "$d" ]; then pass "$step: no shadow ran as another role"
    else fail "$step: no shadow ran as another role" "$d"; fi
done < <(awk '!seen[$0]++' "$work/steps")
q -c "CREATE TABLE public.tg_steps (step text)" -c "COPY public.tg_steps FROM STDIN" <"$work/steps"
check "no shadow ran as another role outside the entry points above" "" \
    "$(leak_detail "step NOT IN (SELECT step FROM public.tg_steps)")"

# The three exploits of the security issue.
exploit_check() {  # exploit_check WHAT ATTACKER NAME-PATTERN
    local d
    d=$(leak_detail "attacker = '$2' AND name LIKE '$3'")
    if [ -z "$d" ]; then pass "$1"; else fail "$1" "$d"; fi
    if [ "${SEC_NO_SHADOWS:-0}" != 1 ]; then
        n=$(q -c "SELECT count(*) FROM public.recorded WHERE attacker = '$2' AND name LIKE '$3' AND cur = '$2'")
        if [ "$n" -gt 0 ]; then pass "control: exploit of \"$1\" is reachable by $2 itself"
        else fail "control: exploit of \"$1\" is reachable by $2 itself" "it never ran"; fi
    fi
}
exploit_check "exploit (a): conn_only's domain pg_temp.text never runs elevated (ALTER TABLE on its temp table)" \
    conn_only 'exploit (a)%'
exploit_check "exploit (b): app_owner's OPERATOR app.=(oid, regclass) never runs elevated" app_owner 'exploit (b)%'
exploit_check "exploit (c): app_dml's dml.pg_snapshot_xmax(pg_snapshot) never runs as the extension owner (INSERT >= 8192 rows)" \
    app_dml 'exploit (c)%'

# A table owner's code (its triggers, its domain's check) never runs with
# the privileges of whoever restores or purges.
for r in operator dba; do
    d=$(q -v r="$r" <<<"SELECT string_agg(DISTINCT format('%s ran as %s at \"%s\"', name, cur, step), E'\n')
                          FROM public.recorded
                         WHERE name LIKE 'owner %' AND cur <> 'app_owner' AND step LIKE :'r' || ': %'
                           AND (step LIKE '%undelete%' OR step LIKE '%rewind%' OR step LIKE '%purge%')")
    what="$r: undelete, rewind and purge run app_owner's triggers and domain checks as app_owner, not as $r"
    if [ -z "$d" ]; then pass "$what"; else fail "$what" "$d"; fi
done
if [ "${SEC_NO_SHADOWS:-0}" != 1 ]; then
    n=$(q -c "SELECT count(*) FROM public.recorded WHERE name LIKE 'owner domain check%'")
    if [ "$n" -gt 0 ]; then pass "control: app_owner's domain check runs"
    else fail "control: app_owner's domain check runs" "it never ran"; fi
fi

# tenant_guard's trigger functions on a table protect() did not set up write
# nothing into the extension's history (or tombstones).
check "operator: tenant_guard.capture() on its own table forges no history (change log rows|tombstones)" "0|0" "$forged"

# No attacker gained an attribute or a membership.
for a in "${attackers[@]}"; do
    after=$(role_state "$a")
    esc=$(cat "$work"/*.log | sed -n "s/.*WARNING: .*TGESC|$a|/escalated by: /p" | sort -u)
    if [ "$after" = "${roles_before[$a]}" ]; then pass "$a: no new role attribute or membership"
    else fail "$a: no new role attribute or membership" "before: ${roles_before[$a]}" "after:  $after" "$esc"; fi
done

# The guard rails held: the SQLSTATEs of the errors of one step.
step_errors() {  # step_errors SESSION LABEL
    awk -v want="STEP|$1: $2" '/^STEP\|/ { on = ($0 == want); next }
        on && match($0, /ERROR:  [0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]:/) { print substr($0, RSTART + 8, 5) }' \
        "$work/$1.log" | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }'
}
for r in app_dml app_owner operator dba; do
    p=1
    check "$r: multi-tenant DELETE and UPDATE fail with TG001, a tenant change and a pinned tenant with TG002" \
        "TG001 x2, TG002 x2" "$(step_errors "$r" "DML: multi-tenant DELETE and UPDATE (TG001), tenant change and pin (TG002) ($p)")"
done
for pair in app_owner:ao1 dba:dba1; do
    IFS=: read -r r p <<<"$pair"
    check "$r: DROP, TRUNCATE, DROP TRIGGER, DISABLE TRIGGER, DROP or RENAME of the tenant column, DETACH of a protected table are refused" \
        "0A000 x1, TG003 x8" \
        "$(step_errors "$r" "DDL on a protected table: DROP TABLE, TRUNCATE, DROP TRIGGER, DISABLE TRIGGER, DETACH (refused) ($p)")"
done

# The harness did what it says: entry points ran, state is sane.
result() { sed -n "s/^RESULT|$2|//p" "$work/$1.log" | head -1; }
for r in operator dba; do
    for w in undelete undelete_where undelete_row tenant_checksum rewind purge changes; do
        v=$(result "$r" "$w")
        if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ]; then pass "$r: $w ran to completion ($v rows)"
        else fail "$r: $w ran to completion" "got [$v]; see the session's output:" \
                 "$(grep -B2 -A3 "RESULT|$w|" "$work/$r.log" | grep -m3 'ERROR' || true)"; fi
    done
done
for r in operator dba; do
    check "$r: undelete_conflicts ran to completion" ran "$(result "$r" undelete_conflicts)"
done
for w in trash undelete_trash; do
    v=$(result app_dml "$w")
    if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ]; then pass "app_dml: $w ran to completion ($v rows)"
    else fail "app_dml: $w ran to completion" "got [$v]; see the session's output:" \
             "$(grep -B2 -A3 "RESULT|$w|" "$work/app_dml.log" | grep -m3 'ERROR' || true)"; fi
done
# A role without the owner's rights whose session holds a temporary type or
# table: tenant_guard runs no table owner's code for it (the owner's code
# could find them by an unqualified name and run their code as the owner).
temp_refused=$(psql -X -q -d sec -U operator -c "CREATE DOMAIN pg_temp.text AS pg_catalog.text" \
    -c "SELECT * FROM tenant_guard.undelete('2')" 2>&1 | grep -c "cannot run a table owner's code")
check "operator: undelete in a session with a temporary type is refused" 1 "$temp_refused"
check "app_owner: protect() of its new tables ran to completion" "app.ao_flag,app.ao_new" \
    "$(q -c "SELECT string_agg(rel::text, ',' ORDER BY rel::text) FROM tenant_guard.protected_tables WHERE rel::text LIKE 'app.ao\_%'")"
check "app_owner: the owner trigger's change is logged after its statement's (renumbered under the shadows)" \
    "602|601" "$ao_again"
check "operator and dba: unprotect with a token ran to completion" "0" \
    "$(q -c "SELECT count(*) FROM tenant_guard.protected_tables WHERE rel::text IN ('app.scratch', 'app.scratch2')")"
check "the application's tables are still protected" "accounts,bulk,docs,events,items,notes" \
    "$(q -c "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM tenant_guard.protected_tables p
               JOIN pg_class c ON c.oid = p.rel WHERE c.relname IN ('accounts','bulk','docs','events','items','notes')")"
check "notes restored under the shadows keep their json text and jsonb JSON null" "0" \
    "$(q -c "SELECT count(*) FROM app.notes WHERE meta IS DISTINCT FROM 'null'::jsonb
               OR raw::text IS DISTINCT FROM '{\"a\":  1, \"a\": 2}'")"
for pair in "app_dml:$ticks_1:$ticks_2" "dba:$(result dba ticks | tr '|' :)"; do
    IFS=: read -r r t0 t1 <<<"$pair"
    if [ "$t1" -gt "$t0" ]; then pass "$r: the 9000-row INSERT wrote a CDC tick"
    else fail "$r: the 9000-row INSERT wrote a CDC tick" "cdc_tick rows before $t0, after $t1"; fi
done
note "CDC ticks: setup $ticks_0, after app_owner and operator $ticks_1, app_dml $ticks_2, conn_only $ticks_3, dba $ticks_4"
note "elapsed $((SECONDS - started)) s (sessions: $(sed 's/, $//' "$work/timings")); session scripts and output in $work (removed on exit)"
[ -n "${SEC_KEEP:-}" ] && { rm -rf "$SEC_KEEP"; cp -r "$work" "$SEC_KEEP"; note "copied to $SEC_KEEP"; }
summary security
