#!/usr/bin/env bash
# A rewind and a writer inserting a child row of the same tenant never
# deadlock (issue #14, item 5). The interleaving that used to end in 40P01:
#   holder:   BEGIN; UPDATE a child row the rewind reverts; ... COMMIT (t = 1.5 s)
#   rewinder: rewind (t = 0.2 s): locks the parent it reverts, waits for the holder
#   writer:   BEGIN; INSERT the child row the rewind re-inserts (t = 0.4 s): its
#             foreign-key check waits for the rewind's lock on the parent; COMMIT (t = 1.8 s)
# Waiting on, the rewind would wait for the writer's uncommitted row while the
# writer waits for the rewind's parent: a deadlock. The rewind now gives up each
# lock wait within milliseconds, rolls back and retries, so every session ends
# without error (undelete runs under the same retry). Prints
# "rewind_no_deadlock: N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
source "$(dirname "$0")/../lib/checks.sh"
work_dir deadlock
tg_cluster_start "${PORT:-57140}" >/dev/null || exit 1
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q <<'SQL' >/dev/null
CREATE EXTENSION tenant_guard;
CREATE TABLE acc (tenant_id int NOT NULL, id int PRIMARY KEY, bal int);
CREATE TABLE ord (tenant_id int NOT NULL, id int PRIMARY KEY, acc_id int REFERENCES acc, note text);
SELECT tenant_guard.protect('acc');
SELECT tenant_guard.protect('ord');
SQL

# scenario NAME RESTORE_SQL SETUP_SQL: the three sessions, then every session's outcome.
scenario() {
    local name=$1 restore=$2 setup=$3
    q <<SQL >/dev/null
SET tenant_guard.max_tenants_per_statement = 0;
DELETE FROM ord; DELETE FROM acc;
INSERT INTO acc VALUES (1, 1, 0);
INSERT INTO ord VALUES (1, 10, 1, 'ten'), (1, 11, 1, 'eleven');
$setup
SQL
    (q -c "BEGIN" -c "UPDATE ord SET note = note WHERE id = 11" -c "SELECT pg_sleep(1.5)" -c "COMMIT" \
        >"$work/$name.holder" 2>&1; echo "rc=$?" >>"$work/$name.holder") &
    sleep 0.2
    (q -c "$restore" >"$work/$name.restore" 2>&1; echo "rc=$?" >>"$work/$name.restore") &
    sleep 0.2
    (q -c "BEGIN" -c "INSERT INTO ord VALUES (1, 10, 1, 'written meanwhile')" -c "SELECT pg_sleep(1.4)" \
        -c "COMMIT" >"$work/$name.writer" 2>&1; echo "rc=$?" >>"$work/$name.writer") &
    wait
    local who
    for who in holder restore writer; do
        check "$name: the $who session ends without error (no 40P01)" "" \
            "$(grep -v '^rc=0$' "$work/$name.$who" | grep -iE 'error|deadlock|rc=' | head -3)"
    done
}

# rewind: reverts the parent (locks it), reverts child 11, re-inserts child 10.
scenario rewind "SELECT count(*) FROM tenant_guard.rewind('1', to_mark => 'm')" \
    "SELECT tenant_guard.mark('m');
     DELETE FROM ord WHERE id = 10;
     UPDATE acc SET bal = 5 WHERE id = 1;
     UPDATE ord SET note = 'changed' WHERE id = 11;"
check "rewind: afterwards the tenant is as at the mark" "10:ten,11:eleven" \
    "$(q -c "SELECT string_agg(id || ':' || note, ',' ORDER BY id) FROM ord")"
check "rewind: retried, it writes its changes once" "1" \
    "$(q -c "SELECT count(*) FROM tenant_guard.change_log WHERE rel = 'acc'::regclass AND origin = 'rewind'")"

summary rewind_no_deadlock
