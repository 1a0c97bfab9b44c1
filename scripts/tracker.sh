#!/usr/bin/env bash
# The tracker's checks, as the test command runs them, in frontend/tracker:
#
#   npm ci -> the committed app/static/tracker.js is a fresh build within its size budget
#          -> vitest (jsdom)
#
# The end-to-end browser test (tests/browser/test_tracker_e2e.py) runs with pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../frontend/tracker"

npm ci --no-audit --no-fund --loglevel=error
node build.mjs --check
npx vitest run
