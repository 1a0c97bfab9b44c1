#!/usr/bin/env bash
# Run Faultline locally on http://127.0.0.1:8080 with the default config
# (SQLite under data/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/bootstrap.sh
mkdir -p data
.venv/bin/faultline migrate
# `faultline serve` itself says how to create the first administrator while there is none.
echo "Sign in at http://127.0.0.1:8080/login (accounts: .venv/bin/faultline user create --email E)"
echo "API tokens for scripts: .venv/bin/faultline token create --name NAME"
exec .venv/bin/faultline serve --host 127.0.0.1 --port 8080
