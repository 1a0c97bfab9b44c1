#!/usr/bin/env bash
# bench/stats.py against a throw-away PostgreSQL 15 cluster (the test command's helpers):
#   bash bench/stats_pg.sh [--repeat N] [--page-views N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/services.sh
source scripts/services.sh
trap services_stop EXIT
services_start_postgres >/dev/null
url=$(services_pg_createdb faultline_bench)
.venv/bin/python bench/stats.py --url "$url" "$@"
