"""The alert rules and the dashboard are checked with promtool (Debian's prometheus package,
unpacked by deploy/local/test.sh): the rules parse, fire when they should (alerts.test.yaml), and
every query of the dashboard is valid PromQL. tests/test_e2e_metrics.py checks that the metrics
they name are the ones the platform exports."""
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
MONITORING = ROOT / "deploy" / "monitoring"
# Grafana's variables, as a query would be sent
GRAFANA = {"$__rate_interval": "1m", "$__range": "6h", "$service": ".+"}


def promtool():
    local = ROOT / ".venv" / "ops" / "usr" / "bin" / "promtool"
    found = str(local) if os.access(local, os.X_OK) else shutil.which("promtool")
    assert found, "promtool is missing: deploy/local/test.sh unpacks it (ensure_ops_tools)"
    return found


def run(*args, cwd=MONITORING):
    done = subprocess.run([promtool(), *args], capture_output=True, text=True, cwd=cwd)
    return done.returncode, done.stdout + done.stderr


def dashboard_queries():
    dash = json.loads((MONITORING / "dashboard.json").read_text())
    for panel in dash["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in GRAFANA.items():
                expr = expr.replace(name, value)
            yield panel["title"], expr


def used_metric_names():
    """The platform's own metric names (sbd_...) in the dashboard and the alert rules."""
    rules = yaml.safe_load((MONITORING / "alerts.yaml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]] + [e for _, e in dashboard_queries()]
    return {re.sub(r"_(bucket|count|sum)$", "", m) for e in exprs for m in re.findall(r"\bsbd_[a-z_]+", e)}


def test_the_alert_rules_parse_and_fire_when_they_should():
    code, out = run("check", "rules", "alerts.yaml")
    assert code == 0, out
    code, out = run("test", "rules", "alerts.test.yaml")
    assert code == 0, out
    names = {r["alert"] for g in yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"] for r in g["rules"]}
    tested = {t["alertname"] for case in yaml.safe_load((MONITORING / "alerts.test.yaml").read_text())["tests"]
              for t in case["alert_rule_test"]}
    assert names == tested, f"alerts without a test: {names - tested}"


def _check_queries(tmp_path, queries):
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{n}", "expr": expr} for n, (_, expr) in enumerate(queries)]}]}
    path = tmp_path / "dashboard_queries.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True))
    return run("check", "rules", str(path), cwd=tmp_path)


def test_every_dashboard_query_is_valid_promql(tmp_path):
    queries = list(dashboard_queries())
    assert len(queries) >= 10
    code, out = _check_queries(tmp_path, queries)
    assert code == 0, out
    # and the check can fail: a query with a missing parenthesis
    code, out = _check_queries(tmp_path, [("broken", "sum by (service) (rate(sbd_entrypoint_calls_total[5m])")])
    assert code != 0


def test_the_dashboard_shows_what_the_issue_asks_for():
    names = used_metric_names()
    for wanted in ("sbd_entrypoint_calls_total", "sbd_entrypoint_seconds", "sbd_outbox_oldest_unsent_seconds",
                   "sbd_dead_letters_total", "sbd_settlement_run_oldest_pending_seconds"):
        assert wanted in names
    queries = " ".join(e for _, e in dashboard_queries())
    assert "rabbitmq_queue_messages_ready" in queries and 'up{job="sbd"}' in queries
