#!/bin/bash
# Build the extension: settings drift check, type check, esbuild bundle, then (with --vsix) the server wheel and its
# constraints in dist/server/ and the .vsix (which carries them) in dist/.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CLIENT_DIR"
node scripts/gen-settings.mjs --check
node_modules/.bin/tsc -p . --noEmit
node_modules/.bin/esbuild src/extension.ts --bundle --platform=node --target=node20 --format=cjs \
  --external:vscode --minify --sourcemap --log-level=warning --outfile=dist/extension.js
if [ "${1:-}" = --vsix ]; then
  version=$(node -p 'require("./package.json").version')
  # The server goes inside the .vsix: the wheel of this checkout and the versions the tests ran with
  # ($REPO_ROOT/server/constraints.txt); "Copiloto: Install server" pip-installs them (src/extension.ts installPlan).
  # Built from a copy of pyproject.toml, README.md and server/ (no __pycache__, egg-info or stale build/ folder);
  # -h: copiloto/models/catalog.toml is a symlink to the repo's models/catalog.toml, the wheel has the file.
  rm -rf dist/server; mkdir -p dist/server
  py=${COPILOTO_PYTHON:-$REPO_ROOT/.venv/bin/python}; [ -x "$py" ] || py=python3
  src=$(mktemp -d); trap 'rm -rf "$src"' EXIT
  tar -C "$REPO_ROOT" -h --exclude=__pycache__ --exclude='*.pyc' --exclude='*.egg-info' -cf - pyproject.toml README.md server \
    | tar -C "$src" -xf -
  # (setuptools' warnings are shown only when the build fails)
  out=$(PIP_DISABLE_PIP_VERSION_CHECK=1 "$py" -m pip wheel --quiet --no-deps -w dist/server "$src" 2>&1) \
    || { echo "$out" >&2; echo "build.sh: building the server wheel failed ($py -m pip wheel $REPO_ROOT)" >&2; exit 1; }
  cp "$REPO_ROOT/server/constraints.txt" dist/server/constraints.txt
  wheel=$(ls dist/server/copiloto-*.whl)
  [ "$(ls dist/server/*.whl | wc -l)" = 1 ] || { echo "build.sh: expected one wheel in dist/server: $wheel" >&2; exit 1; }
  # the package data the installed server reads (a missing one only shows when a user starts it)
  "$py" - "$wheel" <<'PY' || exit 1
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ["copiloto/models/catalog.toml", "copiloto/cloud/redact/rules/gitleaks.toml", "copiloto/lsp/server.py"]
missing = [n for n in need if n not in names]
if missing:
    sys.exit(f"build.sh: {sys.argv[1]} lacks {', '.join(missing)}")
PY
  # the bundle is already built (--no-dependencies); vscode:prepublish only re-checks the settings
  "$CACHE/tools/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository --skip-license \
    --no-update-package-json --no-git-tag-version --no-rewrite-relative-links \
    -o "dist/copiloto-$version.vsix" >/dev/null </dev/null
  echo "built dist/copiloto-$version.vsix ($(du -k "dist/copiloto-$version.vsix" | cut -f1) KB; server: $wheel)"
fi
