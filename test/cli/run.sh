#!/usr/bin/env bash
# Tests of the tenant-guard command line against its own throwaway cluster:
# keygen/token/purge round trip, export -> verify -> import (another database,
# and --as-tenant in the same one), damaged archives, import refusals, tail
# resuming across restarts while writers run, usage errors.
#
#   test/cli/run.sh [BUILD_DIR | BINARY]   default: tenant-guard on PATH
#
# The extension must be installed. Ends with one line "cli: N passed, N
# failed"; exits non-zero on any failure. PORT overrides the cluster port.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../../scripts/lib/common.sh"
source "$HERE/../interop/lib.sh"
source "$HERE/lib.sh"
TG_PG_BIN=${CLI_PG_BIN:-$TG_PG_BIN}  # another build's bindir (a private install tree)
cli_binary cli "${1:-}"

work=$(mktemp -d /tmp/tenant_guard_cli.XXXXXX)
writers=()
cleanup() {
    local pid
    for pid in "${writers[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
    tg_cluster_stop
}
trap cleanup EXIT
tg_cluster_start "${PORT:-55490}" || { echo "cli: 0 passed, 1 failed"; exit 1; }
export PGDATABASE=src

sql() { command psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
tg() { "$BIN" "$@"; }
# run NAME ARGS...: runs tenant-guard, keeps stdout/stderr in $work/NAME.{out,err}, prints the exit code.
run() {
    local name=$1
    shift
    "$BIN" "$@" >"$work/$name.out" 2>"$work/$name.err"
    echo $?
}
# Per-table fingerprints of one tenant: md5 of its rows in key order, the
# tenant column left out (so a tenant imported under another id compares).
fingerprint() {  # fingerprint DB TENANT
    sql -d "$1" -c "SELECT string_agg(f, ' ' ORDER BY f) FROM (
        SELECT 'accounts:' || count(*) || ':' || md5(string_agg((to_jsonb(t) - 'tenant_id')::text, '|' ORDER BY id)) AS f FROM accounts t WHERE tenant_id = $2
        UNION ALL
        SELECT 'orders:' || count(*) || ':' || md5(string_agg((to_jsonb(t) - 'tenant_id')::text, '|' ORDER BY id)) FROM orders t WHERE tenant_id = $2
        UNION ALL
        SELECT 'lines:' || count(*) || ':' || md5(string_agg((to_jsonb(t) - 'tenant_id')::text, '|' ORDER BY id)) FROM lines t WHERE tenant_id = $2) AS x"
}
rows_of() {  # rows_of DB TENANT: live rows of the tenant in the three tables
    sql -d "$1" -c "SELECT (SELECT count(*) FROM accounts WHERE tenant_id = $2) + (SELECT count(*) FROM orders WHERE tenant_id = $2) + (SELECT count(*) FROM lines WHERE tenant_id = $2)"
}
new_db() {  # new_db NAME [SQL]: a database with the test schema, protected, no rows
    sql -d postgres -c "CREATE DATABASE $1"
    sql -d "$1" -f "$HERE/schema.sql" >/dev/null
    [ -n "${2:-}" ] && sql -d "$1" -c "$2"
    return 0
}

new_db src
sql -f "$HERE/data.sql"

echo "-- usage and help"
check "no subcommand exits 2" 2 "$(run usage1)"
check "unknown subcommand exits 2" 2 "$(run usage2 frobnicate)"
check "token without its required options exits 2" 2 "$(run usage3 token --key x)"
check "bad duration exits 2" 2 "$(run usage4 token --key k --kid i --tenant 1 --max-rows 1 --expires 15 --reason r)"
contains "bad duration is explained" "$work/usage4.err" 'has no unit'
check "export without --out exits 2" 2 "$(run usage5 export --tenant 1)"
check "tail --batch 0 exits 2" 2 "$(run usage6 tail --batch 0)"
help_ok=0
for sub in keygen token purge export import tail status; do
    [ "$(run help_$sub "$sub" --help)" = 0 ] && grep -q "Usage: tenant-guard $sub" "$work/help_$sub.out" && help_ok=$((help_ok + 1))
done
check "--help on every subcommand" 7 "$help_ok"

