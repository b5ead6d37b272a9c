# Shared by scripts/demo.sh, scripts/test.sh and test/bench: install what is
# missing, build and install the extension, run a throwaway PostgreSQL cluster.
# Source it; every function prefixes tg_.

TG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The server's programs; another installation's (a private `make install
# DESTDIR=…` completed by test/temp_install.sh) with TG_PG_BIN=…/bin.
TG_PG_BIN=${TG_PG_BIN:-/usr/lib/postgresql/15/bin}
TG_PACKAGES=(build-essential postgresql-15 postgresql-client-15 postgresql-server-dev-15
             libpq-dev libssl-dev libgtest-dev cmake nlohmann-json3-dev openssl pkg-config clang-format
             clang-14 clang-tidy-14 libclang-rt-14-dev libcli11-dev)

tg_log() {
    if [ -t 2 ]; then printf '\033[1m== %s\033[0m\n' "$*" >&2; else printf '== %s\n' "$*" >&2; fi
}

# Runs a command as root: directly when we are root, else through sudo.
tg_as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Runs a command as the OS user that owns the throwaway cluster.
tg_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

tg_install_packages() {
    local missing=() p
    for p in "${TG_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    tg_log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    tg_as_root apt-get install -y -q "${missing[@]}" >/dev/null ||
        { tg_as_root apt-get update -q >/dev/null && tg_as_root apt-get install -y -q "${missing[@]}" >/dev/null; }
}

# The extension (PGXS) and the tenant-guard command line (CMake, installed
# to /usr/local/bin; its build directory is build/cli, ignored by git).
tg_build_install() {
    tg_log "building and installing the extension"
    make -C "$TG_ROOT" -s -j2 WERROR=1 >/dev/null
    tg_as_root make -C "$TG_ROOT" -s install >/dev/null
    tg_log "building and installing the tenant-guard command line"
    local build="$TG_ROOT/build/cli"
    cmake -S "$TG_ROOT" -B "$build" -DTG_BUILD_TESTS=OFF >/dev/null &&
        cmake --build "$build" --target tenant-guard -j2 >/dev/null &&
        tg_as_root cmake --install "$build" >/dev/null
}

# tg_cluster_start [port]: initdb + start a private cluster in a fresh temp dir;
# exports PGHOST/PGPORT/PGUSER/PGDATABASE so psql and libpq clients find it.
tg_cluster_start() {
    local port=${1:-55432}
    TG_CLUSTER_DIR=$(mktemp -d /tmp/tenant_guard_pg.XXXXXX)
    chmod 755 "$TG_CLUSTER_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$TG_CLUSTER_DIR"
    tg_as_pg "$TG_PG_BIN/initdb" -D "$TG_CLUSTER_DIR/data" -U postgres -A trust \
        --no-sync -E UTF8 --locale=C.UTF-8 >"$TG_CLUSTER_DIR/initdb.log" 2>&1 ||
        { cat "$TG_CLUSTER_DIR/initdb.log"; return 1; }
    cat >>"$TG_CLUSTER_DIR/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$TG_CLUSTER_DIR'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
max_wal_size = 4GB
track_commit_timestamp = on
max_prepared_transactions = 10
EOF
    [ -n "${TG_EXTRA_CONF:-}" ] && printf '%s\n' "$TG_EXTRA_CONF" >>"$TG_CLUSTER_DIR/data/postgresql.conf"
    tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$TG_CLUSTER_DIR/data" -l "$TG_CLUSTER_DIR/server.log" -w start >/dev/null ||
        { cat "$TG_CLUSTER_DIR/server.log"; return 1; }
    export PGHOST=$TG_CLUSTER_DIR PGPORT=$port PGUSER=postgres PGDATABASE=postgres
}

tg_cluster_stop() {
    [ -n "${TG_CLUSTER_DIR:-}" ] || return 0
    tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$TG_CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$TG_CLUSTER_DIR"
    TG_CLUSTER_DIR=
}
