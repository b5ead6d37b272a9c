#!/usr/bin/env bash
# shellcheck disable=SC2016  # SQL in single quotes
# The command line runs no table owner's code with its user's rights (an
# attacker's report of 2026-12-04): a DBA's `tenant-guard export` (and
# recover, through tenant_checksum) cast the tenant to the tenant column's
# type, so a domain's CHECK ran as the DBA; and it ran with the server's
# default search_path, so an "=" operator the database owner created in
# schema public was picked for a varchar tenant column. Each trap makes its
# owner superuser when it runs as one; a control shows that it does. Prints
# "cli_owner_code: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/common.sh"
source "$here/../lib/checks.sh"
cli=${1:-tenant-guard}
work_dir cli_owner_code
tg_cluster_start "${PORT:-55493}" >"$work/cluster.log" 2>&1 || { fail "the cluster starts"; summary cli_owner_code; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
is_super() { q -d postgres -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$1'"; }

q -d postgres >"$work/setup.log" 2>&1 <<'SQL'
CREATE ROLE trap_owner LOGIN;
CREATE DATABASE trap_domain;
CREATE ROLE public_owner LOGIN;
CREATE DATABASE trap_operator OWNER public_owner;
\c trap_domain
CREATE EXTENSION tenant_guard;
CREATE SCHEMA app AUTHORIZATION trap_owner;
SET ROLE trap_owner;
CREATE FUNCTION app.trap(v int) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE trap_owner SUPERUSER';
    END IF;
    RETURN true;
END $f$;
CREATE DOMAIN app.tenant_t AS int CHECK (app.trap(VALUE));
CREATE TABLE app.orders (tenant_id app.tenant_t NOT NULL, id int PRIMARY KEY, v text);
INSERT INTO app.orders VALUES (1, 1, 'a');
-- The domain inside an array and inside a composite (the attacker's report
-- of the 0.11.0 fix): a cast to tenant_t[] or tenant_row runs the CHECK too.
CREATE TYPE app.tenant_row AS (t app.tenant_t);
CREATE TABLE app.orders_arr (tenant_id app.tenant_t[] NOT NULL, id int PRIMARY KEY, v text);
CREATE TABLE app.orders_row (tenant_id app.tenant_row NOT NULL, id int PRIMARY KEY, v text);
INSERT INTO app.orders_arr VALUES ('{1}', 1, 'a');
INSERT INTO app.orders_row VALUES ('(1)', 1, 'a');
-- An enum tenant type and a cast from text to it, the owner's to create.
CREATE TYPE app.tenant_e AS ENUM ('t1', 't2');
CREATE FUNCTION app.to_tenant(v text) RETURNS app.tenant_e LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM app.trap(1);
    RETURN (SELECT e FROM unnest(enum_range(NULL::app.tenant_e)) AS e WHERE e::text = v);
END $f$;
CREATE CAST (text AS app.tenant_e) WITH FUNCTION app.to_tenant(text);
CREATE TABLE app.orders_enum (tenant_id app.tenant_e NOT NULL, id int PRIMARY KEY, v text);
INSERT INTO app.orders_enum VALUES ('t1', 1, 'a');
RESET ROLE;
SELECT tenant_guard.protect('app.orders');
SELECT tenant_guard.protect('app.orders_arr');
SELECT tenant_guard.protect('app.orders_row');
SELECT tenant_guard.protect('app.orders_enum');
\c trap_operator
CREATE EXTENSION tenant_guard;
SET ROLE public_owner;
CREATE TABLE public.orders (tenant varchar(10) NOT NULL, id int PRIMARY KEY, v text);
INSERT INTO public.orders VALUES ('1', 1, 'a');
CREATE FUNCTION public.vc_eq(a varchar, b varchar) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        -- the export's transaction is read-only: escalate from another session
        EXECUTE format('COPY (SELECT 1) TO PROGRAM %L',
                       format('psql -h %s -p %s -d postgres -c "ALTER ROLE public_owner SUPERUSER" >/dev/null 2>&1',
                              current_setting('unix_socket_directories'), current_setting('port')));
    END IF;
    RETURN a::text = b::text;
END $f$;
CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.vc_eq);
RESET ROLE;
SELECT tenant_guard.protect('public.orders', 'tenant');
SQL
[ $? -eq 0 ] || fail "setup" "$(tail -5 "$work/setup.log")"

# Controls: each trap escalates when a superuser reaches it.
q -d trap_domain -c "SELECT 1::app.tenant_t" >/dev/null
check "control: the domain's CHECK escalates when a superuser runs it" t "$(is_super trap_owner)"
q -d trap_operator -c "SELECT count(*) FROM public.orders WHERE tenant = '1'::varchar" >/dev/null
check "control: the public = escalates when a superuser's query picks it" t "$(is_super public_owner)"
q -d postgres -c "ALTER ROLE trap_owner NOSUPERUSER" -c "ALTER ROLE public_owner NOSUPERUSER"

"$cli" -d "dbname=trap_domain" export --tenant 1 --out "$work/domain.tgz" >"$work/domain.out" 2>&1
check "export of a domain-typed tenant column succeeds" 0 "$?"
check "export does not run the domain's CHECK as the DBA" f "$(is_super trap_owner)"
check "tenant_checksum does not run the domain's CHECK as the DBA" \
    "$(q -d trap_domain -c "SELECT md5('(1,1,a)')")" \
    "$(q -d trap_domain -c "SELECT tenant_guard.tenant_checksum('1', 'app.orders')")"
check "tenant_checksum left the owner as it was" f "$(is_super trap_owner)"

# The domain inside an array, inside a composite: compared as text.
for t in "arr {1} ({1},1,a)" 'row (1) ("(1)",1,a)'; do
    read -r kind tenant row <<<"$t"
    "$cli" -d "dbname=trap_domain" export --tenant "$tenant" --out "$work/domain_$kind.tgz" >"$work/domain_$kind.out" 2>&1
    check "export of a tenant column of a domain inside a$([ "$kind" = arr ] && echo "n array" || echo " composite") succeeds" 0 "$?"
    check "export does not run the CHECK of a domain inside it as the DBA ($kind)" f "$(is_super trap_owner)"
    check "tenant_checksum finds the tenant's row without a cast ($kind)" \
        "$(q -d trap_domain -c "SELECT md5('$row')")" \
        "$(q -d trap_domain -c "SELECT tenant_guard.tenant_checksum('$tenant', 'app.orders_$kind')")"
    check "tenant_checksum does not run the CHECK of a domain inside it as the DBA ($kind)" f "$(is_super trap_owner)"
done
# The enum: a cast of text to it would run the owner's cast function.
q -d trap_domain -c "SELECT 't1'::text::app.tenant_e" >/dev/null
check "control: the owner's cast from text escalates when a superuser runs it" t "$(is_super trap_owner)"
q -d postgres -c "ALTER ROLE trap_owner NOSUPERUSER"
check "tenant_checksum of an enum tenant finds its row" "$(q -d trap_domain -c "SELECT md5('(t1,1,a)')")" \
    "$(q -d trap_domain -c "SELECT tenant_guard.tenant_checksum('t1', 'app.orders_enum')")"
check "tenant_checksum does not run the owner's cast to the enum as the DBA" f "$(is_super trap_owner)"
"$cli" -d "dbname=trap_domain" export --tenant t1 --out "$work/domain_enum.tgz" >"$work/domain_enum.out" 2>&1
check "export of an enum tenant succeeds" 0 "$?"
check "export does not run the owner's cast to the enum as the DBA" f "$(is_super trap_owner)"
check "the export of the array-typed tenant holds its row" 1 \
    "$(tar -xOf "$work/domain_arr.tgz" --wildcards 'data/*orders_arr.csv' 2>/dev/null | tail -n +2 | grep -c .)"

"$cli" -d "dbname=trap_operator" export --tenant 1 --out "$work/operator.tgz" >"$work/operator.out" 2>&1
check "export of a varchar tenant column succeeds" 0 "$?"
check "export does not pick an operator from schema public" f "$(is_super public_owner)"

# Row-level security: an operator's export of a table whose policy applies
# to it ran the policy (the owner's code) with the operator's rights and left
# out the rows it hid, in an archive that looked complete (the attacker's
# report of 0.12.0). Refused instead, as pg_dump does.
q -d trap_domain >"$work/rls.log" 2>&1 <<'SQL'
CREATE ROLE trap_ops LOGIN;
GRANT USAGE ON SCHEMA tenant_guard, app TO trap_ops;
GRANT SELECT ON tenant_guard.protected_tables, tenant_guard.protected_key_columns,
    tenant_guard.protected_foreign_keys TO trap_ops;
GRANT EXECUTE ON FUNCTION tenant_guard.database_id() TO trap_ops;
SET ROLE trap_owner;
CREATE TABLE app.hidden (tenant_id int NOT NULL, id int PRIMARY KEY, v text);
INSERT INTO app.hidden VALUES (1, 1, 'a'), (1, 2, 'hidden from the operator');
-- (A notice, which the command line prints: the export's transaction is read-only.)
CREATE FUNCTION app.pol(id int) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    RAISE NOTICE 'policy ran as %', current_user;
    RETURN id <> 2;
END $f$;
ALTER TABLE app.hidden ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON app.hidden USING (app.pol(id));
GRANT SELECT ON app.hidden, app.orders, app.orders_arr, app.orders_row, app.orders_enum TO trap_ops;
RESET ROLE;
SELECT tenant_guard.protect('app.hidden');
SQL
[ $? -eq 0 ] || fail "rls setup" "$(tail -5 "$work/rls.log")"
"$cli" -d "dbname=trap_domain user=trap_ops" export --tenant 1 --out "$work/rls.tgz" >"$work/rls.out" 2>&1
check "an operator's export of a table whose policy applies to it fails" 1 "$?"
check "the failure says row-level security" 1 "$(grep -c 'row-level security' "$work/rls.out")"
check "the owner's policy did not run as the operator" 0 "$(grep -c 'policy ran as' "$work/rls.out")"
check "no archive was left" 1 "$([ -e "$work/rls.tgz" ] && echo 0 || echo 1)"

summary cli_owner_code
