#!/usr/bin/env bash
# Run Faultline locally on http://127.0.0.1:8080 with the default config
# (SQLite under data/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/bootstrap.sh
mkdir -p data
.venv/bin/faultline migrate
# `faultline serve` itself says how to create the first administrator while there is none.
echo "Open http://127.0.0.1:8080/ and sign in (accounts: .venv/bin/faultline user create --email E)"
echo "API tokens for scripts: TOKEN=\$(.venv/bin/faultline token create --name NAME | tail -1)"
exec .venv/bin/faultline serve --host 127.0.0.1 --port 8080