echo "-- keygen, token, purge"
cd "$work"
check "keygen" 0 "$(run keygen keygen --out "$work/ops")"
check "private key mode 0600" 600 "$(stat -c %a "$work/ops.key")"
contains "private key is PKCS#8 PEM" "$work/ops.key" "-----BEGIN PRIVATE KEY-----"
contains "public key is SPKI PEM" "$work/ops.pub" "-----BEGIN PUBLIC KEY-----"
check "keygen refuses to overwrite" 1 "$(run keygen2 keygen --out "$work/ops")"
sql -v pub="$(cat "$work/ops.pub")" <<<"SELECT tenant_guard.add_purge_key('ops-1', :'pub');" >/dev/null
check "token (database id read from the server)" 0 \
    "$(run token token --key "$work/ops.key" --kid ops-1 --tenant 5 --live --max-rows 1000 --expires 15m --reason 'GDPR test')"
token=$(cat "$work/token.out")
payload=$(cut -d. -f2 <<<"$token" | tr -- '-_' '+/')
while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload+='='; done
claims=$(base64 -d <<<"$payload" 2>/dev/null)
check "token names this database" "$(sql -c 'SELECT tenant_guard.database_id()')" \
    "$(sql -c "SELECT '$claims'::jsonb->>'db'")"
check "token lifetime is 15 minutes" 900 "$(sql -c "SELECT ('$claims'::jsonb->>'exp')::int - ('$claims'::jsonb->>'iat')::int")"
before=$(rows_of src 5)
check "purge --dry-run" 0 "$(run dry purge "$token" --dry-run)"
contains "dry run prints per-table counts" "$work/dry.out" "live_deleted"
check "dry run deletes nothing" "$before" "$(rows_of src 5)"
check "purge" 0 "$(run purge purge "$token")"
check "tenant 5 erased" "0 0 0" "$(sql -c "SELECT (SELECT count(*) FROM accounts WHERE tenant_id = 5) || ' ' || (SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '5') || ' ' || (SELECT count(*) FROM tenant_guard.change_log WHERE tenant = '5')")"
check "purge counts add up" "$before" "$(awk -F'|' '$1 ~ /^ (public[.])?(accounts|orders|lines) / { n += $2 } END { print n }' "$work/purge.out")"
check "replayed token refused (exit 1)" 1 "$(run replay purge "$token")"
contains "replay shows SQLSTATE TG014" "$work/replay.err" "TG014"
run other_db token --key "$work/ops.key" --kid ops-1 --tenant 4 --max-rows 10 --expires 5m --reason r --db-id 1/elsewhere >/dev/null
check "token for another database refused (exit 1)" 1 "$(run wrong_db purge "$(cat "$work/other_db.out")" --dry-run)"
contains "with SQLSTATE TG015" "$work/wrong_db.err" "TG015"
check "status" 0 "$(run status status)"
contains "status lists the protected tables" "$work/status.out" "accounts"

echo "-- export, verify, import into another database"
check "export" 0 "$(run export export --tenant 3 --out "$work/t3.tar" --with-history --with-tombstones)"
check "quiet on stderr when not a terminal" "" "$(cat "$work/export.err")"
check "a standard tar lists the archive" "data/01_public.accounts.csv data/02_public.orders.csv data/03_public.lines.csv history.csv tombstones.csv manifest.json SHA256SUMS" \
    "$(tar -tf "$work/t3.tar" | tr '\n' ' ' | sed 's/ $//')"
check "export refuses to overwrite" 1 "$(run export2 export --tenant 3 --out "$work/t3.tar")"
check "verify" 0 "$(run verify export --verify "$work/t3.tar")"
new_db dst
check "import into an empty database" 0 "$(run import -d dbname=dst import "$work/t3.tar")"
check "per-table checksums equal" "$(fingerprint src 3)" "$(fingerprint dst 3)"
check "imported rows recorded with origin import" "$(rows_of src 3) import" \
    "$(sql -d dst -c "SELECT count(*) || ' ' || string_agg(DISTINCT origin, ',') FROM tenant_guard.change_log")"

