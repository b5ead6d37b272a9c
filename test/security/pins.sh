#!/usr/bin/env bash
# shellcheck disable=SC2016  # SQL in single quotes
# shellcheck source-path=SCRIPTDIR
# Binding tenant pins: a role the DBA pinned with ALTER ROLE ... SET
# tenant_guard.tenant, after REVOKE SET ON PARAMETER tenant_guard.tenant FROM
# PUBLIC, reads only its tenant's trash and changes only its tenant's rows,
# however it tries to move the pin:
# 1. SET / set_config in a session that has not loaded the module (the
#    parameter is still a placeholder that any role may set), then the trash;
# 2. the pin given at connection (options -c, PGOPTIONS), which replaces the
#    role's pin for the session before the module is loaded: PostgreSQL
#    discards it when the module loads, and the session must then fail
#    closed (no trash, no changes to protected tables), not run unpinned;
# 3. the grant coming back: CREATE EXTENSION tenant_guard in another database
#    of the cluster, and pg_dumpall -g + pg_restore into a new cluster, keep
#    the DBA's REVOKE (parameter privileges are the cluster's).
# Controls: the pinned role's own trash and rows work; a role that still has
# the privilege sets the pin as before; a fresh cluster grants SET to PUBLIC.
# Runs on its own throwaway clusters. SEC_PG_BIN=DIR runs them from another
# PostgreSQL 15 bin directory (a private copy holding another build).
# Prints "ok - ..." / "not ok - ..." lines and "pins: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/common.sh"
source "$here/../lib/checks.sh"

TG_PG_BIN=${SEC_PG_BIN:-$TG_PG_BIN}
port=${PORT:-55497}
work_dir pins
[ "$(id -u)" -eq 0 ] && chown postgres: "$work"
tg_cluster_start "$port" >"$work/setup.log" 2>&1 || bail "the cluster starts"
export PATH="$TG_PG_BIN:$PATH"

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d pins "$@"; }  # as postgres
# as ROLE [psql args...]: a new session of ROLE (the module not loaded yet);
# prints what psql prints, errors and warnings included, one line each.
as() { local r=$1; shift; psql -X -q -At -d "dbname=pins user=$r" "$@" 2>&1 | sed 's/^psql:[^ ]* //'; }

q -d postgres -c 'CREATE DATABASE pins' >>"$work/setup.log" 2>&1 || bail "setup: database"
check "a fresh cluster grants SET on tenant_guard.tenant to PUBLIC (the pin is every role's)" "t" \
    "$(q -c 'CREATE EXTENSION tenant_guard' -c "SELECT has_parameter_privilege('public', 'tenant_guard.tenant', 'SET')")"
q >>"$work/setup.log" 2>&1 <<'SQL' || bail "setup: tables and roles"
CREATE ROLE acme_app LOGIN;
CREATE ROLE free_app LOGIN;
CREATE TABLE items (tenant_id text NOT NULL, id int PRIMARY KEY, secret text);
SELECT tenant_guard.protect('items');
GRANT SELECT, INSERT, UPDATE, DELETE ON items TO acme_app, free_app;
GRANT USAGE ON SCHEMA tenant_guard TO acme_app, free_app;
GRANT SELECT ON tenant_guard.trash TO acme_app, free_app;
GRANT EXECUTE ON FUNCTION tenant_guard.undelete_trash(bigint[], text, boolean) TO acme_app, free_app;
INSERT INTO items VALUES ('acme', 1, 'acme one'), ('acme', 2, 'acme two'),
                         ('globex', 11, 'globex secret'), ('globex', 12, 'globex live');
DELETE FROM items WHERE id = 1;
DELETE FROM items WHERE id = 11;
-- The pin made binding, as the README says.
REVOKE SET ON PARAMETER tenant_guard.tenant FROM PUBLIC;
ALTER ROLE acme_app SET tenant_guard.tenant = 'acme';
SQL

