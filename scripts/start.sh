#!/usr/bin/env bash
# Set up (if needed), index a folder of documents, and open the chat.
# Usage: scripts/start.sh DOCS_FOLDER [more folders...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: scripts/start.sh DOCS_FOLDER" >&2; exit 2; }
folders=()
for f in "$@"; do folders+=("$(realpath "$f")"); done
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/county-rag ingest "${folders[@]}" || echo "(some files were not indexed: see the lines above)"
exec .venv/bin/county-rag serve --open
