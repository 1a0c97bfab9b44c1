#!/usr/bin/env bash
# Run Faultline locally on http://127.0.0.1:8080 with the default config
# (SQLite under data/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/bootstrap.sh
mkdir -p data
.venv/bin/faultline migrate
echo "Create an API token: .venv/bin/faultline token create --name admin"
exec .venv/bin/faultline serve --host 127.0.0.1 --port 8080
