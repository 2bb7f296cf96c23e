#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the ordercycle test suite and print the DSN to use.
#
# Usage (from .ci/run or a shell, as root):
#     eval "$(.ci/postgres.sh)"     # exports ORDERCYCLE_TEST_POSTGRES_DSN
#
# PostgreSQL refuses to run as root, so a per-test `initdb` cannot work here. Instead this
# installs Debian's `postgresql` package if it is missing, starts its cluster (which runs
# as the `postgres` user), creates a role and a database for the tests, and prints one
# `export ORDERCYCLE_TEST_POSTGRES_DSN=...` line on stdout. Everything else goes to
# stderr, so the output is safe to `eval`. Running it again is harmless.
set -euo pipefail

ROLE="${ORDERCYCLE_PG_ROLE:-ordercycle}"
PASSWORD="${ORDERCYCLE_PG_PASSWORD:-ordercycle}"
DATABASE="${ORDERCYCLE_PG_DATABASE:-ordercycle_test}"

log() { printf '[postgres.sh] %s\n' "$*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {found=1} END {exit !found}'; then
    log "creating cluster $VERSION/main"
    pg_createcluster "$VERSION" main >&2
fi
PORT="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $3}')"
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" && $4 == "online" {found=1} END {exit !found}'; then
    log "starting cluster $VERSION/main on port $PORT"
    pg_ctlcluster "$VERSION" main start >&2
fi

psql_admin() { runuser -u postgres -- psql --no-psqlrc -v ON_ERROR_STOP=1 -p "$PORT" -qtA "$@"; }

for _ in $(seq 1 30); do
    if psql_admin -c 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 1
done

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
    log "creating role $ROLE"
    psql_admin -c "CREATE ROLE \"$ROLE\" LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
    log "creating database $DATABASE"
    psql_admin -c "CREATE DATABASE \"$DATABASE\" OWNER \"$ROLE\"" >&2
fi

DSN="postgresql://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
log "PostgreSQL $VERSION is ready on port $PORT"
printf 'export ORDERCYCLE_TEST_POSTGRES_DSN=%q\n' "$DSN"
