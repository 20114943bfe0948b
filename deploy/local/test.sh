#!/usr/bin/env bash
# Runs the whole test suite (unit, integration, end-to-end) against real RabbitMQ and PostgreSQL.
source "$(dirname "$0")/common.sh"
export DATABASE_URL="${TEST_DATABASE_URL:-postgresql+psycopg2://root@127.0.0.1:5432/test}"
setup_venv
ensure_postgres
ensure_rabbitmq
exec "$PY" -m pytest "$@"
