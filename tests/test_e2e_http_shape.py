"""Every answer of the platform in its one error shape, for the systems that code against it:
a URL no route matches (even one werkzeug's converters cannot read) is a JSON 404, and a method a
route does not take is a JSON 405 that says, in Allow, which methods it takes (RFC 9110)."""
import pytest
import requests

from tests.conftest import GATEWAY_PORT

pytestmark = pytest.mark.e2e
BASE = f"http://127.0.0.1:{GATEWAY_PORT}"


@pytest.mark.parametrize("path", ["/api/v1/communities/%0A/roster", "/api/v1/nowhere", "/nowhere%0A", "/console%0A/x"])
def test_a_url_that_matches_no_route_is_a_json_404(platform, path):
    r = requests.get(BASE + path, timeout=10)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("application/json"), (path, r.text[:200])
    assert r.json()["error"]["code"] == "not_found"


def test_a_method_a_route_does_not_take_is_a_json_405_with_allow(platform):
    refused = requests.delete(f"{BASE}/api/v1/districts", headers=platform.as_("city_admin").headers, timeout=10)
    assert refused.status_code == 405 and refused.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in refused.headers["Allow"].split(", ")
    # OPTIONS names the route's own methods (the gateway's table, not its web server's entrypoint)
    options = requests.options(f"{BASE}/api/v1/districts", timeout=10)
    assert options.status_code == 405 and options.json()["error"]["code"] == "method_not_allowed"
    assert options.headers["Allow"] == "GET, HEAD"
    # a method no entrypoint of the web server takes: nameko's routing refuses it, in the same shape
    trace = requests.request("TRACE", f"{BASE}/api/v1/districts", timeout=10)
    assert trace.status_code == 405 and trace.json()["error"]["code"] == "method_not_allowed" and trace.headers["Allow"]


def test_the_gateway_serves_the_event_catalog(platform):
    catalog = requests.get(f"{BASE}/asyncapi.json", timeout=10)
    assert catalog.status_code == 200 and catalog.json()["asyncapi"] == "3.0.0"
    assert "registration.member_reported" in catalog.json()["components"]["messages"]
