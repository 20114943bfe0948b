"""Every process serves the metrics the dashboard and the alert rules are built on
(deploy/monitoring): calls, errors, durations, its outbox's lag, and, for scoring, the settlement
runs still pending."""
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import (DOCUMENTS_PORT, FEEDBACK_PORT, GATEWAY_PORT, REGISTRATION_PORT, SCORING_PORT,
                            VOLUNTEERING_PORT)
from tests.test_monitoring import used_metric_names

pytestmark = pytest.mark.e2e
PORTS = {"gateway": GATEWAY_PORT, "registration": REGISTRATION_PORT, "volunteering": VOLUNTEERING_PORT,
         "scoring": SCORING_PORT, "feedback": FEEDBACK_PORT, "documents": DOCUMENTS_PORT}


def scrape(port):
    """Every family's name (a counter's without _total) and every sample's, with its last sample."""
    families = list(text_string_to_metric_families(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text))
    return {f.name: None for f in families} | {s.name: s for f in families for s in f.samples}


def test_each_process_serves_the_metrics_of_the_dashboard_and_the_alerts(platform):
    platform.as_("city_admin").get("/districts")   # a call for the gateway to count
    served = {name: scrape(port) for name, port in PORTS.items()}
    everything = set().union(*served.values())
    missing = {m for m in used_metric_names() if m not in everything and m.removesuffix("_total") not in everything}
    assert missing == set()
    for service in ("registration", "volunteering", "scoring", "feedback", "documents"):
        lag = served[service]["sbd_outbox_oldest_unsent_seconds"]
        assert lag.labels == {"service": service} and lag.value >= 0
        assert served[service]["sbd_outbox_unsent"].value >= 0
    assert served["scoring"]["sbd_settlement_run_oldest_pending_seconds"].value >= 0
    assert served["gateway"]["sbd_entrypoint_calls_total"].value >= 1
