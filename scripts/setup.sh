#!/usr/bin/env bash
# Installs what Signalbook needs on a fresh Debian machine and restores the solution.
# Idempotent: every step checks first. Used by scripts/start.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

need_apt=()
if [ "${SIGNALBOOK_SETUP_POSTGRES:-1}" = "1" ]; then ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need_apt+=(postgresql); fi
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
# The models' independent check (App.Tests/Features/Models) trains Debian's xgboost and scikit-learn.
/usr/bin/python3 -c 'import sklearn, xgboost' >/dev/null 2>&1 || need_apt+=(python3-sklearn python3-xgboost)
if [ "${SIGNALBOOK_SETUP_BROWSER:-0}" = "1" ] && [ ! -x /usr/bin/chromium ]; then need_apt+=(chromium fonts-dejavu-core); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "Missing packages: ${need_apt[*]}. Install them (sudo apt-get install ${need_apt[*]}) and run this again." >&2
    exit 1
  fi
  log "Installing ${need_apt[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

command -v dotnet >/dev/null 2>&1 || { echo "The .NET 10 SDK is required (dotnet not found)." >&2; exit 1; }

log "Restoring NuGet packages"
dotnet restore Blazor.sln --nologo -v quiet
