#!/bin/bash
# code-server helper. usage: cs.sh start <state-dir> [code-server args...] | cs.sh stop <state-dir>
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
action=$1; STATE=$2; shift 2
PORT=${CS_PORT:-8080}
case $action in
start)
  mkdir -p "$STATE/user-data" "$STATE/extensions"
  nohup "$CACHE/cs/node_modules/.bin/code-server" --config "$STATE/config.yaml" \
    --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
    --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions" "$@" > "$STATE/code-server.log" 2>&1 &
  echo $! > "$STATE/code-server.pid"
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && exit 0
    kill -0 "$(cat "$STATE/code-server.pid")" 2>/dev/null || break
    sleep 0.5
  done
  echo "code-server did not come up:"; tail -20 "$STATE/code-server.log"; exit 1 ;;
stop)
  [ -f "$STATE/code-server.pid" ] || exit 0
  PID=$(cat "$STATE/code-server.pid"); rm -f "$STATE/code-server.pid"
  desc() { for c in $(ps -o pid= --ppid "$1"); do echo "$c"; desc "$c"; done; }
  ALL="$PID $(desc "$PID")"
  kill -TERM $ALL 2>/dev/null
  for _ in $(seq 1 10); do
    alive=""; for p in $ALL; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
    [ -z "$alive" ] && exit 0
    sleep 0.5
  done
  kill -KILL $alive 2>/dev/null; exit 0 ;;
esac
