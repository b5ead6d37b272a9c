#!/usr/bin/env bash
# shellcheck disable=SC2016  # SQL in single quotes
# The files the command line reads are their writer's word, and a tenant is
# its exact text (the attacker's reports of 0.13.0):
#  * import refuses rows of another tenant than the archive's, which a
#    rewritten archive (manifest, sizes and checksums made to match) carried
#    into tenants that had rows already: import never merges;
#  * export takes only the tenant's own rows where the tenant column's "="
#    takes other tenants for equal (numeric 5.0 and 5.00, a nondeterministic
#    collation's acme and ACME), as tenant_checksum and purge do;
#  * what the command line prints has its control characters escaped, so an
#    archive's tenant cannot rewrite the lines an operator reads;
#  * recover takes only a journal of its own user's that nobody else may write
#    (a planted journal froze another window, or marked tenants done).
# Prints "cli_file_trust: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/common.sh"
source "$here/../lib/checks.sh"
cli=${1:-tenant-guard}
work_dir cli_file_trust
tg_cluster_start "${PORT:-55498}" >"$work/cluster.log" 2>&1 || { fail "the cluster starts"; summary cli_file_trust; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d trust "$@"; }

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE trust' >"$work/setup.log" 2>&1
q >>"$work/setup.log" 2>&1 <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE SCHEMA app;
CREATE TABLE app.accounts (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
SELECT tenant_guard.protect('app.accounts');
INSERT INTO app.accounts VALUES (1, 1, 'one'), (2, 2, 'two');
CREATE TABLE app.ledger (tenant_id numeric NOT NULL, id int PRIMARY KEY, note text);
SELECT tenant_guard.protect('app.ledger');
INSERT INTO app.ledger VALUES (5.0, 1, 'five point oh'), (5.00, 2, 'private to 5.00');
CREATE COLLATION app.case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE app.profiles (tenant_id text COLLATE app.case_blind NOT NULL, id int PRIMARY KEY, secret text);
SELECT tenant_guard.protect('app.profiles');
INSERT INTO app.profiles VALUES ('acme', 1, 'acme note'), ('ACME', 2, 'ACME payroll');
SQL
[ $? -eq 0 ] || fail "setup" "$(tail -5 "$work/setup.log")"
rows_of() { tar -xOf "$1" "$(tar -tf "$1" | grep "$2")" | tail -n +2 | sort | tr '\n' ' '; }

# Export: the tenant's own rows only.
"$cli" -d "dbname=trust" export --tenant 5.0 --out "$work/five.tar" >"$work/five.out" 2>&1
check "export of numeric tenant 5.0 succeeds" 0 "$?"
check "the export of tenant 5.0 holds its row, not tenant 5.00's" "5.0,1,five point oh " "$(rows_of "$work/five.tar" ledger)"
"$cli" -d "dbname=trust" export --tenant acme --out "$work/acme.tar" >"$work/acme.out" 2>&1
check "export of tenant acme under a case-blind collation succeeds" 0 "$?"
check "the export of tenant acme holds its row, not ACME's" "acme,1,acme note " "$(rows_of "$work/acme.tar" profiles)"

# Import: tenant 1's archive rewritten to say tenant 99, its rows tenant 2's.
"$cli" -d "dbname=trust" export --tenant 1 --out "$work/one.tar" >"$work/one.out" 2>&1
check "export of tenant 1 succeeds" 0 "$?"
part=$(tar -tf "$work/one.tar" | grep accounts)
printf 'tenant_id,id,name\n2,9001,planted in tenant 2\n' >"$work/planted.csv"
python3 "$here/lib/rewrite_archive.py" "$work/one.tar" "$work/planted.tar" 99 "$part=$work/planted.csv"
"$cli" export --verify "$work/planted.tar" >"$work/planted_verify.out" 2>&1
check "control: the rewritten archive's checksums match" 0 "$?"
"$cli" -d "dbname=trust" import "$work/planted.tar" >"$work/planted.out" 2>&1
check "import of rows of another tenant than the archive's is refused" 1 "$?"
check "the refusal says the rows are not of the archive's tenant" 1 \
    "$(grep -c "1 rows are not of the archive's tenant 99" "$work/planted.out")"
check "nothing was planted in tenant 2" 0 "$(q -c 'SELECT count(*) FROM app.accounts WHERE id = 9001')"
"$cli" -d "dbname=trust" import --as-tenant 98 "$work/planted.tar" >"$work/planted_as.out" 2>&1
check "with --as-tenant too" 1 "$?"
# The honest archive of tenant 1 goes in under a new tenant (tenant 1's row
# deleted first: the copy keeps its key).
q -c 'DELETE FROM app.accounts WHERE tenant_id = 1'
"$cli" -d "dbname=trust" import --as-tenant 7 "$work/one.tar" >"$work/one_as.out" 2>&1
check "control: tenant 1's own archive imports as tenant 7" 0 "$?"
check "tenant 7 has tenant 1's row" "7|1|one" "$(q -c "DELETE FROM app.accounts WHERE tenant_id = 7 RETURNING *")"

# Output: an archive's tenant with terminal controls is printed escaped.
python3 "$here/lib/rewrite_archive.py" "$work/one.tar" "$work/controls.tar" $'99\e[1A\e[2K\rall is well\u009b'
"$cli" export --verify "$work/controls.tar" >"$work/controls.out" 2>&1
check "export --verify reads the archive" 0 "$?"
check "no escape character reaches the terminal" 0 "$(grep -c $'\e' "$work/controls.out")"
check "no carriage return reaches the terminal" 0 "$(grep -c $'\r' "$work/controls.out")"
check "no C1 control reaches the terminal" 0 "$(grep -c $'\u009b' "$work/controls.out")"
check "the controls are shown escaped" 1 "$(grep -c 'tenant 99\\x1b\[1A\\x1b\[2K\\x0dall is well\\x9b' "$work/controls.out")"

# Recover: a journal that is a symbolic link, that others may write, or another user's.
q -c "SET tenant_guard.actor = 'trust-test'" -c "DELETE FROM app.profiles WHERE id = 1" >/dev/null
printf 'planted\n' >"$work/planted.journal"
ln -s "$work/planted.journal" "$work/link.journal"
recover() { "$cli" -d "dbname=trust" recover --actor trust-test --yes --journal "$1" >"$2" 2>&1; }
recover "$work/link.journal" "$work/link_rec.out"
check "recover refuses a journal that is a symbolic link" 1 "$?"
check "the refusal names the link" 1 "$(grep -c 'is a symbolic link: refused' "$work/link_rec.out")"
chmod 666 "$work/planted.journal"
recover "$work/planted.journal" "$work/open_rec.out"
check "recover refuses a journal that others may write" 1 "$?"
check "the refusal says so" 1 "$(grep -c 'may be written by other users' "$work/open_rec.out")"
chmod 644 "$work/planted.journal"
if chown nobody "$work/planted.journal" 2>/dev/null; then
    recover "$work/planted.journal" "$work/other_rec.out"
    check "recover refuses a journal of another user" 1 "$?"
    check "the refusal names the owner" 1 "$(grep -c 'belongs to another user' "$work/other_rec.out")"
fi
check "control: nothing was restored by the refused runs" 0 "$(q -c 'SELECT count(*) FROM app.profiles WHERE id = 1')"
recover "$work/own.journal" "$work/own_rec.out"
check "control: recover with a journal of its own restores the row" "0:1" \
    "$?:$(q -c 'SELECT count(*) FROM app.profiles WHERE id = 1')"
check "its journal is the user's alone (0600)" 600 "$(stat -c %a "$work/own.journal")"

summary cli_file_trust
