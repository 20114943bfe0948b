"""Schemathesis as a city system's developer runs it — every check (`--checks all`) and every phase
(examples, coverage, fuzzing, stateful) — against the suite's gateway, signed in as each role with
that role's own nodes as the path values, so that the routes are reached, not only refused.

    SBD_ST_EXAMPLES   cases per operation in the fuzzing phase (default 5)
    SBD_ST_SEED       the seed (default 2026: the same cases every run)

What the document cannot say in JSON Schema (a rule between two fields: the end after the start,
a reason when a decision is "decline"...) it says in each operation's `x-cross-field-rules`
(gateway/openapi.py, CROSS_FIELD_RULES); for those operations alone a 400 to a schema-valid
request is accepted by the positive_data_acceptance check (and, for an upload, a 415 to a file whose
name is not one of `x-upload-types`). Everything else must pass as it is, with one exception schemathesis itself causes: a negative
case whose only invalid part is a path parameter this run fixes to the role's own node is sent with
the fixed (valid) value, and its 2xx is then reported as "schema-violating request accepted"
(ST201 naming that parameter; schemathesis issues #4277, #2913). Such a report, and only such, is
set aside and counted. The routes that end the caller's session or change accounts' state run in
tests/test_openapi_fuzz.py, on throwaway accounts.
"""
import json
import os
import re
import subprocess
import sys

import pytest
import requests

from tests.conftest import GATEWAY_PORT, ROOT
from tests.test_openapi_fuzz import real_values

pytestmark = pytest.mark.e2e
GATEWAY = f"http://127.0.0.1:{GATEWAY_PORT}"
EXAMPLES = int(os.environ.get("SBD_ST_EXAMPLES", "5"))
SEED = int(os.environ.get("SBD_ST_SEED", "2026"))
# on throwaway accounts in test_openapi_fuzz.py: here they would end the run's own session
SESSION_AND_ACCOUNTS = r"^(logout|change_password|set_state|revoke|login|refresh)_post$"
ROLES = ["city_admin", "district_officer", "street_officer", "community_staff", "unit_officer", "member"]


def _parameters(role, real):
    """(scope, path values) of a role: its own node, unit or member."""
    if role == "city_admin":
        return "", {"number": real["certificate"]}
    if role == "district_officer":
        return real["district"], {"code": real["district"], "district_code": real["district"], "area_code": real["district"]}
    if role == "street_officer":
        return real["street"], {"code": real["street"], "street_code": real["street"], "area_code": real["street"]}
    if role == "community_staff":
        return real["community"], {"code": real["community"], "community_code": real["community"],
                                   "area_code": real["community"], "registration_id": real["registration"]}
    if role == "unit_officer":
        return real["unit"], {"unit_id": real["unit"]}
    return real["member"]["id"], {"member_id": real["member"]["id"]}


def _toml(value):
    return json.dumps(value, ensure_ascii=False)   # a TOML basic string or integer


def config(spec, values):
    """schemathesis.toml: the role's path values, and the operations whose cross-field rules make
    a 400 to a schema-valid request expected."""
    lines = ["[parameters]"] + [f"{_toml(name)} = {_toml(value)}" for name, value in values.items()]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            # a rule the document states in words: its refusal of a schema-valid request is expected
            also = (["400"] if op.get("x-cross-field-rules") else []) + (["415"] if op.get("x-upload-types") else [])
            if also:
                # one operation by its name: include-path and include-method would be either, not both
                lines += ["", "[[operations]]", f"include-name = {_toml(method.upper() + ' ' + path)}",
                          '[operations.checks.positive_data_acceptance]',
                          f'expected-statuses = {json.dumps(["2xx", "3xx", *also, "401", "403", "404", "409", "429"])}']
    return "\n".join(lines) + "\n"


def failures(out):
    """[(operation, [lines of one failed case])] from the CLI's FAILURES section."""
    if "FAILURES" not in out:
        return []
    section = out.split("FAILURES", 1)[1].split("=== SUMMARY", 1)[0]
    found, operation = [], None
    for block in re.split(r"\n(?=_{2,} .+ _{2,}\n)|\n(?=\d+\. Test Case ID)", section):
        head = re.match(r"_{2,} (.+?) _{2,}", block.strip())
        if head:
            operation = head.group(1)
        if "Test Case ID" in block:
            found.append((operation, block))
    return found


def artefact(block, fixed):
    """A case whose every failed check is ST201 naming a path parameter the run fixed."""
    checks = re.findall(r"^- (ST\d+)", block, flags=re.M)
    named = re.findall(r"Invalid component: parameter `(\w+)` in path", block)
    return bool(checks) and set(checks) == {"ST201"} and bool(named) and set(named) <= set(fixed)


@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_with_every_check_and_phase_passes(platform, city, tmp_path, role):
    spec = requests.get(f"{GATEWAY}/openapi.json", timeout=10).json()
    scope, values = _parameters(role, real_values(city))
    token = platform.as_(role, scope).headers["Authorization"]
    (tmp_path / "schemathesis.toml").write_text(config(spec, values))
    report = tmp_path / "junit.xml"
    command = [os.path.join(os.path.dirname(sys.executable), "st"), "--config-file", str(tmp_path / "schemathesis.toml"),
               "run", f"{GATEWAY}/openapi.json", "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
               "-H", f"Authorization: {token}", "--max-examples", str(EXAMPLES), "--seed", str(SEED),
               "--exclude-operation-id-regex", SESSION_AND_ACCOUNTS, "--request-timeout", "30",
               "--report", "junit", "--report-junit-path", str(report), "--no-color"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=1800,
                          env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks"})
    out = done.stdout + done.stderr
    (tmp_path / "schemathesis.log").write_text(out)
    assert report.exists() and "SUMMARY" in out, out[-3000:]
    real = [(op, block) for op, block in failures(out) if not artefact(block, values)]
    set_aside = len(failures(out)) - len(real)
    print(f"\nschemathesis as {role}: {out[out.rfind('Test cases:'):].splitlines()[1].strip()}; "
          f"{set_aside} fixed-path-parameter artefacts set aside")
    assert done.returncode == 0 or (failures(out) and not real), (
        f"schemathesis as {role} ({tmp_path / 'schemathesis.log'}): " + "\n".join(f"{op}\n{block[:1500]}" for op, block in real)
        if real else out[-6000:])