# Controls: the pinned role sees its own trash, and only its rows change.
check "control: the pinned role's trash holds its own tombstone" "acme:1" \
    "$(as acme_app -c "SELECT tenant || ':' || (row_data->>'id') FROM tenant_guard.trash")"
out=$(as acme_app -c "UPDATE items SET secret = 'x' WHERE id = 12")
case $out in *'outside tenant_guard.tenant = "acme"'*) pass "control: the pinned role cannot change another tenant's row (TG002)" ;;
    *) fail "control: the pinned role cannot change another tenant's row (TG002)" "$out" ;; esac
out=$(as acme_app -c "SELECT * FROM tenant_guard.undelete_trash(dry_run => true)" -c "SET tenant_guard.tenant = 'globex'")
case $out in *'permission denied to set parameter "tenant_guard.tenant"'*) pass "control: once the module is loaded, SET of the pin is refused" ;;
    *) fail "control: once the module is loaded, SET of the pin is refused" "$out" ;; esac

# 1. The pin moved while it is a placeholder.
for how in "SET tenant_guard.tenant = 'globex'" "SELECT set_config('tenant_guard.tenant', 'globex', false)" \
           "SET LOCAL tenant_guard.tenant = 'globex'"; do
    out=$(as acme_app -c "BEGIN" -c "$how" -c "SELECT 'row:' || tenant || ':' || (row_data->>'id') FROM tenant_guard.trash" -c "COMMIT")
    if grep -q 'row:globex' <<<"$out" || ! grep -q 'row:acme:1' <<<"$out"; then
        fail "before the module loads, \"$how\" does not move the trash to another tenant" "$out"
    else pass "before the module loads, \"$how\" does not move the trash to another tenant"; fi
done
out=$(as acme_app -c "SET tenant_guard.tenant = 'globex'" \
         -c "SELECT 'restored:' || coalesce(sum(restored), 0) FROM tenant_guard.undelete_trash(dry_run => true)")
check "before the module loads, SET of the pin does not move undelete_trash to another tenant" "restored:1" \
    "$(grep -o 'restored:[0-9]*' <<<"$out")"

# 2. The pin given at connection, replacing the role's for the session.
for value in globex ''; do
    opts="-c tenant_guard.tenant=$value"
    out=$(PGOPTIONS="$opts" as acme_app -c "SELECT 'rows:' || count(*) FROM tenant_guard.trash WHERE tenant <> 'acme'")
    check "connected with \"$opts\": no other tenant's trash" "rows:0" "$(grep -o 'rows:[0-9]*' <<<"$out")"
    out=$(PGOPTIONS="$opts" as acme_app -c "UPDATE items SET secret = 'changed' WHERE id = 12")
    if [ "$(q -c 'SELECT secret FROM items WHERE id = 12')" = "globex live" ] && grep -q 'ERROR' <<<"$out"; then
        pass "connected with \"$opts\": another tenant's row cannot be changed (the session is not left unpinned)"
    else
        fail "connected with \"$opts\": another tenant's row cannot be changed (the session is not left unpinned)" "$out"
        q -c "UPDATE items SET secret = 'globex live' WHERE id = 12"
    fi
    out=$(PGOPTIONS="$opts" as acme_app -c "SELECT * FROM tenant_guard.undelete_trash()")
    if grep -q 'ERROR' <<<"$out" && [ "$(q -c 'SELECT count(*) FROM items WHERE id = 11')" = 0 ]; then
        pass "connected with \"$opts\": undelete_trash restores nothing"
    else fail "connected with \"$opts\": undelete_trash restores nothing" "$out"; fi
done
q -c "GRANT SET ON PARAMETER tenant_guard.tenant TO free_app"
check "control: a role holding the privilege is pinned from its connection options" "acme:1" \
    "$(PGOPTIONS="-c tenant_guard.tenant=acme" as free_app -c "SELECT tenant || ':' || (row_data->>'id') FROM tenant_guard.trash")"
