#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use answers on 127.0.0.1:5432, starting the local cluster if it is down.
set -euo pipefail
host=127.0.0.1; port=5432
ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
ready && exit 0
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf "%f\n" | sort -V | tail -n 1)
  echo "==> starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
fi
cat >&2 <<MSG
PostgreSQL is not answering on $host:$port and could not be started.
The tests need it (trust auth for user postgres). Start it, or point TEST_DATABASE_URL at one.
Locally only, TRANSCRIBE_SKIP_POSTGRES=1 skips the PostgreSQL pass (CI refuses that).
MSG
exit 1
