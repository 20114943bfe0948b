"""The gateway's check that the node a path names exists (gateway.nodes): a set lookup once
loaded, a reload on a miss at most every RETRY seconds, and every MAX_AGE seconds anyway."""
import eventlet
import pytest
from nameko.exceptions import RpcTimeout

from contracts.errors import NotFound
from gateway.nodes import Nodes, node_params
from gateway.openapi import _path
from gateway.routes import ROUTES, SCOPE_PARAMS
from gateway.service import SPEC

TREE = {"districts": ["410106"], "streets": ["410106001"], "communities": ["410106001001", "410106001002"]}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Registration:
    """A stand-in for registration.node_codes: counts its calls; the tree can grow or fail."""

    def __init__(self, tree=TREE, delay=0.0):
        self.tree = {k: list(v) for k, v in tree.items()}
        self.calls, self.fail, self.delay = 0, False, delay

    def __call__(self):
        self.calls += 1
        if self.delay:
            eventlet.sleep(self.delay)
        if self.fail:
            raise RpcTimeout("registration.node_codes")
        return {k: list(v) for k, v in self.tree.items()}


def route(path, scope="community", method="GET"):
    return next(r for r in ROUTES if r.path == "/api/v1" + path and r.method == method and r.scope == scope)


DATABASE = route("/communities/<code>/database")
STREET_DATABASE = route("/streets/<code>/database", "street")
BOARD = route("/boards/<area_code>/<period>", "any")


def test_every_route_that_names_a_node_is_checked():
    assert node_params(DATABASE) == (("code", "community"),)
    assert node_params(route("/districts/<district_code>/streets", "any")) == (("district_code", "district"),)
    assert node_params(BOARD) == (("area_code", "area"),)
    assert node_params(route("/units/<int:unit_id>", "unit")) == ()
    assert node_params(route("/me/points", "member")) == ()
    for r in ROUTES:
        if r.scope in ("district", "street", "community"):
            assert node_params(r), r.path
        kinds = dict(node_params(r))
        for name in ("community_code", "street_code", "district_code", "area_code"):
            assert (f"<{name}>" in r.path) == (name in kinds), r.path
        if r.scope in SCOPE_PARAMS and r.scope != "unit":
            assert r.scope in kinds.values() or any(f"<{p}>" in r.path for p in SCOPE_PARAMS[r.scope]), r.path


def test_the_document_lists_404_for_each_route_naming_a_node():
    for r in ROUTES:
        if node_params(r):
            assert "县（区）、街道或社区不存在" in SPEC["paths"][_path(r.path)][r.method.lower()]["responses"]["404"]["description"]


def test_once_loaded_a_known_node_costs_no_call():
    nodes, fetch = Nodes(clock=Clock()), Registration()
    for _ in range(100):
        nodes.check(DATABASE, {"code": "410106001001"}, fetch)
        nodes.check(STREET_DATABASE, {"code": "410106001"}, fetch)
    assert fetch.calls == 1


def test_a_missing_node_is_404_naming_its_kind():
    nodes, fetch = Nodes(clock=Clock()), Registration()
    with pytest.raises(NotFound) as missing:
        nodes.check(DATABASE, {"code": "410106999999"}, fetch)
    assert missing.value.code == "not_found" and missing.value.message == "社区 410106999999 不存在"
    with pytest.raises(NotFound) as missing:
        nodes.check(STREET_DATABASE, {"code": "410106999"}, fetch)
    assert missing.value.message == "街道 410106999 不存在"
    with pytest.raises(NotFound) as missing:
        nodes.check(route("/districts/<code>/database", "district"), {"code": "410199"}, fetch)
    assert missing.value.message == "县（区）410199 不存在"


