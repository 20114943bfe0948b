"""A longer schemathesis run against the gateway's served OpenAPI document, signed in.

    .venv/bin/python bench/fuzz_api.py                          # 100 cases per operation/run/mode, a new seed
    .venv/bin/python bench/fuzz_api.py --examples 300 --seed 7  # reproduce a run: same seed, same examples
    .venv/bin/python bench/fuzz_api.py --report /tmp/fuzz.json

Issue figure: "schemathesis against the served OpenAPI document, authenticated: report the cases
run and the server errors found (goal: 0 server errors, every refusal a documented status)."

It is tests/test_openapi_fuzz.py with more examples and, unless --seed is given, a random seed
(the test's own run uses a fixed one, so CI sees the same cases every time). What it does:
  1. isolates itself: PostgreSQL database `bench_fuzz` (created if missing; the test's fixtures
     drop and migrate its `registration` and `gateway` schemas and load the test city), RabbitMQ
     vhost `sbd_fuzz` (recreated), so the demo and the test database are never touched;
  2. runs the test with SBD_FUZZ_EXAMPLES, SBD_FUZZ_SEED and SBD_FUZZ_REPORT set: the platform
     as real processes (tests/conftest.py: gateway on 18100, registration on 18102: these ports
     must be free), every operation fuzzed as described in the test's docstring;
  3. prints the figure and every distinct problem (operation, status, the exception in the log),
     from the JSON report, which holds each case (request, response, curl command, log lines).

Exit status: pytest's (1 if any server error or undocumented status was found).
"""
import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
DB_NAME = "bench_fuzz"
ADMIN_DSN = "postgresql://root@127.0.0.1:5432/root"
DB_URL = f"postgresql+psycopg2://root@127.0.0.1:5432/{DB_NAME}"
VHOST = "sbd_fuzz"
AMQP_URI = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
PORTS = (18100, 18102)  # tests/conftest.py: GATEWAY_PORT, REGISTRATION_PORT


def say(text):
    print(text, flush=True)


def port_free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def prepare_database():
    import psycopg2
    admin = psycopg2.connect(ADMIN_DSN)
    admin.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    admin.close()


def prepare_broker():
    """A fresh vhost: nothing of an aborted run left in its queues."""
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)  # may not exist
    for cmd in (["add_vhost", VHOST], ["set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"]):
        subprocess.run(["rabbitmqctl", "-q", *cmd], check=True, capture_output=True)


def problem_key(item):
    """What makes two failing cases the same problem: operation, status and the error logged (its
    type: the message names the values of the case)."""
    lines = item.get("log") or [""]
    last = lines[-1].split(": unexpected error")[0]
    error = re.split(r"request [0-9a-f]+: ", last)[-1] if "request " in last else last.split(": ", 1)[-1]
    return item["operation"], item["status"], error.split(": ")[0][:100]


def error_of(item):
    """The error logged, or (a refusal logs none) the response."""
    lines = item.get("log")
    return lines[-1].split(": ", 1)[-1][:300] if lines else f"response {(item.get('response') or '')[:200]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="cases per operation, run and mode")
    parser.add_argument("--seed", default="random", help='hypothesis seed, or "random" (default)')
    parser.add_argument("--report", default=None, help="where to write the JSON report")
    args = parser.parse_args()

    busy = [p for p in PORTS if not port_free(p)]
    if busy:
        say(f"ports {busy} are in use (another test run?): wait for it to end and run again")
        return 2
    seed = str(random.randrange(2 ** 32)) if args.seed == "random" else args.seed
    report = args.report or os.path.join(tempfile.mkdtemp(prefix="fuzz_api."), "report.json")
    say(f"setting up: database {DB_NAME}, vhost {VHOST}")
    prepare_database()
    prepare_broker()
    env = {**os.environ, "DATABASE_URL": DB_URL, "AMQP_URI": AMQP_URI, "PYTHONWARNINGS": "ignore",
           "SBD_FUZZ_EXAMPLES": str(args.examples), "SBD_FUZZ_SEED": seed, "SBD_FUZZ_REPORT": report}
    say(f"fuzzing: {args.examples} examples per operation/run/mode, seed {seed}")
    rc = subprocess.run([str(PY), "-m", "pytest", "-q", "--timeout", "0",
                         "tests/test_openapi_fuzz.py"], cwd=ROOT, env=env).returncode

    if not os.path.exists(report):
        say("no report written: the test did not get as far as fuzzing (see above)")
        return rc or 1
    with open(report, encoding="utf-8") as f:
        data = json.load(f)
    problems = data["server_errors"] + data["undocumented_statuses"] + data["other_check_failures"]
    say(f"\nFIGURE: {data['operations']} operations, {data['cases']} cases in {data['seconds']}s (seed {data['seed']}): "
        f"{len(data['server_errors'])} server errors, {len(data['undocumented_statuses'])} undocumented statuses"
        f" -> {'PASS' if not problems else 'FAIL'} (goal: 0 and 0)")
    groups = {}
    for item in problems:
        groups.setdefault(problem_key(item), []).append(item)
    for (operation, status, _), items in sorted(groups.items(), key=lambda kv: (str(kv[0][1]), kv[0][0])):
        first = items[0]
        say(f"  {status}  {operation}  x{len(items)}  {error_of(first)}")
        say(f"        e.g. {first['method']} {first['path']} query={first['query']} body={first['body']}")
    say(f"report (every case, with curl commands and log lines): {report}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
