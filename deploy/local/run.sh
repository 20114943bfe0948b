#!/usr/bin/env bash
# Runs the platform on this machine: every service and the gateway, with the demo city loaded.
source "$(dirname "$0")/common.sh"
export DATABASE_URL="${DATABASE_URL:-postgresql+psycopg2://root@127.0.0.1:5432/root}"
GATEWAY_PORT="${GATEWAY_PORT:-8000}"
export GATEWAY_ADDRESS="0.0.0.0:${GATEWAY_PORT}"

setup_venv
ensure_form_tools
# a platform already running here would answer on these ports, and this one would report "up"
# against it: say so instead of starting a second
for svc in services/*/ gateway/; do
  port="$(sed -n 's/^WEB_SERVER_ADDRESS:.*:\([0-9]*\)}$/\1/p' "$svc/config.yaml" 2>/dev/null)"
  [ "$svc" = gateway/ ] && port="$GATEWAY_PORT"
  if [ -n "$port" ] && port_open "$port"; then
    echo "port $port ($(basename "$svc")) is already in use: is another 'make run' still running?" \
         "Stop it (Ctrl-C in its terminal, or: pkill -f 'nameko run') and try again." >&2
    exit 1
  fi
done
ensure_postgres
ensure_rabbitmq
# the gateway connects as its own role, which may only add to the audit log (gateway/dbrole.py;
# migration 0002 of the gateway makes it); migrations still run as DATABASE_URL's user
export GATEWAY_DATABASE_URL="${GATEWAY_DATABASE_URL:-$("$PY" -m gateway.dbrole url "$DATABASE_URL")}"
migrate
say "loading the demo city"
(cd services/registration && "$PY" -m registration.city demo)
mkdir -p var
# tokens are signed with a secret of this machine's own, made once
[ -s var/jwt-secret ] || (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(48))' > var/jwt-secret)
export GATEWAY_JWT_SECRET="${GATEWAY_JWT_SECRET:-$(cat var/jwt-secret)}"
# ... and the caller the gateway hands each service with another (contracts/access.py)
[ -s var/rpc-secret ] || (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(48))' > var/rpc-secret)
export RPC_CONTEXT_SECRET="${RPC_CONTEXT_SECRET:-$(cat var/rpc-secret)}"
say "demo accounts, one for each role"
"$PY" -m registration.city demo-nodes > var/demo-nodes.json
"$PY" -m gateway.cli demo var/demo-nodes.json

mkdir -p var/log var/documents
export DOCUMENTS_FILES_DIR="${DOCUMENTS_FILES_DIR:-$ROOT/var/documents}"  # finished forms (documents.files)
pids=()
stop() { say "stopping"; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM
# subscribers before publishers: a service's queues must exist before the registration relay
# sends the demo city's events, or it never hears of the demo's members
for svc in $(ls -d services/*/ | grep -v '/registration/') services/registration/; do
  name="$(basename "$svc")"
  [ -f "$svc/config.yaml" ] || continue
  say "starting $name (log: var/log/$name.log)"
  (cd "$svc" && exec "$ROOT/.venv/bin/nameko" run --config config.yaml "$name.service") >"var/log/$name.log" 2>&1 &
  pids+=($!)
  # its web port (from config.yaml's default) answers once it consumes: then the next one
  port="$(sed -n 's/^WEB_SERVER_ADDRESS:.*:\([0-9]*\)}$/\1/p' "$svc/config.yaml")"
  [ -n "$port" ] && wait_port "$port" "$name" 60
done
say "starting gateway (log: var/log/gateway.log)"
(cd gateway && exec "$ROOT/.venv/bin/nameko" run --config config.yaml gateway.service) >var/log/gateway.log 2>&1 &
pids+=($!)
wait_port "$GATEWAY_PORT" gateway 30
cat <<MSG

  双报到 platform is up.
    demo accounts  demo.city demo.district demo.street demo.community demo.community2 demo.unit demo.member
                   (password Sbd-demo-2026; README.md, "Try it", shows how to log in)
    API            http://127.0.0.1:${GATEWAY_PORT}/api/v1/districts   (with Authorization: Bearer <token>)
    API docs       http://127.0.0.1:${GATEWAY_PORT}/docs   (OpenAPI: /openapi.json)
    demo community http://127.0.0.1:${GATEWAY_PORT}/api/v1/communities/410105001001/database
    metrics        http://127.0.0.1:${GATEWAY_PORT}/metrics, registration :8001, volunteering :8002, scoring :8003, feedback :8004, documents :8005 (/metrics)
    events         .venv/bin/python -m toolkit.listen registration   (or volunteering, scoring, feedback)
    walkthrough    README.md, "Try it"
  Ctrl-C stops everything.

MSG
wait
