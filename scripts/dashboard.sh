#!/usr/bin/env bash
# The dashboard's checks, as the test command runs them, in frontend/dashboard:
#
#   npm ci -> the committed app/static/dashboard/ (app.js, app.css) is a fresh build
#          -> vitest (formatting, URL state, API client, DOM building)
#
# The end-to-end browser test (tests/browser/test_dashboard_e2e.py) runs with pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../frontend/dashboard"

npm ci --no-audit --no-fund --loglevel=error
node build.mjs --check
npx vitest run