def test_misses_reload_at_most_once_every_retry_seconds():
    clock = Clock()
    nodes, fetch = Nodes(clock=clock), Registration()
    nodes.check(DATABASE, {"code": "410106001001"}, fetch)
    clock.now += Nodes.RETRY  # a miss may reload now
    for _ in range(50):  # made-up codes, hammering: one reload
        with pytest.raises(NotFound):
            nodes.check(DATABASE, {"code": "410106999999"}, fetch)
    assert fetch.calls == 2
    fetch.tree["communities"].append("410106001003")  # a community added meanwhile
    clock.now += Nodes.RETRY - 0.1
    with pytest.raises(NotFound):  # not yet: the last reload was too recent
        nodes.check(DATABASE, {"code": "410106001003"}, fetch)
    assert fetch.calls == 2
    clock.now += 0.1
    nodes.check(DATABASE, {"code": "410106001003"}, fetch)  # found by the reload its miss caused
    assert fetch.calls == 3


def test_the_set_is_reloaded_when_old_even_without_a_miss():
    clock = Clock()
    nodes, fetch = Nodes(clock=clock), Registration()
    nodes.check(DATABASE, {"code": "410106001002"}, fetch)
    fetch.tree["communities"].remove("410106001002")  # a community removed
    clock.now += Nodes.MAX_AGE - 1
    nodes.check(DATABASE, {"code": "410106001002"}, fetch)
    assert fetch.calls == 1
    clock.now += 1
    nodes.check(DATABASE, {"code": "410106001002"}, fetch)  # answered from the set, which is reloaded
    assert fetch.calls == 2
    with pytest.raises(NotFound):
        nodes.check(DATABASE, {"code": "410106001002"}, fetch)
    assert fetch.calls == 2


def test_codes_of_no_node_shape_and_the_city_cost_no_call():
    nodes, fetch = Nodes(clock=Clock()), Registration()
    for code in ("4101069999", "abc", "41010600100１", ""):
        with pytest.raises(NotFound):
            nodes.check(DATABASE, {"code": code}, fetch)
    nodes.check(BOARD, {"area_code": "4101", "period": "2026H1"}, fetch)  # the city
    with pytest.raises(NotFound) as other_city:
        nodes.check(BOARD, {"area_code": "4102", "period": "2026H1"}, fetch)
    assert other_city.value.message == "市 4102 不存在"
    with pytest.raises(NotFound):  # the service's shape (\d) takes it: no node has it
        nodes.check(BOARD, {"area_code": "４１０１", "period": "2026H1"}, fetch)
    nodes.check(BOARD, {"area_code": "41x", "period": "2026H1"}, fetch)  # not an area: the service's 400
    assert fetch.calls == 0
    nodes.check(BOARD, {"area_code": "410106001", "period": "2026H1"}, fetch)
    with pytest.raises(NotFound) as missing:
        nodes.check(BOARD, {"area_code": "410106001009", "period": "2026H1"}, fetch)
    assert missing.value.message == "社区 410106001009 不存在" and fetch.calls == 1


def test_requests_missing_together_share_one_load():
    clock = Clock()
    nodes, fetch = Nodes(clock=clock), Registration(delay=0.05)
    fetch.tree["communities"].append("410106001003")
    pool = eventlet.GreenPool()
    found = list(pool.imap(lambda _: nodes.exists("community", "410106001003", fetch), range(20)))
    assert found == [True] * 20 and fetch.calls == 1


def test_a_failed_reload_keeps_the_set_and_a_failed_first_load_is_not_retried_at_once():
    clock = Clock()
    nodes, fetch = Nodes(clock=clock), Registration()
    fetch.fail = True
    with pytest.raises(RpcTimeout):  # no tree at all: 503, not a guess
        nodes.check(DATABASE, {"code": "410106001001"}, fetch)
    with pytest.raises(RpcTimeout):
        nodes.check(DATABASE, {"code": "410106001001"}, fetch)
    assert fetch.calls == 1
    clock.now += Nodes.RETRY
    fetch.fail = False
    nodes.check(DATABASE, {"code": "410106001001"}, fetch)
    assert fetch.calls == 2
    clock.now += Nodes.RETRY
    fetch.fail = True  # the registration service away: the set there is is kept
    with pytest.raises(NotFound):
        nodes.check(DATABASE, {"code": "410106999999"}, fetch)
    nodes.check(DATABASE, {"code": "410106001001"}, fetch)
    assert fetch.calls == 3
