#!/usr/bin/env bash
# Runs the whole test suite (unit, integration, end-to-end) against real RabbitMQ and PostgreSQL.
source "$(dirname "$0")/common.sh"
export DATABASE_URL="${TEST_DATABASE_URL:-postgresql+psycopg2://root@127.0.0.1:5432/test}"
setup_venv
ensure_form_tools
ensure_ops_tools
[ -n "${CI:-}" ] && ensure_office
[ -n "${CI:-}" ] && ensure_browser
[ -n "${CI:-}" ] && ensure_node
ensure_postgres
ensure_rabbitmq
# tests get a vhost of their own, so a demo running beside them never takes their messages
if [ -z "${TEST_AMQP_URI:-}" ] && command -v rabbitmqctl >/dev/null; then
  rabbitmqctl -q add_vhost sbd_test >/dev/null 2>&1 || true
  rabbitmqctl -q set_permissions -p sbd_test guest ".*" ".*" ".*" >/dev/null 2>&1 && TEST_AMQP_URI="amqp://guest:guest@127.0.0.1:5672/sbd_test"
fi
export AMQP_URI="${TEST_AMQP_URI:-$AMQP_URI}"
say "tests against $DATABASE_URL and $AMQP_URI"
exec "$PY" -m pytest "$@"
