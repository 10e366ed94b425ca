#!/bin/bash
# Neovim 0.7 (Debian `neovim`) headless: attach to `copiloto serve`, get a textDocument/completion. Exit 0 on success.
# env: COPILOTO_SERVER_COMMAND (default <repo>/.venv/bin/copiloto serve)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
command -v nvim >/dev/null || { echo "nvim not installed (scripts/setup.sh installs it)"; exit 1; }
SERVER_CMD=${COPILOTO_SERVER_COMMAND:-$REPO_ROOT/.venv/bin/copiloto serve}
export COPILOTO_NVIM_CMD=$(python3 -c 'import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))' "$SERVER_CMD")
D=$CACHE/nvim-ws; rm -rf "$D"; mkdir -p "$D"
printf 'def add(a, b):\n    \n' > "$D/add.py"
export COPILOTO_NVIM_FILE=$D/add.py
timeout 180 nvim --headless -u NONE -i NONE --noplugin -c "luafile $CLIENT_DIR/test/nvim/completion.lua" 2>&1
