#!/usr/bin/env bash
# Starts Signalbook with demo data on http://127.0.0.1:5080 (override with SIGNALBOOK_URLS).
# First run: installs what is missing, builds, creates a private PostgreSQL cluster in
# App/.data/postgres and prints the first admin's generated password. Ctrl+C stops the app
# and its database.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "[start] Building (Release)"
dotnet build App/App.csproj -c Release --nologo -v quiet
urls="${SIGNALBOOK_URLS:-http://127.0.0.1:5080}"
echo "[start] Starting Signalbook on $urls with demo data (trader@signalbook.local / Demo-Password-2026)"
exec dotnet run --project App/App.csproj -c Release --no-build -- --demo --urls "$urls"
