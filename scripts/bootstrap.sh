#!/usr/bin/env bash
# One entry point for a fresh machine (Debian, Python >= 3.11, Node >= 20):
#   scripts/bootstrap.sh serve [bgremove-serve args]   install everything, then serve the app
#   scripts/bootstrap.sh test  [pytest args]           install everything, then run every test
#   scripts/bootstrap.sh setup                         install everything only
# Every step is idempotent and skips work whose inputs did not change.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
STAMPS="$ROOT/.cache/bootstrap"
mkdir -p "$STAMPS"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }

fingerprint() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

check_tools() {
  local py
  py=$(command -v python3) || die "python3 not found: install Python 3.11 or newer"
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python >= 3.11 needed, found $("$py" --version)"
  command -v node >/dev/null || die "node not found: install Node.js 20 or newer"
  node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)' || die "Node.js >= 20 needed, found $(node --version)"
  command -v npm >/dev/null || die "npm not found"
}

python_env() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtual environment in .venv"
    python3 -m venv "$VENV"
  fi
  local want have
  want=$(fingerprint pyproject.toml bgcut/pyproject.toml)
  have=$(cat "$STAMPS/pip" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    say "installing Python packages (torch pinned to the CPU build)"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -e ./bgcut -e '.[export,web,batch,dev]'
    echo "$want" > "$STAMPS/pip"
  fi
}

node_env() {
  local want have
  want=$(fingerprint package.json package-lock.json)
  have=$(cat "$STAMPS/npm" 2>/dev/null || true)
  if [ "$want" != "$have" ] || [ ! -d node_modules ]; then
    say "installing front-end runtimes (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$STAMPS/npm"
  fi
}

build_assets() {
  # U²-Netp and U²-Net by default; BGREMOVE_MODELS=u2netp builds the fast model only (README, Models).
  say "building models ${BGREMOVE_MODELS:-u2netp,u2net} (skipped when unchanged)"
  "$VENV/bin/python" -m model_export build
  say "assembling web runtimes (skipped when unchanged)"
  "$VENV/bin/python" -m webbuild
}

setup() {
  check_tools
  python_env
  node_env
  build_assets
}

ensure_chromium() {
  local chromium="${BGREMOVE_CHROMIUM:-/usr/bin/chromium}"
  [ -x "$chromium" ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    die "Chromium not found at $chromium: run 'sudo apt-get install chromium' (or set BGREMOVE_CHROMIUM)"
  fi
}

# The static-export tests serve the exported folder with Debian's nginx (and its brotli_static
# module) and Debian's Caddy, and compare every header with our own server's.
NGINX_BROTLI=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
ensure_web_servers() {
  local nginx="${BGREMOVE_NGINX:-/usr/sbin/nginx}" caddy="${BGREMOVE_CADDY:-/usr/bin/caddy}"
  [ -x "$nginx" ] && [ -f "$NGINX_BROTLI" ] && [ -x "$caddy" ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's nginx (with brotli_static) and Caddy for the static-export tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-brotli-static caddy >/dev/null
  else
    die "nginx ($nginx, with $NGINX_BROTLI) or Caddy ($caddy) not found: run 'sudo apt-get install nginx libnginx-mod-http-brotli-static caddy' (or set BGREMOVE_NGINX / BGREMOVE_CADDY)"
  fi
}

run_tests() {
  ensure_chromium
  ensure_web_servers
  say "ruff"
  "$VENV/bin/ruff" check .
  say "pytest"
  local rc=0
  "$VENV/bin/python" -m pytest "$@" || rc=$?
  # pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
  [ "$rc" = 5 ] && die "pytest collected no tests"
  return "$rc"
}

cmd="${1:-setup}"
shift || true
case "$cmd" in
  setup) setup ;;
  serve) setup; exec "$VENV/bin/bgremove-serve" "$@" ;;
  test) setup; run_tests "$@" ;;
  *) die "unknown command '$cmd' (use: setup, serve, test)" ;;
esac
