#!/usr/bin/env bash
# The official Sentry SDKs the compatibility tests (tests/sentry/) drive, in tests/clients:
#
#   npm ci (@sentry/node, @sentry/browser, esbuild; skipped while node_modules matches the
#   lock) -> esbuild bundles browser/src/ into browser/dist/bundle.js (skipped while the
#   bundle is newer than its sources and the lock)
#
# The Python SDK (sentry-sdk) comes from pyproject with the rest of .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../tests/clients"

# npm writes node_modules/.package-lock.json on every install: newer than the committed
# lock means this tree is what `npm ci` would make.
if [[ ! node_modules/.package-lock.json -nt package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
bundle=browser/dist/bundle.js
if [[ ! -f $bundle ]] || [[ -n $(find browser/src build.mjs package-lock.json -newer "$bundle" -print -quit) ]]; then
    node build.mjs
fi
echo "clients: $(node -p 'require("@sentry/node/package.json").version') (node), $(node -p 'require("@sentry/browser/package.json").version') (browser), bundle $(wc -c < "$bundle") bytes"