echo "-- import refusals (nothing imported)"
check "tenant already has rows: refused" 1 "$(run dup -d dbname=dst import "$work/t3.tar")"
contains "the message says so" "$work/dup.err" "tenant 3 already has rows"
check "and nothing changed" "$(rows_of src 3)" "$(rows_of dst 3)"
# A target where lines exists but is not protected, and one where accounts lacks a column.
sql -d postgres -c "CREATE DATABASE dst_lacks"
# (protect() rightly warns that lines is left unprotected.)
sed -e "s/^SELECT tenant_guard.protect('lines').*$//" "$HERE/schema.sql" | sql -d dst_lacks >/dev/null 2>&1
check "target table not protected: refused" 1 "$(run lacks_table -d dbname=dst_lacks import "$work/t3.tar")"
contains "the message names the table" "$work/lacks_table.err" "public.lines: exists in the target but is not protected"
check "nothing imported there" 0 "$(rows_of dst_lacks 3)"
sql -d postgres -c "CREATE DATABASE dst_nocol"
sed -e 's/^    meta      jsonb,$//' "$HERE/schema.sql" | sql -d dst_nocol >/dev/null
check "target column missing: refused" 1 "$(run lacks_col -d dbname=dst_nocol import "$work/t3.tar")"
contains "the message names the column" "$work/lacks_col.err" "public.accounts: column meta (jsonb) is missing in the target"
check "nothing imported there either" 0 "$(rows_of dst_nocol 3)"

echo "-- import --as-tenant into the same database"
check "import --as-tenant 33" 0 "$(run as33 import "$work/t3.tar" --as-tenant 33)"
check "tenant 33 equals tenant 3, table by table" "$(fingerprint src 3)" "$(fingerprint src 33)"
check "--as-tenant onto a tenant with rows: refused" 1 "$(run as33again import "$work/t3.tar" --as-tenant 33)"

echo "-- damaged archives"
cp "$work/t3.tar" "$work/flipped.tar"
offset=$(grep -abo 'Account 3/7,' "$work/flipped.tar" | head -1 | cut -d: -f1)
printf 'X' | dd of="$work/flipped.tar" bs=1 seek="$offset" conv=notrunc 2>/dev/null
check "verify: flipped byte exits 1" 1 "$(run flip export --verify "$work/flipped.tar")"
contains "names the part and both digests" "$work/flip.out" "data/01_public.accounts.csv (table public.accounts): SHA-256 mismatch: expected"
# Cut inside the orders part: its first updated note.
head -c "$(grep -abo ',updated' "$work/t3.tar" | head -1 | cut -d: -f1)" "$work/t3.tar" >"$work/cut.tar"
check "verify: truncated archive exits 1" 1 "$(run cut export --verify "$work/cut.tar")"
contains "names the part cut short" "$work/cut.out" "truncated inside member data/02_public.orders.csv"
new_db dst_damaged
check "import of a damaged archive refused" 1 "$(run import_flip -d dbname=dst_damaged import "$work/flipped.tar")"
contains "naming the part" "$work/import_flip.err" "data/01_public.accounts.csv"
check "nothing imported from it" 0 "$(rows_of dst_damaged 3)"
check "import of a truncated archive refused" 1 "$(run import_cut -d dbname=dst_damaged import "$work/cut.tar")"

echo "-- tail: resume across restarts while writers run"
sql -c "CREATE TABLE writer_stop (stop boolean)"
writer() {  # writer TENANT: small transactions of inserts and updates until writer_stop has a row
    sql -c "DO \$\$
        DECLARE i int := 0;
        BEGIN
            WHILE NOT EXISTS (SELECT FROM writer_stop) LOOP
                i := i + 1;
                INSERT INTO accounts (tenant_id, name) VALUES ($1, 'w' || i), ($1, 'v' || i);
                UPDATE accounts SET balance = i WHERE tenant_id = $1 AND name = 'w' || i;
                COMMIT;
                PERFORM pg_sleep(0.002);
            END LOOP;
        END \$\$" >/dev/null
}
writer 1 & writers+=($!)
writer 2 & writers+=($!)
sleep 0.5
tail_ok=0
for signal in TERM INT TERM; do
    "$BIN" tail --cursor-file "$work/cursor" --follow --interval 0.05 --batch 7 >>"$work/changes.jsonl" 2>"$work/tail.err" &
    pid=$!
    sleep 1
    kill -"$signal" "$pid"
    wait "$pid" && tail_ok=$((tail_ok + 1))
