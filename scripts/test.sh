#!/usr/bin/env bash
# The whole test command, as CI runs it (.ci/run) and as `make test` runs it:
#
#   ruff -> tracker, dashboard (npm ci, build check, vitest) -> pytest on SQLite
#   and on PostgreSQL, side by side -> alembic check (SQLite, PostgreSQL)
#
# PostgreSQL and Redis are throw-away servers started here and stopped on exit,
# however the script ends. Extra arguments go to both pytest runs:
#
#   bash scripts/test.sh -k fingerprint -x
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step=setup
_t0=$SECONDS

# Runs on every exit (success, failure, Ctrl-C): stop the services first, then
# say in one line how it went. The script's exit status is left as it was.
_finish() {
    local rc=$?
    local running
    running=$(jobs -pr)
    [[ -z $running ]] || kill $running 2>/dev/null || true
    services_stop
    if [[ $rc -eq 0 ]]; then
        echo "==> test.sh: OK: ruff, tracker and dashboard (build check, vitest), pytest (sqlite, postgresql), alembic check (sqlite, postgresql) in $((SECONDS - _t0))s"
    else
        echo "==> test.sh: FAILED in step '$step' (exit $rc) after $((SECONDS - _t0))s" >&2
    fi
}

begin() {
    step=$1
    shift
    echo "==> $step"
}

# shellcheck source=scripts/services.sh
source scripts/services.sh

# Installed before anything is started, so nothing can be left running and
# every way out prints the summary line. A signal becomes an exit so that the
# EXIT trap runs for it too.
trap _finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

begin "bootstrap .venv"
bash scripts/bootstrap.sh

begin "Debian packages"
services_ensure_packages

begin "start PostgreSQL and Redis"
services_start_postgres
services_start_redis   # exports FAULTLINE_TEST_REDIS_URL for both pytest runs

begin "ruff check"
.venv/bin/ruff check .

begin "tracker (npm ci, build check, vitest)"
bash scripts/tracker.sh

begin "dashboard (npm ci, build check, vitest)"
bash scripts/dashboard.sh

begin "sentry clients (npm ci, bundle)"
bash scripts/clients.sh

# Both runs at once: most of their time is waiting on browsers, subprocesses and sockets,
# so on two cores side by side they took 425 s where one after the other took 830 to 950 s.
# They share only Redis (a database each) and port 8080 (the README test takes a lock).
# Unset FAULTLINE_TEST_DATABASE_URL: the fixtures then use a temp SQLite file. Exit
# code 5 (no tests collected) fails here like any other failure, on purpose.
begin "pytest (sqlite, postgresql)"
pytest_logs=""
services_mktemp pytest_logs pytest
redis_base=${FAULTLINE_TEST_REDIS_URL%/*}
env -u FAULTLINE_TEST_DATABASE_URL FAULTLINE_TEST_REDIS_URL="$redis_base/0" \
    .venv/bin/pytest "$@" >"$pytest_logs/sqlite.log" 2>&1 &
sqlite_pid=$!
FAULTLINE_TEST_DATABASE_URL=$FAULTLINE_TEST_PG_URL FAULTLINE_TEST_REDIS_URL="$redis_base/1" \
    .venv/bin/pytest "$@" >"$pytest_logs/postgresql.log" 2>&1 &
pg_pid=$!
sqlite_rc=0
pg_rc=0
wait "$sqlite_pid" || sqlite_rc=$?
wait "$pg_pid" || pg_rc=$?
echo "==> pytest (sqlite): exit $sqlite_rc"
cat "$pytest_logs/sqlite.log"
echo "==> pytest (postgresql): exit $pg_rc"
cat "$pytest_logs/postgresql.log"
if [[ $sqlite_rc -ne 0 ]]; then
    step="pytest (sqlite)"
    exit "$sqlite_rc"
fi
if [[ $pg_rc -ne 0 ]]; then
    step="pytest (postgresql)"
    exit "$pg_rc"
fi

# The migrations must produce exactly the models' schema: migrate an empty
# database, then `alembic check` fails if autogenerate would emit anything.
# PostgreSQL gets its own fresh database, since the tests may have left tables
# in faultline_test.
alembic_check() {
    FAULTLINE_DATABASE_URL=$1 .venv/bin/faultline migrate
    FAULTLINE_DATABASE_URL=$1 .venv/bin/alembic -c migrations/alembic.ini check
}

begin "alembic check (sqlite)"
sqlite_dir=""
services_mktemp sqlite_dir alembic
alembic_check "sqlite:///$sqlite_dir/faultline.db"

begin "alembic check (postgresql)"
pg_alembic_url=$(services_pg_createdb faultline_alembic)
alembic_check "$pg_alembic_url"

step="all done"
