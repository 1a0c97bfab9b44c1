#!/usr/bin/env bash
# Throw-away services for the test suite: a PostgreSQL cluster and a Redis
# server, each on a free loopback port, with their data in temp dirs.
#
# Source it and call the functions:
#
#   source scripts/services.sh
#   services_ensure_packages        # apt-get install redis-server, chromium if missing
#   services_install_trap           # stop everything and remove temp dirs on exit
#   services_start_postgres         # exports FAULTLINE_TEST_PG_URL (+ _PORT, _DATA, _BIN)
#   services_start_redis            # exports FAULTLINE_TEST_REDIS_URL (+ FAULTLINE_TEST_REDIS_PORT)
#   services_pg_createdb NAME       # another empty database; prints its URL
#   services_mktemp VAR [LABEL]     # VAR=a new temp dir, removed by services_stop
#   services_stop                   # idempotent; what the trap calls
#
# or run it as a command:
#
#   bash scripts/services.sh ensure-packages
#   bash scripts/services.sh run CMD [ARGS...]   # CMD runs with both services up
#
# Works as root with no TTY (CI): PostgreSQL refuses to run as root, so initdb,
# pg_ctl and the server run as the `postgres` user via runuser. As a normal
# user, they run as that user.

_SERVICES_TMPDIRS=()
_SERVICES_PGDATA=""
_SERVICES_REDIS_PIDFILE=""

_services_log() { echo "services: $*" >&2; }

# The newest PostgreSQL server installed by Debian's packages (PG_BIN overrides).
_services_pg_bin() {
    if [[ -n ${PG_BIN:-} ]]; then
        echo "$PG_BIN"
        return
    fi
    local d
    d=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1)
    [[ -n $d && -x $d/initdb ]] || return 1
    echo "$d"
}