done
check "tail stops cleanly on SIGTERM and SIGINT (exit 0)" 3 "$tail_ok"
# Stopped, not killed: a killed writer's last transaction could commit after the drain.
sql -c "INSERT INTO writer_stop VALUES (true)"
for pid in "${writers[@]}"; do wait "$pid"; done
writers=()
check "tail without --follow drains the rest" 0 "$(run tail_last tail --cursor-file "$work/cursor")"
cat "$work/tail_last.out" >>"$work/changes.jsonl"
grep -o '^{"seq":[0-9]*' "$work/changes.jsonl" | cut -d: -f2 | sort -n >"$work/seen"
sql -c "SELECT seq FROM tenant_guard.change_log ORDER BY seq" >"$work/logged"
echo "   $(wc -l <"$work/seen") changes written by 4 runs of tail, $(wc -l <"$work/logged") in the change log"
check "no change written twice" 0 "$(uniq -d "$work/seen" | wc -l)"
check "every change of the log, no gap" "$(wc -l <"$work/logged") $(md5sum <"$work/logged")" \
    "$(wc -l <"$work/seen") $(md5sum <"$work/seen")"
check "writers committed hundreds of transactions meanwhile" t "$(sql -c "SELECT count(*) > 400 FROM accounts WHERE tenant_id IN (1, 2) AND name ~ '^[wv]'")"
check "every line is a JSON object" "$(wc -l <"$work/changes.jsonl")" \
    "$(sql -c "CREATE TEMP TABLE l (line text); COPY l FROM STDIN WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02'); SELECT count(*) FROM l WHERE jsonb_typeof(line::jsonb) = 'object';" <"$work/changes.jsonl")"
contains "lines carry origin and actor" "$work/changes.jsonl" '"origin":"dml","actor":null,"cursor":'
check "tail --tenant shows only that tenant" "33" \
    "$(tg tail --tenant 33 | grep -o '"tenant":"[0-9]*"' | sort -u | cut -d'"' -f4)"

echo "-- tail: across a pruned segment whose first change was rolled back"
# No tick was taken in the new segment (the rolled-back change was to take
# it): the cursors of a start from the oldest retained change must still be
# accepted by the next run (they were refused with TG022 for ever).
new_db pruned
sql -d pruned -c "INSERT INTO accounts (tenant_id, name) VALUES (1, 'pruned')" \
    -c "SELECT tenant_guard.set_retention('1 second')" -c "SELECT pg_sleep(0.2)" -c "SELECT * FROM tenant_guard.prune()" \
    -c "SELECT pg_sleep(1.1)" -c "SELECT * FROM tenant_guard.prune()" >/dev/null
check "a segment with a change was dropped" "1" \
    "$(sql -d pruned -c "SELECT sum(history_removed) FROM tenant_guard.log_segment WHERE dropped_at IS NOT NULL")"
sql -d pruned -c "BEGIN" -c "INSERT INTO accounts (tenant_id, name) VALUES (1, 'rolled back')" -c "ROLLBACK" \
    -c "INSERT INTO accounts (tenant_id, name) VALUES (1, 'a'), (2, 'b')" \
    -c "SET tenant_guard.actor = 'cli-test'" -c "UPDATE accounts SET balance = 1 WHERE name = 'a'" >/dev/null
check "tail from the oldest retained change" 0 "$(run pruned1 -d dbname=pruned tail --cursor-file "$work/pruned.cursor" --batch 1)"
check "it printed the three retained changes" "3" "$(wc -l <"$work/pruned1.out")"
contains "with origin" "$work/pruned1.out" '"origin":"dml"'
contains "and actor" "$work/pruned1.out" '"actor":"cli-test"'
sql -d pruned -c "INSERT INTO accounts (tenant_id, name) VALUES (1, 'c')" >/dev/null
check "the next run continues from the saved cursor (exit 0)" 0 \
    "$(run pruned2 -d dbname=pruned tail --cursor-file "$work/pruned.cursor" --batch 1)"
check "with the one change since, nothing again" "1" "$(wc -l <"$work/pruned2.out")"
contains "that is the new row" "$work/pruned2.out" '"name": "c"'
check "and a third run finds nothing new (exit 0)" "0 0" \
    "$(run pruned3 -d dbname=pruned tail --cursor-file "$work/pruned.cursor") $(wc -l <"$work/pruned3.out")"

summary cli
