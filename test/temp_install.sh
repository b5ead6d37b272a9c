#!/usr/bin/env bash
# test/temp_install.sh ROOT: completes ROOT, where `make install DESTDIR=ROOT`
# put this build of tenant_guard, into a private copy of the PostgreSQL
# installation that pg_config names, for `make check`: the server's programs
# (postgres, initdb, pg_ctl) are copied, so that they find ROOT's lib and
# share (PostgreSQL locates them relative to its own binary); everything else
# is a symbolic link to the installation. Nothing outside ROOT changes.
set -euo pipefail
root=${1:?usage: temp_install.sh ROOT}
pg_config=${PG_CONFIG:-pg_config}
bindir=$("$pg_config" --bindir)
pkglibdir=$("$pg_config" --pkglibdir)
sharedir=$("$pg_config" --sharedir)

# link_missing FROM TO: links each entry of FROM that TO lacks; a directory
# both have is merged (lib/bitcode, share/extension). An installed
# tenant_guard (another version) is never linked: ROOT has this build's.
link_missing() {
    local from=$1 to=$2 f name
    mkdir -p "$to"
    for f in "$from"/*; do
        name=$(basename "$f")
        case $name in tenant_guard*) continue ;; esac
        if [ -d "$to/$name" ] && [ ! -L "$to/$name" ] && [ -d "$f" ]; then
            link_missing "$f" "$to/$name"
        elif [ ! -e "$to/$name" ]; then
            ln -s "$f" "$to/$name"
        fi
    done
}

mkdir -p "$root$bindir"
cp "$bindir/postgres" "$bindir/initdb" "$bindir/pg_ctl" "$root$bindir/"
link_missing "$bindir" "$root$bindir"
link_missing "$pkglibdir" "$root$pkglibdir"
link_missing "$sharedir" "$root$sharedir"
