#!/usr/bin/env bash
# test/bench/recovery.sh — recovery at scale: undelete, bulk undelete, rewind, purge,
# changes(), independence from other tenants' data, and the conventional
# dump/restore/copy-back, on a database of BENCH_TENANTS tenants (projects -> issues
# -> comments, ~2,000 rows per tenant, with history). Prints one table: medians of
# interleaved repetitions, min–max, ratio to the baseline measured in the same run.
# A benchmark, not a test: it never fails on time. See README.md in this directory.
#
#   test/bench/recovery.sh [--no-install]       (or BENCH_NO_INSTALL=1)
#
# Environment: BENCH_TENANTS (1000), BENCH_REPS (3), BENCH_BULK_TENANTS (100),
# BENCH_PURGE_TENANTS (10), BENCH_REWIND_ROUNDS (10), BENCH_PROBE_ROUNDS (2),
# BENCH_CHANGES_MAX (20000; 0 = drain to the end), BENCH_CONVENTIONAL (1), BENCH_RESTORE_JOBS (2),
# PORT (55492), OUT (default a new /tmp/tg_bench_recovery.XXXXXX), TG_EXTRA_CONF.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_args 14 "$@"

N=${BENCH_TENANTS:-1000}
REPS=${BENCH_REPS:-3}
ROUNDS=${BENCH_REWIND_ROUNDS:-10}
PROBE_ROUNDS=${BENCH_PROBE_ROUNDS:-2}
CHANGES_MAX=${BENCH_CHANGES_MAX:-20000}
CONV=${BENCH_CONVENTIONAL:-1}
RESTORE_JOBS=${BENCH_RESTORE_JOBS:-2}
PORT=${PORT:-55492}
case $CONV in 0|1) ;; *) echo "recovery.sh: BENCH_CONVENTIONAL must be 0 or 1" >&2; exit 2 ;; esac
[[ $CHANGES_MAX =~ ^[0-9]+$ ]] || { echo "recovery.sh: BENCH_CHANGES_MAX must be a number (0: no limit)" >&2; exit 2; }
bench_positive N REPS ROUNDS PROBE_ROUNDS RESTORE_JOBS PORT
[ "$N" -ge 20 ] || { echo "recovery.sh: BENCH_TENANTS must be at least 20" >&2; exit 2; }
# Defaults that shrink with the scale: 100 and 10 tenants at 1,000 tenants.
BULK=${BENCH_BULK_TENANTS:-$(( N / 10 < 100 ? N / 10 : 100 ))}
PURGE=${BENCH_PURGE_TENANTS:-$(( N / 100 < 1 ? 1 : (N / 100 > 10 ? 10 : N / 100) ))}
bench_positive BULK PURGE
# Round numbers make the ids of the comments a round inserts (see recovery_changes.sql).
[ $((ROUNDS > REPS * PROBE_ROUNDS ? ROUNDS : REPS * PROBE_ROUNDS)) -le 130 ] ||
    { echo "recovery.sh: at most 130 rounds of changes per tenant" >&2; exit 2; }
# Tenants 1 .. N-1 are used up by the measurements (one set per repetition); tenant N is
# the probe of the independence test in the big database; the small database holds
# tenants 1 .. S and S is its probe. Tenants N+1 .. N+REPS get the captured copies of (a).
PER_REP=$((1 + BULK + 1 + PURGE + CONV))
[ $((REPS * PER_REP)) -le $((N - 1)) ] ||
    { echo "recovery.sh: BENCH_REPS x (bulk + purge + 3) tenants = $((REPS * PER_REP)) exceeds BENCH_TENANTS - 1" >&2; exit 2; }
S=$((N / 10))
PROBE_BIG=$N
PROBE_SMALL=$S
bench_output_dir
bench_install

