# Shared by run.sh and test.sh: a venv with the pinned dependencies, RabbitMQ and PostgreSQL up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"  # eventlet warns of its own deprecation at every import
export AMQP_URI="${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672//}"
PY="$ROOT/.venv/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

setup_venv() {
  local stamp=".venv/.installed"
  local want
  want="$(cat requirements.txt */pyproject.toml services/*/pyproject.toml | sha1sum | cut -c1-12)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  say "installing Python dependencies into .venv"
  command -v python3 >/dev/null || { echo "python3 (3.11) is needed: apt-get install -y python3 python3-venv" >&2; exit 1; }
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --upgrade "pip" >/dev/null
  .venv/bin/pip install -q -r requirements.txt
  local pkgs=(-e contracts -e toolkit -e gateway)
  for svc in services/*/; do [ -f "$svc/pyproject.toml" ] && pkgs+=(-e "$svc"); done
  .venv/bin/pip install -q --no-build-isolation --no-deps "${pkgs[@]}"
  echo "$want" > "$stamp"
}

ensure_form_tools() {
  # the documents service sets the forms with Debian's fonts (Noto CJK for the Chinese, DejaVu Sans
  # for the check boxes); its tests read the PDFs back with poppler's pdftotext and pdffonts
  command -v fc-list >/dev/null && fc-list 2>/dev/null | grep "Noto Serif CJK SC" >/dev/null && command -v pdftotext >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing the forms' fonts and poppler-utils (Debian packages)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk fonts-dejavu-core poppler-utils >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk fonts-dejavu-core poppler-utils >/dev/null; }
  else
    echo "the forms need Debian's fonts-noto-cjk, fonts-dejavu-core and poppler-utils: sudo apt-get install -y fonts-noto-cjk fonts-dejavu-core poppler-utils" >&2
  fi
}

ensure_office() {
  # the tests open the Word and Excel files in LibreOffice (the issue's "they open in LibreOffice")
  command -v libreoffice >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing LibreOffice (writer, calc; Debian packages) for the tests of the Word and Excel files"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-writer-nogui \
      libreoffice-calc-nogui >/dev/null || echo "LibreOffice could not be installed: its tests will fail" >&2
  fi
}

ensure_browser() {
  # the console's tests drive Debian's chromium (tests/browser.py; Playwright from requirements.txt)
  command -v chromium >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing chromium (Debian package) for the console's browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null \
      || echo "chromium could not be installed: the console's tests will fail" >&2
  fi
}

ensure_node() {
  # the event catalog's test fetches the AsyncAPI schema with npm (gateway/tests/test_asyncapi.py)
  command -v npm >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing npm (Debian package) to fetch the AsyncAPI schema"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >/dev/null \
      || echo "npm could not be installed: the event catalog's test will fail" >&2
  fi
}

ensure_ops_tools() {
  # PgBouncer (toolkit/tests/test_pooler.py runs database work through deploy/pgbouncer's settings)
  # and promtool (checks deploy/monitoring's alert rules), from Debian's packages, unpacked into
  # .venv/ops: their programs only, no daemon installed or started
  [ -x .venv/ops/usr/sbin/pgbouncer ] && [ -x .venv/ops/usr/bin/promtool ] && return
  command -v apt-get >/dev/null || { echo "pgbouncer and promtool come from Debian's packages: their tests will fail" >&2; return; }
  say "unpacking pgbouncer and promtool (Debian packages) into .venv/ops"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && apt-get download pgbouncer prometheus >/dev/null 2>&1) \
    || { [ "$(id -u)" = 0 ] && apt-get update -q >/dev/null && (cd "$tmp" && apt-get download pgbouncer prometheus >/dev/null 2>&1); } \
    || { echo "pgbouncer and promtool could not be downloaded: their tests will fail" >&2; rm -rf "$tmp"; return; }
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" .venv/ops; done
  rm -rf "$tmp"
  # the one library PgBouncer needs that a Debian machine may lack
  if ! ldconfig -p | grep -q libcares.so.2 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libc-ares2 >/dev/null \
      || echo "libc-ares2 could not be installed: the pooler's test will fail" >&2
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # port, name, seconds
  for _ in $(seq 1 "$3"); do port_open "$1" && return 0; sleep 1; done
  echo "$2 did not come up on port $1" >&2; return 1
}

ensure_postgres() {
  port_open 5432 && return
  say "starting PostgreSQL"
  if command -v pg_lsclusters >/dev/null; then
    local ver; ver="$(pg_lsclusters -h | awk 'NR==1{print $1}')"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  else
    echo "PostgreSQL is not installed. Install it with: apt-get install -y postgresql" >&2
    echo "(or, where Docker runs: docker compose -f deploy/compose.yaml up -d postgres rabbitmq)" >&2
    exit 1
  fi
  wait_port 5432 PostgreSQL 30
}

ensure_rabbitmq() {
  port_open 5672 && return
  say "starting RabbitMQ"
  if command -v rabbitmq-server >/dev/null; then
    rabbitmq-server -detached || true
  else
    echo "RabbitMQ is not installed. Install it with: apt-get install -y rabbitmq-server" >&2
    echo "(or, where Docker runs: docker compose -f deploy/compose.yaml up -d postgres rabbitmq)" >&2
    exit 1
  fi
  wait_port 5672 RabbitMQ 60
}

migrate() {
  say "migrating service schemas in ${DATABASE_URL}"
  "$PY" -m toolkit.migrate
}
