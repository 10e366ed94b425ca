#!/bin/bash
# One entry point: install/cache the tools, build + package the extension, then run
#   1. the extension integration tests inside real VS Code (code-server + headless chromium), real server + tiny model
#   2. a browser check that ghost text is visible with the packaged .vsix (screenshot in .cache/artifacts/)
#   3. the Neovim 0.7 headless test (textDocument/completion)
# plus, in VS Code, Restricted Mode (test/suite/untrusted.js) and a GLPI workspace (test/suite/glpi.js on a copy of
# test/fixtures/glpi: log diagnostics, file watching, "Deep review with Claude", without a key and with one against
# tests/fake_api.py, which glpi.js starts from $COPILOTO_REPO).
# Env: COPILOTO_SERVER_COMMAND="path/to/copiloto serve" (default: <repo>/.venv/bin/copiloto serve, found by the
# extension through the test workspace's .venv), CS_PORT (default 18080), SKIP_NVIM=1, SKIP_GHOST=1,
# ONLY=phase[,phase…] to run some phases only: ext, restricted, glpi, ghost, nvim (e.g. ONLY=glpi).
set -uo pipefail
# The extension tests run a real "Copiloto: Install server" (pip install of the bundled wheel): pip keeps its own
# cache (the llama-cpp-python wheel `make install` compiled), not the XDG_CACHE_HOME env.sh points into .cache/.
PIP_CACHE_DIR=${PIP_CACHE_DIR:-$(python3 -m pip cache dir 2>/dev/null)} && export PIP_CACHE_DIR || unset PIP_CACHE_DIR
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export CS_PORT=${CS_PORT:-18080}
ART=$CACHE/artifacts; export ARTIFACTS=$ART
T0=$(date +%s)
say() { echo "[test.sh +$(( $(date +%s) - T0 ))s] $*"; }
rm -rf "$ART"; mkdir -p "$ART"
want() { [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$1,"* ]]; }  # phase selected?
# the suites set a key starting with this prefix: it must not end up in logs, settings or the workspace
leak_check() {  # leak_check PHASE PATH...
  local found; found=$(grep -rla 'sk-ant-copiloto-test-' "${@:2}" 2>/dev/null | head -3 | tr '\n' ' ')
  [ -z "$found" ] || RESULTS+=("FAIL the test API key leaked into logs/settings ($1): $found")
}
# code-server (and so the extension host and the suites) inherit it: glpi.js runs tests/fake_api.py from there
export COPILOTO_REPO=$REPO_ROOT

say "setup"; bash "$CLIENT_DIR/scripts/setup.sh" || { say "FAIL setup"; exit 1; }
say "build"; bash "$CLIENT_DIR/scripts/build.sh" --vsix || { say "FAIL build"; exit 1; }
VSIX=$(ls "$CLIENT_DIR"/dist/copiloto-*.vsix | head -1)

# the server the extension starts
SERVER_CMD=${COPILOTO_SERVER_COMMAND:-}
VENV=$REPO_ROOT/.venv
if [ -z "$SERVER_CMD" ] && [ ! -x "$VENV/bin/copiloto" ]; then say "FAIL no server: $VENV/bin/copiloto missing (run make install) or set COPILOTO_SERVER_COMMAND"; exit 1; fi

# a fresh test workspace (re-made before each phase: a failed test may leave settings behind)
make_ws() {  # (re)creates $WS
WS=$CACHE/ws; rm -rf "$WS"; mkdir -p "$WS/.vscode"
printf 'def add(a, b):\n    \n' > "$WS/add.py"
ws_settings
}
# a GLPI workspace: the fixture's files/_log/php-errors.log and src/Foo.php, same server and settings
make_glpi_ws() {  # (re)creates $WS
WS=$CACHE/ws-glpi; rm -rf "$WS"; mkdir -p "$WS"
cp -r "$CLIENT_DIR/test/fixtures/glpi/." "$WS/"; mkdir -p "$WS/.vscode"
ws_settings
}
ws_settings() {  # the server (the repo's .venv, or COPILOTO_SERVER_COMMAND) and the settings of $WS
CMD_LINE=
if [ -z "$SERVER_CMD" ]; then ln -s "$VENV" "$WS/.venv"; else
  CMD_LINE="\"copiloto.server.command\": $(python3 -c 'import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))' "$SERVER_CMD"),"; fi
cat > "$WS/.vscode/settings.json" <<JSON
{
  $CMD_LINE
  "copiloto.engine.request_timeout_s": 30,
  "copiloto.log_level": "debug",
  "files.watcherExclude": { "**/.venv/**": true },
  "files.exclude": { "**/.venv": true },
  "workbench.startupEditor": "none",
  "editor.inlineSuggest.enabled": true,
  "chat.disableAIFeatures": true,
  "git.enabled": false,
  "git.openRepositoryInParentFolders": "never"
}
JSON
}

S=$CACHE/cs-state
cleanup() { bash "$CLIENT_DIR/scripts/cs.sh" stop "$S" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup; rm -rf "$S"; mkdir -p "$S"
"$CACHE/cs/node_modules/.bin/code-server" --config "$S/config.yaml" --user-data-dir "$S/user-data" \
  --extensions-dir "$S/extensions" --install-extension "$VSIX" > "$ART/install.log" 2>&1 || { say "FAIL installing $VSIX"; cat "$ART/install.log"; exit 1; }

RESULTS=()
# 1. extension tests (the extension under development, from this folder)
if want ext; then
make_ws
say "start code-server (port $CS_PORT)"
bash "$CLIENT_DIR/scripts/cs.sh" start "$S" --disable-workspace-trust --vscode-option enable-smoke-test-driver || exit 1
say "extension tests in VS Code"
# (about 2.5 minutes, plus the real server install: under a minute with pip's cached llama-cpp-python wheel, 5-20
# without it)
(cd "$CLIENT_DIR" && TEST_TIMEOUT_MS=1500000 timeout 1560 node test/e2e/exttest.js "$CLIENT_DIR" "$CLIENT_DIR/test/suite/index.js" "$WS") > "$ART/exttest.log" 2>&1
A=$?; grep -E '\[suite' "$ART/exttest.log" | sed 's/^.*\[suite/  [suite/' | grep -vE '^\s*$'
[ $A = 0 ] && RESULTS+=("PASS vscode-extension-tests") || { RESULTS+=("FAIL vscode-extension-tests (see $ART/exttest.log)"); tail -30 "$ART/exttest.log"; }
cp -r "$S/user-data/logs" "$ART/vscode-logs-exttest" 2>/dev/null
leak_check ext "$ART/vscode-logs-exttest" "$ART/exttest.log" "$S/code-server.log" "$WS" "$S/user-data/User/settings.json"
ls -R "$ART/vscode-logs-exttest" 2>/dev/null | grep -qi copiloto || RESULTS+=("FAIL no Copiloto log file under $ART/vscode-logs-exttest")
cleanup
fi

# 1b. Restricted Mode: the workspace's server command and .venv are not used
if want restricted; then
say "restricted mode (untrusted workspace)"
make_ws
python3 - "$WS/.vscode/settings.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p)); d["copiloto.server.command"] = ["/workspace-chosen/evil", "serve"]
# a workspace that would send every save to Claude, without a budget, with a long sandbox
d.update({"copiloto.orchestrate.review": "concurrent", "copiloto.orchestrate.tests": "concurrent",
          "copiloto.cloud.daily_token_budget": 0, "copiloto.cloud.max_tokens": 64000,
          "copiloto.review.handoff_severity": "warning", "copiloto.tests.timeout_s": 300})
json.dump(d, open(p, "w"), indent=2)
PY
bash "$CLIENT_DIR/scripts/cs.sh" start "$S" --vscode-option enable-smoke-test-driver || exit 1
(cd "$CLIENT_DIR" && TEST_TIMEOUT_MS=120000 timeout 150 node test/e2e/exttest.js "$CLIENT_DIR" "$CLIENT_DIR/test/suite/untrusted.js" "$WS") > "$ART/untrusted.log" 2>&1
U=$?; grep -E '\[suite' "$ART/untrusted.log" | sed 's/^.*\[suite/  [suite/'
[ $U = 0 ] && RESULTS+=("PASS vscode-restricted-mode") || { RESULTS+=("FAIL vscode-restricted-mode (see $ART/untrusted.log)"); tail -20 "$ART/untrusted.log"; }
cleanup
fi

# 1c. GLPI workspace: activation without an open file, log diagnostics + VS Code's file watcher, deep review
if want glpi; then
say "GLPI workspace (logs, file watching, deep review)"
make_glpi_ws
bash "$CLIENT_DIR/scripts/cs.sh" start "$S" --disable-workspace-trust --vscode-option enable-smoke-test-driver || exit 1
(cd "$CLIENT_DIR" && TEST_TIMEOUT_MS=360000 timeout 400 node test/e2e/exttest.js "$CLIENT_DIR" "$CLIENT_DIR/test/suite/glpi.js" "$WS") > "$ART/glpi.log" 2>&1
G=$?; grep -E '\[suite' "$ART/glpi.log" | sed 's/^.*\[suite/  [suite/'
[ $G = 0 ] && RESULTS+=("PASS vscode-glpi-logs-deep-review") || { RESULTS+=("FAIL vscode-glpi-logs-deep-review (see $ART/glpi.log)"); tail -30 "$ART/glpi.log"; }
cp -r "$S/user-data/logs" "$ART/vscode-logs-glpi" 2>/dev/null
leak_check glpi "$ART/vscode-logs-glpi" "$ART/glpi.log" "$S/code-server.log" "$WS" "$S/user-data/User/settings.json"
cleanup
fi

# 2. ghost text in the browser, packaged .vsix
if [ "${SKIP_GHOST:-}" != 1 ] && want ghost; then
  say "ghost text in the browser (installed .vsix)"
  make_ws
  bash "$CLIENT_DIR/scripts/cs.sh" start "$S" --disable-workspace-trust || exit 1
  (cd "$CLIENT_DIR" && timeout 300 node test/e2e/ghost.js "$WS") > "$ART/ghost.log" 2>&1
  B=$?; sed 's/^/  /' "$ART/ghost.log" | grep -E 'ghost|Error' | head -20
  [ $B = 0 ] && RESULTS+=("PASS vscode-ghost-text ($ART/ghost-text.png)") || RESULTS+=("FAIL vscode-ghost-text (see $ART/ghost.log)")
  cp -r "$S/user-data/logs" "$ART/vscode-logs-ghost" 2>/dev/null
  cleanup
fi

# 3. Neovim
if [ "${SKIP_NVIM:-}" != 1 ] && want nvim; then
  say "neovim"
  bash "$CLIENT_DIR/scripts/nvim-test.sh" > "$ART/nvim.log" 2>&1
  N=$?; sed 's/^/  /' "$ART/nvim.log" | tail -5
  [ $N = 0 ] && RESULTS+=("PASS nvim-completion") || RESULTS+=("FAIL nvim-completion (see $ART/nvim.log)")
fi

say "results:"; printf '  %s\n' "${RESULTS[@]}"
printf '%s\n' "${RESULTS[@]}" | grep -q '^FAIL' && exit 1
exit 0