KEYDIR=$(mktemp -d)
bench_cluster_start "$PORT" 'rm -rf "$KEYDIR"'

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { local db=$1; shift; "${PSQL[@]}" -d "$db" -A -t -c "$1"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
NOTES=$OUT/notes.txt
: >"$NOTES"
note() { printf '%s\n' "$*" >>"$NOTES"; }


# sess NAME DB: runs the SQL on stdin in one psql session (saved as $OUT/NAME.sql,
# output in $OUT/NAME.log) and prints the fields of its last "RESULT" line; prints
# nothing and records a warning when the session failed.
sess() {
    local name=$1 db=$2
    cat >"$OUT/$name.sql"
    if ! "${PSQL[@]}" -d "$db" -f "$OUT/$name.sql" >"$OUT/$name.log" 2>&1; then
        warn "$name FAILED: $(grep -m1 'ERROR' "$OUT/$name.log" || tail -n 1 "$OUT/$name.log")"
        return 0
    fi
    sed -n 's/^RESULT //p' "$OUT/$name.log" | tail -n 1
}
# Timer lines: psql \gset of clock_timestamp() around the timed statements (one
# session; includes one Unix-socket round trip per statement, ~0.1 ms).
T0="SELECT clock_timestamp() AS t0 \\gset"
T1="SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000, 1) AS ms \\gset"

RESULTS=$OUT/results.tsv
: >"$RESULTS"
# record MEASURE VARIANT REP MS UNITS (MS empty: not counted)
record() {
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-\\N}" "${5:-\\N}" >>"$RESULTS"
    printf '  rep %s/%s  %-3s %-9s %12s  %s\n' "$3" "$REPS" "$1" "$2" "${4:+$4 ms}" "${5:+$5 units}" >&2
}

# ---------------------------------------------------------------------------
# Databases: bench (protected, N tenants: the "10x" side of the independence test
# and where everything else runs), bench_small (protected, N/10 tenants: the "1x"
# side), bench_plain (the same schema and rows, unprotected: the baseline twin).
# ---------------------------------------------------------------------------
load_db() {  # load_db DB PROTECT(0|1) TENANTS
    local db=$1 protect=$2 tenants=$3 lo hi t0
    t0=$(now_ms)
    "${PSQL[@]}" -c "CREATE DATABASE $db" >/dev/null
    {
        [ "$protect" = 1 ] && echo 'CREATE EXTENSION tenant_guard;'
        echo "\\i '$SQL/recovery_schema.sql'"
        # Children first: at no moment does a protected table cascade into an unprotected one.
        [ "$protect" = 1 ] && echo "SELECT tenant_guard.protect('comments'), tenant_guard.protect('issues'),
                                          tenant_guard.protect('projects');"
        true
    } | "${PSQL[@]}" -d "$db" >/dev/null
    # 100 tenants (~200,000 rows) per statement.
    for ((lo = 1; lo <= tenants; lo += 100)); do
        hi=$((lo + 99 < tenants ? lo + 99 : tenants))
        "${PSQL[@]}" -d "$db" -v lo="$lo" -v hi="$hi" -c 'SET tenant_guard.max_tenants_per_statement = 0' \
            -f "$SQL/recovery_load.sql" >/dev/null
    done
    "${PSQL[@]}" -d "$db" -c 'VACUUM ANALYZE' >/dev/null
    tg_log "$db: $tenants tenants loaded in $(( ($(now_ms) - t0) / 1000 )) s"
}

header() {
    local cpu ext
    cpu=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')
    echo "tenant_guard recovery benchmark — $(date -u '+%F %T UTC')"
    echo "machine:  $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/^MemTotal/ {printf "%.0f GB RAM", $2/1048576}' /proc/meminfo)"
    echo "server:   $(q postgres 'SELECT version()')"
    echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) at start (other work on the machine adds noise)"
    echo "settings: $(q postgres "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
                          FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit',
                          'full_page_writes', 'autovacuum', 'max_wal_size', 'work_mem', 'jit')")"
    ext=$(q bench "SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'tenant_guard'")
    [ -f "$TG_SO" ] && ext="$ext, $TG_SO $(date -r "$TG_SO" '+%F %T') sha256 $SO_ID…"
    echo "tenant_guard: $ext"
    echo "scale:    $N tenants x 1968 live rows (20 projects, 380 issues, 1568 comments; 2000 inserted,"
    echo "          95 issues closed, 160 comments edited, 32 deleted), REPS=$REPS interleaved;"
    echo "          bulk $BULK tenants, purge $PURGE tenants, rewind $ROUNDS rounds (~2,030 changes each),"
    echo "          probe $PROBE_ROUNDS rounds, changes() reads: first $([ "$CHANGES_MAX" = 0 ] && echo "all (to the end)" || echo "$CHANGES_MAX") changes"
    echo "timing:   clock_timestamp() in the session around the timed statements (commit included),"
    echo "          shell clock for pg_dump / pg_restore / the copy pipelines"
}

