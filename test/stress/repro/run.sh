#!/usr/bin/env bash
# Reproducers of extension bugs found by test/stress/soak.sh (not part of
# scripts/test.sh: they show the current, wrong behaviour). Runs each spec with
# isolationtester on a throwaway cluster (port 57130) and prints its output.
#   bash test/stress/repro/run.sh [SPEC...]
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../../../scripts/lib/common.sh"
trap tg_cluster_stop EXIT
tg_cluster_start "${REPRO_PORT:-57130}" >/dev/null || exit 1
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=("$HERE"/*.spec)
for spec in "${specs[@]}"; do
    name=$(basename "$spec" .spec)
    echo "=== $name"
    psql -X -q -c "CREATE DATABASE $name" >/dev/null
    "$TG_PG_BIN/../lib/pgxs/src/test/isolation/isolationtester" "dbname=$name" <"$spec" 2>&1
done
