# Shared by the command-line suites (run.sh, recover.sh): the binary under
# test and the checks on its output. Source after test/interop/lib.sh.

# cli_binary SUITE [BUILD_DIR | BINARY]: sets BIN (absolute), default
# tenant-guard on PATH; without one, prints the suite's failed summary and exits.
cli_binary() {
    BIN=${2:-$(command -v tenant-guard || true)}
    [ -d "$BIN" ] && BIN=$BIN/tenant-guard
    if [ ! -x "$BIN" ]; then
        echo "tenant-guard binary not found (pass a build directory or the binary)" >&2
        echo "$1: 0 passed, 1 failed"
        exit 1
    fi
    BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
    echo "using $BIN"
}

contains() {  # contains NAME FILE TEXT: a check that FILE holds TEXT
    if grep -qF -- "$3" "$2"; then check "$1" yes yes; else check "$1" "text [$3]" "$(head -c 800 "$2")"; fi
}
