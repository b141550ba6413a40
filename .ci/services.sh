#!/usr/bin/env bash
# Makes sure the machine's PostgreSQL and Redis answer, starting them if they
# stopped, and that the test database exists. Versions and paths are looked up.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=6379

postgres_answers() { pg_isready -h "$PG_HOST" -p "$PG_PORT" -q 2>/dev/null; }
redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

if ! postgres_answers; then
  echo "PostgreSQL is not answering; starting it"
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do postgres_answers && break; sleep 1; done
fi
postgres_answers || { echo "FAIL: PostgreSQL does not answer on $PG_HOST:$PG_PORT" >&2; exit 1; }

if ! redis_answers; then
  echo "Redis is not answering; starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no
  for _ in $(seq 1 30); do redis_answers && break; sleep 1; done
fi
redis_answers || { echo "FAIL: Redis does not answer on port $REDIS_PORT" >&2; exit 1; }

exists=$(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atc \
  "SELECT 1 FROM pg_database WHERE datname = 'test'")
if [ "$exists" != "1" ]; then
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE test"
fi
echo "PostgreSQL $(psql -h "$PG_HOST" -U postgres -d test -Atc 'SHOW server_version') and Redis $(redis-cli info server | grep redis_version | cut -d: -f2 | tr -d '\r') answer"
