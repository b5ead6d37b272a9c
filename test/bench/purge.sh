#!/usr/bin/env bash
# Purge throughput: how fast tenant_guard.purge() erases one large tenant
# (live rows, tombstones and change-log rows), in rows per second. Prints a
# table; never passes or fails on time.
#   test/bench/purge.sh [--no-install]      env: TENANT_ROWS (200000), TENANTS (4), REPS (3)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
TENANT_ROWS=${TENANT_ROWS:-200000}
TENANTS=${TENANTS:-4}
REPS=${REPS:-3}
[ "${1:-}" = "--no-install" ] || { tg_install_packages; tg_build_install; }
trap tg_cluster_stop EXIT
tg_cluster_start "${PORT:-55491}"
KEYDIR=$(mktemp -d)
trap 'rm -rf "$KEYDIR"; tg_cluster_stop' EXIT
openssl genpkey -algorithm ed25519 -out "$KEYDIR/k" 2>/dev/null
openssl pkey -in "$KEYDIR/k" -pubout -out "$KEYDIR/k.pub"

echo "tenant_guard purge benchmark — $(date -u '+%F %T') UTC, $(nproc) cores, $(psql -X -At -c 'SHOW server_version')"
echo "per rep: one tenant of $TENANT_ROWS live rows + $((TENANT_ROWS / 2)) tombstones among $TENANTS tenants"
psql -X -q -v ON_ERROR_STOP=1 -v pub="$(cat "$KEYDIR/k.pub")" <<SQL
CREATE EXTENSION tenant_guard;
SELECT tenant_guard.add_purge_key('bench', :'pub') IS NULL AS ok \gset
CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id int NOT NULL, item text, qty int, price numeric(12,2),
                     placed timestamptz);
SELECT tenant_guard.protect('orders') IS NULL AS ok \gset
-- Each tenant: TENANT_ROWS * 1.5 rows inserted, a third of them deleted (tombstones).
INSERT INTO orders SELECT g, 1 + g % $TENANTS, 'item ' || g, g % 7, g * 0.25, now()
  FROM generate_series(1, $TENANT_ROWS * 3 / 2 * $TENANTS) g;
SQL
for t in $(seq 1 "$TENANTS"); do
    psql -X -q -c "DELETE FROM orders WHERE tenant_id = $t AND id % 3 = 0"
done
psql -X -q -c "VACUUM ANALYZE" -c "CHECKPOINT"
results=()
for rep in $(seq 1 "$REPS"); do
    [ "$rep" -le "$TENANTS" ] || break
    token=$(psql -X -At -v key="$(cat "$KEYDIR/k")" <<SQL
SELECT tenant_guard.sign_token(jsonb_build_object('kid', 'bench', 'act', 'purge', 'db', tenant_guard.database_id(),
    'tenant', '$rep', 'live', true, 'max_rows', 100000000, 'exp', extract(epoch FROM now())::bigint + 600,
    'jti', 'bench-$rep', 'reason', 'benchmark'), :'key');
SQL
)
    line=$(psql -X -At -F ' ' -v token="$token" <<'SQL'
SELECT clock_timestamp() AS t0 \gset
SELECT sum(live_deleted) AS live, sum(tombstones_deleted) AS tomb, sum(history_deleted) AS hist
  FROM tenant_guard.purge(:'token') \gset s_
SELECT :s_live, :s_tomb, :s_hist, round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SQL
)
    read -r live tomb hist ms <<<"$line"
    rows=$((live + tomb + hist))
    printf '  rep %d: %d live + %d tombstones + %d change-log rows in %d ms = %d rows/s\n' \
        "$rep" "$live" "$tomb" "$hist" "$ms" $((rows * 1000 / (ms > 0 ? ms : 1)))
    results+=("$((rows * 1000 / (ms > 0 ? ms : 1)))")
done
median=$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
echo "median purge throughput: $median rows/s (live rows, tombstones and change-log rows erased)"
