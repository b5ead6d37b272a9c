# Shared by the benchmarks in test/bench: arguments, checks of numeric
# settings, the output directory, the throwaway cluster with the benchmark
# settings, warnings, and the fingerprint of the installed module. Source it
# first; it sources scripts/lib/common.sh.
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SQL=$BENCH_DIR/sql
# shellcheck source=../../scripts/lib/common.sh
source "$BENCH_DIR/../../scripts/lib/common.sh"
BENCH_NAME=$(basename "$0")

# bench_args LAST_USAGE_LINE "$@": --no-install (or BENCH_NO_INSTALL=1) and
# --help (prints the script's header comment, lines 2..LAST_USAGE_LINE).
bench_args() {
    local last=$1
    shift
    bench_usage() { sed -n "2,${last}p" "$0" | sed 's/^# \{0,1\}//'; }
    BENCH_INSTALL=1
    [ "${BENCH_NO_INSTALL:-0}" = 1 ] && BENCH_INSTALL=0
    while [ $# -gt 0 ]; do
        case $1 in
            --no-install) BENCH_INSTALL=0 ;;
            -h|--help) bench_usage; exit 0 ;;
            *) echo "$BENCH_NAME: unknown argument: $1" >&2; bench_usage >&2; exit 2 ;;
        esac
        shift
    done
}

# bench_positive VAR...: each named variable must hold a positive integer.
bench_positive() {
    local v
    for v in "$@"; do
        [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "$BENCH_NAME: $v must be a positive integer" >&2; exit 2; }
    done
}

# bench_output_dir [MODE]: OUT (default a new /tmp/tg_bench_<name>.XXXXXX) exists
# with MODE (755), and $OUT/warnings.txt is empty.
bench_output_dir() {
    OUT=${OUT:-$(mktemp -d "/tmp/tg_bench_${BENCH_NAME%.sh}.XXXXXX")}
    mkdir -p "$OUT"
    chmod "${1:-755}" "$OUT"
    WARNINGS=$OUT/warnings.txt
    : >"$WARNINGS"
}

warn() { printf '%s\n' "$*" >>"$WARNINGS"; tg_log "warning: $*"; }

# Builds and installs the extension, unless --no-install; notes which module
# the run starts with.
bench_install() {
    if [ "$BENCH_INSTALL" = 1 ]; then
        tg_install_packages
        tg_build_install
    fi
    SO_ID=$(so_id)
}

# bench_cluster_start PORT [CLEANUP]: a throwaway cluster, stopped on exit
# (after CLEANUP, a command). Autovacuum off: a worker starting on one variant's
# tables in the middle of a measurement would be charged to it (the benchmarks
# vacuum explicitly). JIT off: compiling a bulk statement adds 50-200 ms of
# noise to every variant alike and hides the cost being measured.
bench_cluster_start() {
    BENCH_CLEANUP=${2:-:}
    TG_EXTRA_CONF="${TG_EXTRA_CONF:+$TG_EXTRA_CONF
}autovacuum = off
jit = off"
    export TG_EXTRA_CONF
    trap 'eval "$BENCH_CLEANUP"; tg_cluster_stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    tg_log "starting a throwaway cluster on port $1"
    tg_cluster_start "$1"
}

# Every session loads the module installed at that moment: note which one, and
# flag measurements taken after another `make install` replaced it.
# The module of the server that TG_PG_BIN names (a private install's lib, next to its bin).
if [ -d "$(dirname "$TG_PG_BIN")/lib" ]; then TG_SO=$(dirname "$TG_PG_BIN")/lib/tenant_guard.so
else TG_SO=$(pg_config --pkglibdir)/tenant_guard.so; fi
so_id() { if [ -f "$TG_SO" ]; then sha256sum "$TG_SO" | cut -c1-12; else echo none; fi; }
# check_so WHAT: warns when the module changed since the run started.
check_so() {
    [ "$(so_id)" = "$SO_ID" ] ||
        warn "$1: tenant_guard.so is no longer the one the run started with (now $(so_id)…): another build was installed"
}
