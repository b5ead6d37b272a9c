#!/usr/bin/env bash
# Interop: a token made with nothing but the openssl command line and the
# shell (genpkey ed25519, pkeyutl -sign -rawin, base64url by basenc) is
# accepted by tenant_guard.purge(), proving the token format is exactly the
# specification's. Runs on its own throwaway cluster; the extension must be
# installed. Prints "interop: N passed, N failed"; exits non-zero on failure.
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
source "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"; tg_cluster_stop' EXIT
tg_cluster_start "${PORT:-55470}" || exit 1
psql() { command psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
b64url() { basenc --base64url -w0 | tr -d '='; }
token_for() {  # token_for JTI: a purge token for tenant 7, signed by openssl
    local now payload
    now=$(date +%s)
    payload=$(printf '{"kid":"ops-2026","act":"purge","db":"%s","tenant":"7","live":true,"max_rows":10,"exp":%d,"iat":%d,"jti":"%s","reason":"interop test"}' \
        "$db" $((now + 300)) "$now" "$1" | b64url)
    printf 'tg1.%s' "$payload" >"$work/msg"
    printf 'tg1.%s.%s' "$payload" "$(openssl pkeyutl -sign -rawin -inkey "$work/key.pem" -in "$work/msg" | b64url)"
}
try_purge() {  # try_purge TOKEN [DRY]: "ok <rows>" or the SQLSTATE
    psql -v token="$1" -v dry="${2:-false}" <<'SQL' 2>&1 | tail -1
CREATE OR REPLACE FUNCTION pg_temp.try(t text, d boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    SELECT sum(live_deleted + tombstones_deleted + history_deleted) INTO n FROM tenant_guard.purge(t, d);
    RETURN 'ok ' || n;
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE;
END $$;
SELECT pg_temp.try(:'token', :'dry');
SQL
}

psql -v pub="$(cat "$work/pub.pem")" <<'SQL' >/dev/null
CREATE EXTENSION tenant_guard;
CREATE TABLE notes (tenant_id int NOT NULL, id int PRIMARY KEY, body text);
SELECT tenant_guard.protect('notes');
INSERT INTO notes VALUES (7, 1, 'erase me'), (8, 2, 'keep me');
DELETE FROM notes WHERE id = 1;
INSERT INTO notes VALUES (7, 3, 'erase me too');
SELECT tenant_guard.add_purge_key('ops-2026', :'pub');
SQL
db=$(psql -c 'SELECT tenant_guard.database_id()')

token=$(token_for interop-1)
check "openssl-made token accepted (dry run)" "ok 5" "$(try_purge "$token" true)"
check "openssl-made token accepted" "ok 5" "$(try_purge "$token")"
check "tenant 7 erased everywhere" "0" \
    "$(psql -c "SELECT (SELECT count(*) FROM notes WHERE tenant_id = 7) + (SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '7') + (SELECT count(*) FROM tenant_guard.change_log WHERE tenant = '7')")"
check "tenant 8 untouched" "keep me" "$(psql -c 'SELECT body FROM notes WHERE tenant_id = 8')"
check "replayed token refused" "TG014" "$(try_purge "$token")"
forged="tg1.$(printf '{"kid":"ops-2026","act":"purge","db":"%s","tenant":"8","live":true,"max_rows":10,"exp":%d,"jti":"interop-2","reason":"forged"}' \
    "$db" $(( $(date +%s) + 300 )) | b64url).${token##*.}"
check "forged claims refused" "TG011" "$(try_purge "$forged")"

summary interop