# Run a PostgreSQL server command as a user it accepts. cd into the data's temp
# dir first: `postgres` may not be allowed into the caller's cwd (e.g. /root/...).
_services_pg_run() {
    local dir=$1
    shift
    if [[ $EUID -eq 0 ]]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# A TCP port free on 127.0.0.1 right now (the kernel picks it). Another process
# could take it before we bind it; the start functions retry on failure.
services_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# services_mktemp VAR [LABEL]: make a temp dir that services_stop removes and
# store its path in VAR. (Not `$(services_mktemp)`: a command substitution runs
# in a subshell, which would lose the record of the dir.)
services_mktemp() {
    local _d
    _d=$(mktemp -d "${TMPDIR:-/tmp}/faultline-${2:-tmp}.XXXXXX")
    _SERVICES_TMPDIRS+=("$_d")
    printf -v "$1" %s "$_d"
}

# Install the Debian packages the tests need, if missing; apt-get update at most once.
services_ensure_packages() {
    local missing=()
    command -v redis-server >/dev/null || missing+=(redis-server)
    command -v redis-cli >/dev/null || missing+=(redis-tools)
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)
    _services_pg_bin >/dev/null || missing+=(postgresql)
    [[ ${#missing[@]} -eq 0 ]] && return 0

    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null || {
            _services_log "missing Debian packages (${missing[*]}) and not root: install them by hand"
            return 1
        }
        sudo=(sudo)
    fi
    _services_log "installing Debian packages: ${missing[*]}"
    local t0=$SECONDS
    # Lock::Timeout: wait for another apt/dpkg run instead of failing at once.
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        -o DPkg::Lock::Timeout=120 --no-install-recommends "${missing[@]}" >/dev/null
    _services_log "packages installed in $((SECONDS - t0))s"
}

services_start_postgres() {
    local bin tmp port attempt locale_opt t0=$SECONDS
    bin=$(_services_pg_bin) || {
        _services_log "no PostgreSQL server found under /usr/lib/postgresql (set PG_BIN)"
        return 1
    }
    # Always under /tmp, not $TMPDIR: the socket path must stay short (~100 bytes
    # max) and the `postgres` user must be able to reach it.
    tmp=$(mktemp -d /tmp/faultline-pg.XXXXXX)
    _SERVICES_TMPDIRS+=("$tmp")
    [[ $EUID -eq 0 ]] && chown postgres: "$tmp"

    # UTF-8 so tests can store non-ASCII text; C.UTF-8 collation is deterministic.
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale_opt=--locale=C.UTF-8
    else
        locale_opt=--no-locale
    fi
    if ! _services_pg_run "$tmp" "$bin/initdb" -D "$tmp/data" -A trust -U postgres \
        -E UTF8 "$locale_opt" --no-sync >"$tmp/initdb.log" 2>&1; then
        cat "$tmp/initdb.log" >&2
        return 1
    fi
    _SERVICES_PGDATA=$tmp/data

    # fsync & co. off: the data is thrown away, and it makes the suite much faster.
    for attempt in 1 2 3; do
        port=$(services_free_port)
        if _services_pg_run "$tmp" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" \
            -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            -w -t 60 start >/dev/null; then
            break
        fi
        _services_log "postgres did not start on port $port (attempt $attempt):"
        tail -n 5 "$tmp/postgres.log" >&2
        [[ $attempt -eq 3 ]] && return 1
    done
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres faultline_test

    export FAULTLINE_TEST_PG_PORT=$port
    # For the test that stops and starts the database under a running server.
    export FAULTLINE_TEST_PG_DATA=$tmp/data FAULTLINE_TEST_PG_BIN=$bin
    export FAULTLINE_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$port/faultline_test
    _services_log "postgres $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($((SECONDS - t0))s)"
}

# Create another empty database in the throw-away cluster and print its URL.
services_pg_createdb() {
    local bin
    bin=$(_services_pg_bin)
    "$bin/createdb" -h 127.0.0.1 -p "$FAULTLINE_TEST_PG_PORT" -U postgres "$1"
    echo "postgresql+psycopg://postgres@127.0.0.1:$FAULTLINE_TEST_PG_PORT/$1"
}

services_start_redis() {
    local tmp port attempt t0=$SECONDS
    services_mktemp tmp redis
    _SERVICES_REDIS_PIDFILE=$tmp/redis.pid
    for attempt in 1 2 3; do
        port=$(services_free_port)
        # It daemonizes before binding the port, so wait until it answers.
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --daemonize yes --pidfile "$tmp/redis.pid" --dir "$tmp" \
            --logfile "$tmp/redis.log"
        for _ in $(seq 50); do
            if [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]]; then
                export FAULTLINE_TEST_REDIS_PORT=$port
                export FAULTLINE_TEST_REDIS_URL=redis://127.0.0.1:$port/0
                _services_log "redis $(redis-server --version | grep -o 'v=[^ ]*' | cut -c3-) on 127.0.0.1:$port ($((SECONDS - t0))s)"
                return 0
            fi
            sleep 0.1
        done
        _services_log "redis did not answer on port $port (attempt $attempt):"
        tail -n 5 "$tmp/redis.log" >&2
        _services_stop_redis
    done
    return 1
}

# True while PID runs. A daemon that exited stays a zombie until init reaps it
# (which can take seconds here), and `kill -0` succeeds on a zombie.
_services_alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $state != Z* ]]
}

_services_stop_redis() {
    local pidfile=$_SERVICES_REDIS_PIDFILE pid
    [[ -n $pidfile && -f $pidfile ]] || return 0
    pid=$(<"$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        _services_alive "$pid" || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

# Stop both servers and remove every temp dir. Safe to call twice and never
# fails, so it cannot change the exit status of the script that traps it.
services_stop() {
    local bin d
    if [[ -n $_SERVICES_PGDATA && -f $_SERVICES_PGDATA/postmaster.pid ]]; then
        if bin=$(_services_pg_bin); then
            _services_pg_run "$(dirname "$_SERVICES_PGDATA")" "$bin/pg_ctl" -D "$_SERVICES_PGDATA" \
                -m immediate -w stop >/dev/null 2>&1 || true
        fi
    fi
    _SERVICES_PGDATA=""
    _services_stop_redis || true
    for d in "${_SERVICES_TMPDIRS[@]}"; do
        rm -rf "$d"
    done
    _SERVICES_TMPDIRS=()
    return 0
}

# Clean up on any exit. A signal is turned into an exit so the EXIT trap runs
# (bash does not run it when killed by an untrapped SIGTERM).
services_install_trap() {
    trap services_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# Run as a command rather than sourced.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    case ${1:-} in
    ensure-packages)
        services_ensure_packages
        ;;
    run)
        shift
        [[ $# -gt 0 ]] || { echo "usage: $0 run CMD [ARGS...]" >&2; exit 2; }
        services_install_trap
        services_start_postgres
        services_start_redis
        "$@"
        ;;
    *)
        echo "usage: $0 ensure-packages | run CMD [ARGS...]" >&2
        exit 2
        ;;
    esac
fi
