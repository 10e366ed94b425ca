#!/bin/bash
# What `make test` needs from the system, checked before anything is built (README, "Prerequisites").
# usage: prereqs.sh [demo|test]   demo: Python, compiler, CMake; test: also npm, chromium, neovim, libkrb5-dev.
# The system packages of `test` may be missing when setup.sh can install them (apt-get, as root or with sudo -n).
set -uo pipefail
part=${1:-test}
PYTHON=${PYTHON:-python3}
missing=()   # "what (the Debian/Ubuntu package)"
apt=()

have() { command -v "$1" >/dev/null 2>&1; }

# ensurepip: Debian leaves it to python3-venv, without which `python3 -m venv` fails
if ! have "$PYTHON" || ! "$PYTHON" -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  missing+=("Python >= 3.11 with venv as $PYTHON"); apt+=(python3 python3-venv)
fi
have c++ || have g++ || have clang++ || { missing+=("a C/C++ compiler"); apt+=(build-essential); }
have cmake || { missing+=("CMake"); apt+=(cmake); }

if [ "$part" = test ]; then
  can_apt=false
  if have apt-get && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then can_apt=true; fi
  system=()
  have npm || system+=(npm)
  have chromium || system+=(chromium)
  have nvim || system+=(neovim)
  { have krb5-config || dpkg -s libkrb5-dev >/dev/null 2>&1; } || system+=(libkrb5-dev)
  if [ ${#system[@]} -gt 0 ] && [ "$can_apt" = false ]; then
    for package in "${system[@]}"; do missing+=("$package"); done
    apt+=("${system[@]}")
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "copiloto: make $part needs: $(IFS=,; echo "${missing[*]}" | sed 's/,/, /g')." >&2
  echo "copiloto: on Debian/Ubuntu: sudo apt-get install -y ${apt[*]}" >&2
  exit 1
fi
