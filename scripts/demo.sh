#!/usr/bin/env bash
# tenant_guard in one minute: a mistaken maintenance script deletes 100 of 300
# tenants of a SaaS database (with ON DELETE CASCADE through four tables);
# tenant_guard brings every one of them back, byte for byte, in about a second.
#
#   scripts/demo.sh                 install missing packages, build and install
#                                   the extension, then run the demonstration
#   scripts/demo.sh --no-install    the extension is already installed
#
# Runs on a throwaway cluster (port 55480, or $TG_DEMO_PORT) that is removed at
# the end, also on failure. Exits non-zero if any check fails. The SQL is in
# scripts/demo/*.sql; step 7 and 8 use the tenant-guard command line.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$HERE/lib/common.sh"
SQL_DIR=$HERE/demo
PORT=${TG_DEMO_PORT:-55480}

usage() { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

install=1
for arg in "$@"; do
    case $arg in
        --no-install) install=0 ;;
        -h|--help)    usage; exit 0 ;;
        *)            echo "demo.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
    esac
done

if [ -t 1 ]; then BOLD=$'\033[1m' RED=$'\033[31m' GREEN=$'\033[32m' OFF=$'\033[0m'
else BOLD='' RED='' GREEN='' OFF=''; fi

trap tg_cluster_stop EXIT
trap 'exit 130' INT TERM

if [ "$install" -eq 1 ]; then
    tg_install_packages
    tg_build_install
fi
tg_log "starting a throwaway PostgreSQL cluster on port $PORT"
tg_cluster_start "$PORT"
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE saas' >/dev/null
export PGDATABASE=saas

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fmt_s()  { printf '%d.%02d s' $(( $1 / 1000 )) $(( $1 % 1000 / 10 )); }

TITLES=() TIMES=() STEP_VARS=()
# step "Title" file.sql... : runs the files in one psql session, then prints
# the heading with the elapsed time and the session's output, indented.
step() {
    local title=$1; shift
    local args=() f out rc=0 t0 ms
    for f in "$@"; do args+=(-f "$SQL_DIR/$f"); done
    t0=$(now_ms)
    out=$(psql -X -q -v ON_ERROR_STOP=1 -P footer=off "${STEP_VARS[@]}" "${args[@]}" 2>&1) || rc=$?
    ms=$(( $(now_ms) - t0 ))
    TITLES+=("$title") TIMES+=("$ms")
    printf '\n%s%d. %-56s%10s%s\n' "$BOLD" "${#TITLES[@]}" "$title" "$(fmt_s "$ms")" "$OFF"
    if [ -n "$out" ]; then printf '%s\n' "$out" | sed '/./s/^/   /'; fi
    if [ "$rc" -ne 0 ]; then
        printf '\n%sFAILED%s at step %d (%s)\n' "$RED" "$OFF" "${#TITLES[@]}" "$title" >&2
        exit 1
    fi
}

printf '\n%stenant_guard demo%s: 300 tenants in sites -> projects -> issues -> comments\n' "$BOLD" "$OFF"

step "Create schema and data, protect the four tables" 1_schema.sql 1_data.sql 1_protect.sql
step "Checksum every tenant's rows, per table (BEFORE)" 2_checksums.sql
step "The mistaken maintenance script deletes 100 tenants" 3_mistaken_delete.sql
step "Recovery: tenant_guard.undelete() for each tenant" 4_undelete.sql
step "Verification: checksums AFTER vs BEFORE" 5_verify.sql
step "A bad UPDATE on tenant 42, rewound to a mark" 6_rewind.sql