sizes() {  # sizes DB: "rows, change-log rows, size"
    q "$1" "SELECT (SELECT count(*) FROM projects) + (SELECT count(*) FROM issues) + (SELECT count(*) FROM comments)
                   || ' live rows, '
                   || coalesce((SELECT count(*) FROM tenant_guard.change_log)::text, '-') || ' change-log rows, '
                   || coalesce((SELECT count(*) FROM tenant_guard.tombstones)::text, '-') || ' tombstones, '
                   || pg_size_pretty(pg_database_size(current_database()))" 2>/dev/null ||
    q "$1" "SELECT (SELECT count(*) FROM projects) + (SELECT count(*) FROM issues) + (SELECT count(*) FROM comments)
                   || ' live rows, ' || pg_size_pretty(pg_database_size(current_database()))"
}

load_db bench 1 "$N"
load_db bench_small 1 "$S"
load_db bench_plain 0 "$N"
"${PSQL[@]}" -c CHECKPOINT >/dev/null

openssl genpkey -algorithm ed25519 -out "$KEYDIR/bench.key" 2>/dev/null
openssl pkey -in "$KEYDIR/bench.key" -pubout -out "$KEYDIR/bench.pub"
"${PSQL[@]}" -d bench -v pub="$(cat "$KEYDIR/bench.pub")" \
    <<<"SELECT tenant_guard.add_purge_key('bench', :'pub')" >/dev/null
DB_ID=$(q bench 'SELECT tenant_guard.database_id()')
b64url() { basenc --base64url -w0 | tr -d '='; }
sign_claims() {  # sign_claims JSON -> token, signed outside the database (openssl)
    local payload sig
    payload=$(printf '%s' "$1" | b64url)
    printf 'tg1.%s' "$payload" >"$KEYDIR/msg"
    sig=$(openssl pkeyutl -sign -rawin -inkey "$KEYDIR/bench.key" -in "$KEYDIR/msg" | b64url)
    printf 'tg1.%s.%s' "$payload" "$sig"
}

header | tee "$OUT/report.txt"
{
    echo "bench       (protected, $N tenants):   $(sizes bench)"
    echo "bench_small (protected, $S tenants):   $(sizes bench_small)"
    echo "bench_plain (unprotected twin):        $(sizes bench_plain)"
} | sed 's/^/after load: /' | tee -a "$OUT/report.txt"

# ---------------------------------------------------------------------------
# The measurements. Each is one psql session; the setup before the timer (copies,
# deletions, marks, the changes to rewind) is not timed.
# ---------------------------------------------------------------------------

