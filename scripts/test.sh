#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite. Extra arguments go to pytest.
# The database tests run on SQLite and on PostgreSQL: unless COUNTY_RAG_TEST_DATABASE_URL names
# a server, a throwaway one is started in a temporary folder (scripts/postgres.sh) and stopped
# at the end; without PostgreSQL installed those tests are skipped, saying why.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export HF_HUB_OFFLINE=1
if [ -z "${COUNTY_RAG_TEST_DATABASE_URL:-}" ]; then
  if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    pgdir="$(mktemp -d)"
    trap 'bash scripts/postgres.sh stop "$pgdir"' EXIT
    eval "$(bash scripts/postgres.sh start "$pgdir")"
  else
    echo "PostgreSQL is not installed: the PostgreSQL tests will be skipped" >&2
  fi
fi
.venv/bin/python -m pytest "$@"