# Step 7 needs a key pair and a token made here, outside the database, as the
# key holder would: tenant-guard signs locally (it only asks the server for
# database_id()), so the private key never reaches the database.
TG_CLI=$(command -v tenant-guard || true)
[ -n "$TG_CLI" ] || { echo "demo.sh: tenant-guard is not installed (run without --no-install)" >&2; exit 1; }
KEYDIR=$(mktemp -d)
trap 'rm -rf "$KEYDIR"; tg_cluster_stop' EXIT
"$TG_CLI" keygen --out "$KEYDIR/demo" >/dev/null
TOKEN=$("$TG_CLI" token --key "$KEYDIR/demo.key" --kid demo-key-2026 --tenant 8 --live --max-rows 1000 \
        --expires 15m --reason 'GDPR Art. 17 request #4711')
# The same signature on claims naming another tenant: a forgery.
b64url() { basenc --base64url -w0 | tr -d '='; }
payload=${TOKEN#tg1.}
payload=${payload%%.*}
while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload+='='; done
TAMPERED="tg1.$(basenc --base64url -d <<<"$payload" | sed 's/"tenant":"8"/"tenant":"9"/' | b64url).${TOKEN##*.}"
STEP_VARS=(-v "pub=$(cat "$KEYDIR/demo.pub")" -v "token=$TOKEN" -v "tampered=$TAMPERED")
step "GDPR erasure of tenant 8 with a signed, single-use token" 7_purge.sql
STEP_VARS=()

# step_sh "Title" FUNCTION: like step, for a shell function.
step_sh() {
    local title=$1 out rc=0 t0 ms
    t0=$(now_ms)
    out=$("$2" 2>&1) || rc=$?
    ms=$(( $(now_ms) - t0 ))
    TITLES+=("$title") TIMES+=("$ms")
    printf '\n%s%d. %-56s%10s%s\n' "$BOLD" "${#TITLES[@]}" "$title" "$(fmt_s "$ms")" "$OFF"
    if [ -n "$out" ]; then printf '%s\n' "$out" | sed '/./s/^/   /'; fi
    if [ "$rc" -ne 0 ]; then
        printf '\n%sFAILED%s at step %d (%s)\n' "$RED" "$OFF" "${#TITLES[@]}" "$title" >&2
        exit 1
    fi
}

# Step 8: one tenant carried to another database by the command line: an
# archive of its rows from one snapshot, checked, imported in one transaction.
export_import() {
    local archive=tenant42.tar before after
    cd "$KEYDIR"  # (a subshell: step_sh runs this in $(…))
    "$TG_CLI" export --tenant 42 --out "$archive" | tail -1
    "$TG_CLI" export --verify "$archive" | tail -1
    psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE saas_copy'
    psql -X -q -v ON_ERROR_STOP=1 -d saas_copy -f "$SQL_DIR/1_schema.sql" -f "$SQL_DIR/1_protect.sql" >/dev/null
    echo "saas_copy: the same schema, protected, empty"
    "$TG_CLI" -d dbname=saas_copy import "$archive" | tail -1
    before=$(psql -X -q -P footer=off -f "$SQL_DIR/8_tenant_checksums.sql")
    after=$(psql -X -q -P footer=off -d saas_copy -f "$SQL_DIR/8_tenant_checksums.sql")
    echo "tenant 42 in saas_copy:"
    printf '%s\n' "$after"
    psql -X -q -P footer=off -d saas_copy -c "SELECT origin, count(*) AS changes FROM tenant_guard.change_log GROUP BY origin"
    [ "$before" = "$after" ] && echo "checksums: equal to the source, table by table"
}
step_sh "Per-tenant export -> import into a second database" export_import

total=0
printf '\n%sTimings%s\n' "$BOLD" "$OFF"
for i in "${!TITLES[@]}"; do
    printf '   %d. %-56s%10s\n' $((i + 1)) "${TITLES[$i]}" "$(fmt_s "${TIMES[$i]}")"
    total=$(( total + TIMES[i] ))
done
printf '      %-56s%10s\n' "total" "$(fmt_s "$total")"
printf '\n%sOK%s: 100 tenants deleted and restored, all 300 identical to before; tenant 42 rewound and copied to another database; tenant 8 erased for good.\n\n' "$GREEN" "$OFF"
