#!/usr/bin/env bash
# Set up county-rag on a fresh machine: system packages (when root and missing), a virtual
# environment in .venv, the CPU build of torch, and the project. Safe to run again.
# Usage: scripts/setup.sh [test]   ("test" also installs the test tools, the browser and
# PostgreSQL, whose server the tests start in a temporary folder: scripts/postgres.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"

need=()
if [ "$extra" = "test" ]; then
  command -v chromium >/dev/null || need+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
fi
# LibreOffice converts legacy Word files (.doc, .wps); without its recommends ~280 MB, ~30 s
lean=()
command -v soffice >/dev/null || lean+=(libreoffice-writer-nogui)
if [ ${#need[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need[*]} ${lean[*]} (apt-get)"
    apt-get update -qq
    export DEBIAN_FRONTEND=noninteractive
    [ ${#need[@]} -eq 0 ] || apt-get install -y -qq "${need[@]}" >/dev/null
    [ ${#lean[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
  else
    echo "please install: ${need[*]} ${lean[*]} (Debian packages)" >&2
  fi
fi

# pip is the last thing venv installs: a venv left half-made by an interrupted setup is completed.
[ -x .venv/bin/pip ] || python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
# The CPU build first: an unpinned torch would pull gigabytes of CUDA packages.
python -m pip install -q torch==2.13.0
if [ "$extra" = "test" ]; then
  python -m pip install -q -e ".[test]"
else
  python -m pip install -q -e .
fi
