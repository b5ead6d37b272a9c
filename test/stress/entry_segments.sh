#!/usr/bin/env bash
# An entry of the change log never spans two segments, while prune() moves
# the change sequence into the next segment under a writer (the attacker's
# report of 0.14.0: the writer guessed the next seq as seq + 1 and put rows of
# the closed segment into an entry of the next one; once the closed segment
# was dropped, those rows outlived it and every explode of the table's
# history, which DDL and purge of rows run, failed). One writer runs
# 4,000-row UPDATEs of one tenant (one entry each) while prune() closes a
# segment every ~0.2 s for ROUNDS rounds (40); then the table's history is
# exploded by a RENAME COLUMN after the older segments are dropped. Before
# the fix it failed within ~30 rounds in each of two runs. Prints
# "entry_segments: N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
source "$(dirname "$0")/../lib/checks.sh"
work_dir entry_segments
tg_cluster_start "${PORT:-57150}" >/dev/null || exit 1
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
ROUNDS=${ROUNDS:-40}

q <<'SQL' >/dev/null
CREATE EXTENSION tenant_guard;
CREATE TABLE item (tenant_id int NOT NULL, id int PRIMARY KEY, n int);
SELECT tenant_guard.protect('item');
INSERT INTO item SELECT 7, i, 0 FROM generate_series(1, 4000) AS i;
SELECT tenant_guard.set_retention('1 second');
SQL
( for _ in $(seq 1 100000); do echo "UPDATE item SET n = n + 1;"; done | q >/dev/null 2>&1 ) &
writer=$!
spanning=0
for _ in $(seq 1 "$ROUNDS"); do
    q -c "SELECT pg_sleep(0.15 + random() * 0.05)" -c "SELECT * FROM tenant_guard.prune()" >/dev/null 2>>"$work/prune.err"
    spanning=$(q -c "SELECT count(*) FROM tenant_guard.change_log_data
                      WHERE entry_seqs IS NOT NULL AND entry_seqs[1] >> 44 <> seq >> 44")
    [ "$spanning" -eq 0 ] || break
done
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'" >/dev/null
wait "$writer" 2>/dev/null
segments=$(q -c "SELECT count(*) FROM tenant_guard.log_segment")
note "$segments segments closed by prune() under the writer"
check "every entry lies in one segment (entries spanning two)" 0 "$spanning"
check "prune() under the writer never failed" "" "$(grep -v '^$' "$work/prune.err" | head -3)"
q -c "SELECT pg_sleep(1.2)" -c "SELECT * FROM tenant_guard.prune()" >/dev/null
check "no change of a dropped segment is still listed" 0 \
    "$(q -c "SELECT count(*) FROM tenant_guard.change_log l WHERE l.seq >> 44 IN
               (SELECT segment FROM tenant_guard.log_segment WHERE dropped_at IS NOT NULL)")"
check "the table's history is exploded by a RENAME COLUMN afterwards" ok \
    "$(q -c "ALTER TABLE item RENAME COLUMN n TO m" 2>&1 && echo ok)"
summary entry_segments
