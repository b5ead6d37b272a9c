#!/usr/bin/env bash
# Runs test/security/run.sh against the extension as built from another
# commit, without installing it: `git archive COMMIT` is built (PGXS) in a
# temporary directory, and a private copy of PostgreSQL 15's bin, lib and
# share (symbolic links, but postgres, initdb and pg_ctl copied, so that they
# find that lib and share) holds that build instead of the installed one.
# The names are taken from that commit's sources.
#
#   test/security/against_commit.sh cebf855   # 0.2.0 before the security fixes: many checks fail
#
# Prints run.sh's output and exits with its status. Needs make, g++ and the
# build dependencies of the extension (as scripts/test.sh installs them).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
commit=${1:?usage: against_commit.sh COMMIT}
pg=/usr/lib/postgresql/15
share=/usr/share/postgresql/15

tmp=$(mktemp -d /tmp/tenant_guard_against.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir -p "$tmp/src" "$tmp/root$pg/bin" "$tmp/root$pg/lib" "$tmp/root$share/extension"
git -C "$repo" archive "$commit" | tar -x -C "$tmp/src" || { echo "against_commit.sh: no commit $commit" >&2; exit 2; }
make -C "$tmp/src" -s -j"$(nproc)" >"$tmp/build.log" 2>&1 || { tail -20 "$tmp/build.log"; exit 2; }

cp "$pg/bin/postgres" "$pg/bin/initdb" "$pg/bin/pg_ctl" "$tmp/root$pg/bin/"
for f in "$pg"/lib/*; do
    [ "$(basename "$f")" = tenant_guard.so ] || ln -s "$f" "$tmp/root$pg/lib/"
done
for f in "$share"/*; do
    [ "$(basename "$f")" = extension ] || ln -s "$f" "$tmp/root$share/"
done
for f in "$share"/extension/*; do
    case $(basename "$f") in tenant_guard*) ;; *) ln -s "$f" "$tmp/root$share/extension/" ;; esac
done
cp "$tmp/src/tenant_guard.so" "$tmp/root$pg/lib/"
cp "$tmp/src/tenant_guard.control" "$tmp/src"/tenant_guard--*.sql "$tmp/root$share/extension/"
chmod -R a+rX "$tmp"

SEC_PG_BIN="$tmp/root$pg/bin" SEC_SRC="$tmp/src" PORT=${PORT:-55497} "$here/run.sh"