# (a) / (f): one tenant deleted (cascade from projects) and brought back.
undelete_one() {  # undelete_one NAME DB TENANT -> "ms rows same"
    check_so "$1"
    sess "$1" "$2" <<SQL
SELECT bench_tenant_md5($3) AS before, bench_tenant_rows($3) AS n_before \gset
SELECT clock_timestamp() AS tdel \gset
DELETE FROM projects WHERE tenant_id = $3;
CHECKPOINT;
$T0
SELECT sum(restored) AS n FROM tenant_guard.undelete('$3', deleted_after => :'tdel') \gset
$T1
SELECT bench_tenant_md5($3) = :'before' AND :n = :n_before AS same \gset
\echo RESULT :ms :n :same
SQL
}
# (a) / (b) baseline: the same rows INSERT ... SELECTed back from a saved copy into the
# unprotected twin, parents first, one transaction.
plain_reinsert() {  # plain_reinsert NAME LO HI -> "ms rows"
    sess "$1" bench_plain <<SQL
CREATE TEMP TABLE saved_projects AS SELECT * FROM projects WHERE tenant_id BETWEEN $2 AND $3;
CREATE TEMP TABLE saved_issues AS SELECT * FROM issues WHERE tenant_id BETWEEN $2 AND $3;
CREATE TEMP TABLE saved_comments AS SELECT * FROM comments WHERE tenant_id BETWEEN $2 AND $3;
DELETE FROM projects WHERE tenant_id BETWEEN $2 AND $3;
CHECKPOINT;
$T0
BEGIN;
INSERT INTO projects SELECT * FROM saved_projects;
INSERT INTO issues SELECT * FROM saved_issues;
INSERT INTO comments SELECT * FROM saved_comments;
COMMIT;
$T1
SELECT sum(bench_tenant_rows(t)) AS n FROM generate_series($2, $3) AS t \gset
\echo RESULT :ms :n
SQL
}
# (a) the cost of capture alone: the same rows INSERT ... SELECTed into the protected
# tables, under a tenant id no other measurement uses.
captured_reinsert() {  # captured_reinsert NAME TENANT NEW_TENANT -> "ms rows"
    check_so "$1"
    sess "$1" bench <<SQL
CREATE TEMP TABLE saved_projects AS SELECT * FROM projects WHERE tenant_id = $2;
CREATE TEMP TABLE saved_issues AS SELECT * FROM issues WHERE tenant_id = $2;
CREATE TEMP TABLE saved_comments AS SELECT * FROM comments WHERE tenant_id = $2;
UPDATE saved_projects SET tenant_id = $3;
UPDATE saved_issues SET tenant_id = $3;
UPDATE saved_comments SET tenant_id = $3;
CHECKPOINT;
$T0
BEGIN;
INSERT INTO projects SELECT * FROM saved_projects;
INSERT INTO issues SELECT * FROM saved_issues;
INSERT INTO comments SELECT * FROM saved_comments;
COMMIT;
$T1
SELECT bench_tenant_rows($3) AS n \gset
\echo RESULT :ms :n
SQL
}
# (c) / (f): a mark, ROUNDS rounds of changes to the tenant, then rewind to the mark.
rewind_one() {  # rewind_one NAME DB TENANT MARK FIRST_ROUND ROUNDS -> "ms changes same"
    local r
    check_so "$1"
    {
        echo "SELECT bench_tenant_md5($3) AS before \\gset"
        echo "SELECT coalesce(max(seq), 0) AS s0 FROM tenant_guard.change_log WHERE tenant = '$3' \\gset"
        echo "SELECT tenant_guard.mark('$4');"
        echo "\\set t $3"
        for ((r = $5; r < $5 + $6; r++)); do echo "\\set round $r"; echo "\\i '$SQL/recovery_changes.sql'"; done
        echo "SELECT count(*) AS changes FROM tenant_guard.change_log WHERE tenant = '$3' AND seq > :s0 \\gset"
        echo "CHECKPOINT;"
        echo "$T0"
        echo "SELECT sum(reinserted + reverted + removed) AS touched FROM tenant_guard.rewind('$3', to_mark => '$4') \\gset"
        echo "$T1"
        echo "SELECT bench_tenant_md5($3) = :'before' AS same \\gset"
        echo "\\echo RESULT :ms :changes :same"
    } | sess "$1" "$2"
}
# (c) baseline: the same rounds of DML, forward, on the unprotected twin.
plain_changes() {  # plain_changes NAME TENANT ROUNDS -> "ms"
    local r
    {
        echo "\\set t $2"
        echo "CHECKPOINT;"
        echo "$T0"
        for ((r = 1; r <= $3; r++)); do echo "\\set round $r"; echo "\\i '$SQL/recovery_changes.sql'"; done
        echo "$T1"
        echo "\\echo RESULT :ms"
    } | sess "$1" bench_plain
}
# (e): drain changes() with max_rows 10000 from a cursor (empty: from the oldest) until
# a short batch or at least MAX changes (0: no limit). Server-side loop; every row's
# images are converted to text, as sending them to a client would.
drain() {  # drain NAME CURSOR MAX -> "ms changes calls max_call_ms"
    check_so "$1"
    sess "$1" bench <<SQL
SELECT set_config('bench.cursor', '$2', false), set_config('bench.max', '$3', false) \gset
CHECKPOINT;
$T0
DO \$\$
DECLARE
    cur text := nullif(current_setting('bench.cursor'), '');
    maxn bigint := current_setting('bench.max')::bigint;
    n bigint := 0; got bigint; last text; bytes bigint; calls int := 0;
    t timestamptz; call_ms float8; max_ms float8 := 0;
BEGIN
    LOOP
        t := clock_timestamp();
        -- The last row's cursor: by ordinality, the column's own name (an alias list
        -- of changes()'s columns named the 11th, origin, "o" until 0.10.0, and the
        -- loop went on from an arbitrary row's cursor).
        SELECT count(*), (array_agg(c.cursor ORDER BY c.ordinality DESC))[1],
               sum(octet_length(c.pk::text) + coalesce(octet_length(c.old_row::text), 0)
                   + coalesce(octet_length(c.new_row::text), 0))
          INTO got, last, bytes
          FROM tenant_guard.changes(cur, 10000) WITH ORDINALITY AS c;
        call_ms := extract(epoch FROM clock_timestamp() - t) * 1000;
        max_ms := greatest(max_ms, call_ms);
        calls := calls + 1;
        n := n + got;
        cur := coalesce(last, cur);
        EXIT WHEN got < 10000 OR (maxn > 0 AND n >= maxn);
    END LOOP;
    PERFORM set_config('bench.n', n::text, false), set_config('bench.calls', calls::text, false),
            set_config('bench.max_ms', round(max_ms)::text, false);
END
\$\$;
$T1
SELECT current_setting('bench.n') AS n, current_setting('bench.calls') AS calls,
       current_setting('bench.max_ms') AS max_ms \gset
\echo RESULT :ms :n :calls :max_ms
SQL
}
# (e) baseline: the same number of change-log rows read in one plain SELECT of the view.
plain_read() {  # plain_read NAME ROWS -> "ms rows"
    sess "$1" bench <<SQL
CHECKPOINT;
$T0
SELECT count(*) AS n,
       sum(octet_length(pk::text) + coalesce(octet_length(old_row::text), 0)
           + coalesce(octet_length(new_row::text), 0)) AS bytes
  FROM (SELECT * FROM tenant_guard.change_log LIMIT $2) AS c \gset
$T1
\echo RESULT :ms :n
SQL
}

ok_result() {  # ok_result NAME "FIELDS" EXPECTED_FLAG_FIELD: warn when the check field is not t
    local name=$1 fields=$2 idx=$3 flag
    [ -n "$fields" ] || return 1
    flag=$(awk -v i="$idx" '{print $i}' <<<"$fields")
    if [ "$flag" != t ]; then
        warn "$name: NOT COUNTED, the tenant's rows are not what they were before ($fields)"
        return 1
    fi
}

next=1
for rep in $(seq 1 "$REPS"); do
    t_a=$next; next=$((next + 1))
    b_lo=$next; b_hi=$((next + BULK - 1)); next=$((next + BULK))
    t_c=$next; next=$((next + 1))
    p_lo=$next; p_hi=$((next + PURGE - 1)); next=$((next + PURGE))
    t_g=$next; next=$((next + CONV))
    tg_log "repetition $rep/$REPS (tenants: a $t_a, bulk $b_lo-$b_hi, rewind $t_c, purge $p_lo-$p_hi$( [ "$CONV" = 1 ] && echo ", conventional $t_g"))"
    cur_start=$(q bench 'SELECT tenant_guard.current_cursor()')

    # (a) one tenant
    r=$(plain_reinsert "a_plain_r$rep" "$t_a" "$t_a")
    record a plain "$rep" "$(cut -sd' ' -f1 <<<"$r")" "$(cut -sd' ' -f2 <<<"$r")"
    r=$(captured_reinsert "a_captured_r$rep" "$t_a" $((N + rep)))
    record a captured "$rep" "$(cut -sd' ' -f1 <<<"$r")" "$(cut -sd' ' -f2 <<<"$r")"
    r=$(undelete_one "a_tg_r$rep" bench "$t_a")
    if ok_result "a_tg_r$rep" "$r" 3; then a_ms=$(cut -d' ' -f1 <<<"$r"); record a tg "$rep" "$a_ms" "$(cut -d' ' -f2 <<<"$r")"
    else a_ms=; record a tg "$rep"; fi

    # (b) bulk: BULK tenants deleted in one statement, undeleted in one statement
    r=$(plain_reinsert "b_plain_r$rep" "$b_lo" "$b_hi")
    record b plain "$rep" "$(cut -sd' ' -f1 <<<"$r")" "$(cut -sd' ' -f2 <<<"$r")"
    check_so "b_tg_r$rep"
    r=$(sess "b_tg_r$rep" bench <<SQL
SELECT sum(bench_tenant_rows(t)) AS n_before FROM generate_series($b_lo, $b_hi) AS t \gset
SELECT clock_timestamp() AS tdel \gset
SET tenant_guard.max_tenants_per_statement = 0;
DELETE FROM projects WHERE tenant_id BETWEEN $b_lo AND $b_hi;
RESET tenant_guard.max_tenants_per_statement;
CHECKPOINT;
$T0
SELECT sum(u.restored) AS n
  FROM generate_series($b_lo, $b_hi) AS t, LATERAL tenant_guard.undelete(t::text, deleted_after => :'tdel') AS u \gset
$T1
SELECT sum(bench_tenant_rows(t)) = :n_before AND :n = :n_before AS same FROM generate_series($b_lo, $b_hi) AS t \gset
\echo RESULT :ms :n :same
SQL
)
    if ok_result "b_tg_r$rep" "$r" 3; then record b tg "$rep" "$(cut -d' ' -f1 <<<"$r")" "$(cut -d' ' -f2 <<<"$r")"
    else record b tg "$rep"; fi

    # (c) rewind one tenant with ROUNDS rounds of changes since a mark
    plain_c=$(plain_changes "c_plain_r$rep" "$t_c" "$ROUNDS")
    r=$(rewind_one "c_tg_r$rep" bench "$t_c" "rewind_r$rep" 1 "$ROUNDS")
    if ok_result "c_tg_r$rep" "$r" 3; then
        changes=$(cut -d' ' -f2 <<<"$r")
        record c plain "$rep" "$plain_c" "$changes"
        record c tg "$rep" "$(cut -d' ' -f1 <<<"$r")" "$changes"
    else record c plain "$rep" "$plain_c"; record c tg "$rep"; fi

    # (d) purge PURGE tenants, one signed token each (signed before the timer)
    r=$(sess "d_plain_r$rep" bench_plain <<SQL
SELECT sum(bench_tenant_rows(t)) AS n FROM generate_series($p_lo, $p_hi) AS t \gset
CHECKPOINT;
$T0
$(for ((t = p_lo; t <= p_hi; t++)); do echo "DELETE FROM projects WHERE tenant_id = $t;"; done)
$T1
\echo RESULT :ms :n
SQL
)
    record d plain "$rep" "$(cut -sd' ' -f1 <<<"$r")" "$(cut -sd' ' -f2 <<<"$r")"
    now=$(date +%s)
    check_so "d_tg_r$rep"
    r=$(sess "d_tg_r$rep" bench <<SQL
CREATE TEMP TABLE purged (rel regclass, live bigint, tomb bigint, hist bigint);
CHECKPOINT;
$T0
$(for ((t = p_lo; t <= p_hi; t++)); do
    tok=$(sign_claims "{\"kid\":\"bench\",\"act\":\"purge\",\"db\":\"$DB_ID\",\"tenant\":\"$t\",\"live\":true,\"max_rows\":100000000,\"exp\":$((now + 3600)),\"iat\":$now,\"jti\":\"bench-purge-$t\",\"reason\":\"benchmark\"}")
    echo "INSERT INTO purged SELECT * FROM tenant_guard.purge('$tok');"
  done)
$T1
SELECT sum(live + tomb + hist) AS n, sum(live) AS live, sum(tomb) AS tomb, sum(hist) AS hist FROM purged \gset
SELECT (SELECT sum(bench_tenant_rows(t)) FROM generate_series($p_lo, $p_hi) AS t) = 0
   AND NOT EXISTS (SELECT FROM tenant_guard.tombstones WHERE tenant IN (SELECT t::text FROM generate_series($p_lo, $p_hi) AS t))
   AND NOT EXISTS (SELECT FROM tenant_guard.change_log WHERE tenant IN (SELECT t::text FROM generate_series($p_lo, $p_hi) AS t))
   AS same \gset
\echo RESULT :ms :n :same :live :tomb :hist
SQL
)
    if [ -n "$r" ] && [ "$(cut -d' ' -f3 <<<"$r")" = t ]; then
        record d tg "$rep" "$(cut -d' ' -f1 <<<"$r")" "$(cut -d' ' -f2 <<<"$r")"
        note "d rep $rep: purged $(cut -d' ' -f4 <<<"$r") live rows, $(cut -d' ' -f5 <<<"$r") tombstones, $(cut -d' ' -f6 <<<"$r") change-log rows"
    else
        [ -n "$r" ] && warn "d_tg_r$rep: NOT COUNTED, something of the purged tenants is left ($r)"
        record d tg "$rep"
    fi

    # (f) independence: the probe tenant in the small and in the big database; the
    # order alternates between repetitions.
    if [ $((rep % 2)) = 1 ]; then order="small big"; else order="big small"; fi
    for side in $order; do
        if [ "$side" = small ]; then db=bench_small probe=$PROBE_SMALL var=x1; else db=bench probe=$PROBE_BIG var=x10; fi
        r=$(undelete_one "f_undelete_${var}_r$rep" "$db" "$probe")
        if ok_result "f_undelete_${var}_r$rep" "$r" 3; then record f1 "$var" "$rep" "$(cut -d' ' -f1 <<<"$r")" "$(cut -d' ' -f2 <<<"$r")"
        else record f1 "$var" "$rep"; fi
        r=$(rewind_one "f_rewind_${var}_r$rep" "$db" "$probe" "probe_r$rep" $(( (rep - 1) * PROBE_ROUNDS + 1 )) "$PROBE_ROUNDS")
        if ok_result "f_rewind_${var}_r$rep" "$r" 3; then record f2 "$var" "$rep" "$(cut -d' ' -f1 <<<"$r")" "$(cut -d' ' -f2 <<<"$r")"
        else record f2 "$var" "$rep"; fi
    done

    # (e) changes(): this repetition's own changes (from the cursor taken at its start),
    # then the whole log from the oldest change; each up to CHANGES_MAX changes (0: to
    # the end). Baseline: the same number of change-log rows in one plain SELECT.
    for e in e2 e1; do
        if [ "$e" = e2 ]; then r=$(drain "${e}_tg_r$rep" "$cur_start" "$CHANGES_MAX"); else r=$(drain "${e}_tg_r$rep" "" "$CHANGES_MAX"); fi
        if [ -n "$r" ]; then
            read -r ms n calls max_ms <<<"$r"
            note "$e rep $rep: $n changes in $calls calls of changes(cursor, 10000), slowest call $max_ms ms"
            p=$(plain_read "${e}_plain_r$rep" "$n")
            record "$e" plain "$rep" "$(cut -sd' ' -f1 <<<"$p")" "$(cut -sd' ' -f2 <<<"$p")"
            record "$e" tg "$rep" "$ms" "$n"
        else record "$e" plain "$rep"; record "$e" tg "$rep"; fi
    done

    # (g) the conventional way: a logical backup taken before the incident, restored
    # into a scratch database, the tenant's rows copied back in FK order.
    if [ "$CONV" = 1 ]; then
        before=$(q bench "SELECT bench_tenant_md5($t_g)")
        t0=$(now_ms)
        pg_dump -Fc -f "$OUT/conv.dump" bench 2>"$OUT/g_dump_r$rep.log" || warn "g rep $rep: pg_dump failed (see $OUT/g_dump_r$rep.log)"
        t1=$(now_ms)
        q bench "DELETE FROM projects WHERE tenant_id = $t_g" >/dev/null
        q postgres CHECKPOINT >/dev/null
        t2=$(now_ms)
        "${PSQL[@]}" -c 'CREATE DATABASE bench_scratch' >/dev/null
        pg_restore -j "$RESTORE_JOBS" -d bench_scratch "$OUT/conv.dump" >"$OUT/g_restore_r$rep.log" 2>&1 ||
            warn "g rep $rep: pg_restore reported errors (see $OUT/g_restore_r$rep.log)"
        t3=$(now_ms)
        for tbl in projects issues comments; do
            psql -X -q -d bench_scratch -c "\\copy (SELECT * FROM $tbl WHERE tenant_id = $t_g) TO STDOUT" |
                "${PSQL[@]}" -d bench -c "\\copy $tbl FROM STDIN" >>"$OUT/g_copy_r$rep.log" 2>&1 ||
                warn "g rep $rep: copying $tbl back failed (see $OUT/g_copy_r$rep.log)"
        done
        t4=$(now_ms)
        rows=$(q bench "SELECT bench_tenant_rows($t_g)")
        [ "$(q bench "SELECT bench_tenant_md5($t_g)")" = "$before" ] ||
            warn "g rep $rep: the copied-back rows of tenant $t_g differ from the rows before"
        note "g rep $rep: dump $(du -h "$OUT/conv.dump" | cut -f1), pg_restore -j $RESTORE_JOBS"
        "${PSQL[@]}" -c 'DROP DATABASE bench_scratch' >/dev/null
        rm -f "$OUT/conv.dump"
        record g tg "$rep" "$a_ms" "$(grep -P "^a\ttg\t$rep\t" "$RESULTS" | cut -f5)"
        record g dump "$rep" $((t1 - t0))
        record g restore "$rep" $((t3 - t2))
        record g copy "$rep" $((t4 - t3)) "$rows"
        record g conv_rc "$rep" $((t4 - t2)) "$rows"
        record g conv_all "$rep" $((t1 - t0 + t4 - t2)) "$rows"
    fi
done

{
    echo
    "${PSQL[@]}" -d postgres -v bulk="$BULK" -v purge="$PURGE" -v rounds="$ROUNDS" -v probe_rounds="$PROBE_ROUNDS" \
        -v changes_max="$([ "$CHANGES_MAX" = 0 ] && echo all || echo "$CHANGES_MAX")" \
        -P title="recovery: $N tenants, ~$((N * 1968)) live rows, $REPS interleaved reps (median; ratio per rep, then median)" \
        -f "$SQL/recovery_report.sql" <"$RESULTS"
    echo "independence (f): other tenants' data and history, at the end of the run:"
    echo "  1x  bench_small: $(sizes bench_small)  (probe tenant $PROBE_SMALL)"
    echo "  10x bench:       $(sizes bench)  (probe tenant $PROBE_BIG)"
    if [ -s "$NOTES" ]; then echo; echo "notes:"; sed 's/^/  /' "$NOTES"; fi
    if [ -s "$WARNINGS" ]; then echo; echo "warnings:"; sed 's/^/  /' "$WARNINGS"; fi
    echo
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at end"
} | tee -a "$OUT/report.txt"
echo "raw results, per-measurement SQL and logs: $OUT"