q -c "REVOKE SET ON PARAMETER tenant_guard.tenant FROM free_app"

# 3. The grant does not come back.
q -d postgres -c 'CREATE DATABASE other' >>"$work/setup.log" 2>&1
q -d other -c 'CREATE EXTENSION tenant_guard' >>"$work/setup.log" 2>&1
check "CREATE EXTENSION in another database keeps SET on the pin revoked from PUBLIC" "f" \
    "$(q -c "SELECT has_parameter_privilege('public', 'tenant_guard.tenant', 'SET')")"
out=$(as acme_app -c "SELECT * FROM tenant_guard.undelete_trash(dry_run => true)" -c "SET tenant_guard.tenant = 'globex'" \
         -c "SELECT 'row:' || tenant FROM tenant_guard.trash")
if grep -q 'row:globex' <<<"$out"; then fail "after CREATE EXTENSION elsewhere the pin is still binding" "$out"
else pass "after CREATE EXTENSION elsewhere the pin is still binding"; fi
q -d postgres -c 'DROP DATABASE other' >>"$work/setup.log" 2>&1

# A new cluster from pg_dumpall -g and pg_dump / pg_restore.
c2=$work/c2
mkdir -p "$c2" && { [ "$(id -u)" -ne 0 ] || chown postgres: "$c2"; }
tg_as_pg "$TG_PG_BIN/initdb" -D "$c2/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 \
    >"$work/c2_initdb.log" 2>&1 || bail "a second cluster initialises"
printf "listen_addresses = ''\nunix_socket_directories = '%s'\nport = %s\nfsync = off\n" "$c2" $((port + 1)) \
    >>"$c2/data/postgresql.conf"
work_clusters+=("c2/data")
tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$c2/data" -l "$work/c2.log" -w start >/dev/null || bail "the second cluster starts"
tg_as_pg "$TG_PG_BIN/pg_dumpall" -g >"$work/globals.sql" 2>>"$work/setup.log"
tg_as_pg "$TG_PG_BIN/pg_dump" -Fc -d pins -f "$work/pins.dump" 2>>"$work/setup.log"
psql -X -q -h "$c2" -p $((port + 1)) -d postgres -f "$work/globals.sql" >"$work/restore.log" 2>&1
psql -X -q -h "$c2" -p $((port + 1)) -d postgres -c 'CREATE DATABASE pins' >>"$work/restore.log" 2>&1
tg_as_pg "$TG_PG_BIN/pg_restore" -h "$c2" -p $((port + 1)) -d pins "$work/pins.dump" >>"$work/restore.log" 2>&1
check "restored into a new cluster (pg_dumpall -g, pg_restore): SET on the pin is still revoked from PUBLIC" "f" \
    "$(psql -X -At -h "$c2" -p $((port + 1)) -d pins -c "SELECT has_parameter_privilege('public', 'tenant_guard.tenant', 'SET')")"
check "restored into a new cluster: SET tenant_guard.actor is still every role's" "t" \
    "$(psql -X -At -h "$c2" -p $((port + 1)) -d pins -c "SELECT has_parameter_privilege('public', 'tenant_guard.actor', 'SET')")"
out=$(psql -X -At -h "$c2" -p $((port + 1)) -d "dbname=pins user=acme_app" \
          -c "SELECT * FROM tenant_guard.undelete_trash(dry_run => true)" -c "SET tenant_guard.tenant = 'globex'" \
          -c "SELECT 'row:' || tenant FROM tenant_guard.trash" 2>&1)
if grep -q 'row:globex' <<<"$out" || ! grep -q 'row:acme' <<<"$out"; then
    fail "restored into a new cluster: the pinned role sees only its tenant's trash" "$out"
else pass "restored into a new cluster: the pinned role sees only its tenant's trash"; fi

summary pins
