#!/bin/bash
# Build the extension: settings drift check, type check, esbuild bundle, then (with --vsix) the .vsix in dist/.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CLIENT_DIR"
node scripts/gen-settings.mjs --check
node_modules/.bin/tsc -p . --noEmit
node_modules/.bin/esbuild src/extension.ts --bundle --platform=node --target=node20 --format=cjs \
  --external:vscode --minify --sourcemap --log-level=warning --outfile=dist/extension.js
if [ "${1:-}" = --vsix ]; then
  version=$(node -p 'require("./package.json").version')
  # the bundle is already built (--no-dependencies); vscode:prepublish only re-checks the settings
  "$CACHE/tools/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository --skip-license \
    --no-update-package-json --no-git-tag-version --no-rewrite-relative-links \
    -o "dist/copiloto-$version.vsix" >/dev/null </dev/null
  echo "built dist/copiloto-$version.vsix ($(du -k "dist/copiloto-$version.vsix" | cut -f1) KB)"
fi
