"""Does the node a path names exist? The administrative tree's codes, kept in memory.

Routes name a node of the tree in their path (/communities/<community_code>/..., /streets/<code>/...,
/districts/<district_code>/..., /boards/<area_code>/...). The scope check (Call._authorize) only
says the code lies inside the caller's area (a code's prefix); this says it is a node at all, so
that the city's administrator, or an officer with a made-up code under their own prefix, is told
404 rather than answered zeros, and no service writes for a community that does not exist. It runs
after the scope check: a caller outside the code's area is refused 403 first, as before (a
foreign prefix reveals nothing).

Only the registration service knows the tree (its districts, streets and communities tables): the
gateway asks it for every code at once (RPC `node_codes`, about 2,700 codes for the city) and
keeps them in a set, so a request costs a set lookup, never an RPC. The set is loaded again

  - when a path names a code not in it (a node added since), but at most once every RETRY
    seconds, so made-up codes cannot hammer the registration service;
  - when it is older than MAX_AGE seconds (a node removed), by the request that finds it so.

Either reload runs inside the request that needs it, with that request's caller in the RPC
context (the registration service answers signed-in callers only). One load at a time: the
requests that miss while a load is under way wait for it instead of starting their own.
"""
import logging
import re
import time

import eventlet.event
from nameko.exceptions import RpcTimeout

from contracts.access import CITY_AREA, CODE_LENGTH
from contracts.errors import NotFound

log = logging.getLogger(__name__)

# the path values that name a node, and which kind of node; `code` names the route's own scope's
PARAM_KINDS = {"district_code": "district", "street_code": "street", "community_code": "community",
               "area_code": "area"}
NODE_SCOPES = ("district", "street", "community")
NAMES = {"district": "县（区）", "street": "街道 ", "community": "社区 ", "city": "市 "}
AREA_KINDS = {len(CITY_AREA): "city", **{n: kind for kind, n in CODE_LENGTH.items()}}
# the shapes the scoring service takes for an area; any other it refuses itself (400 bad_area)
_AREA_SHAPE = re.compile(r"\d{4}(\d{2}(\d{3}(\d{3})?)?)?")  # \d as there: ４１０１ is checked (and is no node)
_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() would take ０–９ and other scripts' digits
_PATH_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def missing(kind, code, field=""):
    """The 404 for a node that does not exist; `field` names where it was given (a body's)."""
    return NotFound("not_found", f"{field}{NAMES[kind]}{code} 不存在")


def node_params(route):
    """((path value, kind), ...): the nodes `route`'s path names."""
    found = []
    for name in _PATH_PARAM.findall(route.path):
        kind = route.scope if name == "code" and route.scope in NODE_SCOPES else PARAM_KINDS.get(name)
        if kind is not None:
            found.append((name, kind))
    return tuple(found)


class Nodes:
    RETRY = 5.0     # a code not in the set loads it again at most this often (seconds)
    MAX_AGE = 30.0  # a set older than this is loaded again anyway

    def __init__(self, clock=time.monotonic, retry=None, max_age=None):
        self.clock = clock
        self.retry = self.RETRY if retry is None else retry
        self.max_age = self.MAX_AGE if max_age is None else max_age
        self.codes = None               # a frozenset of every district, street and community code
        self.loaded_at = None           # when the set was loaded (clock)
        self.tried_at = None            # when a load last started, whether it succeeded or not
        self.loads = 0                  # loads started (for the tests and the curious)
        self._loading = None            # an Event while a load is under way
        self._params = {}               # (method, path) -> node_params(route)

    # -- the check --------------------------------------------------------------------------

    def check(self, route, values, fetch):
        """Raise NotFound unless every node `route`'s path names (in `values`) exists. `fetch()`
        returns the tree's codes (registration.node_codes), called only to load the set."""
        key = (route.method, route.path)
        params = self._params.get(key)
        if params is None:
            params = self._params[key] = node_params(route)
        for name, kind in params:
            code = values.get(name)
            if code is None:
                continue
            if kind == "area":
                if not isinstance(code, str) or not _AREA_SHAPE.fullmatch(code):
                    continue  # not an area's shape: the service refuses it with the rule it broke
                kind = AREA_KINDS[len(code)]
            if not self.exists(kind, code, fetch):
                raise missing(kind, code)

    def exists(self, kind, code, fetch):
        if kind == "city":
            return code == CITY_AREA
        if not isinstance(code, str) or len(code) != CODE_LENGTH[kind] or not _DIGITS.fullmatch(code):
            return False  # no node has that shape: nothing to load
        codes, now = self.codes, self.clock()
        if codes is None:  # never loaded (or every load failed): the answer needs the tree
            self._load_or_wait(fetch, required=True)
            return code in self.codes
        if code in codes:
            if now - self.loaded_at >= self.max_age and self._may_try(now) and self._loading is None:
                self._load(fetch, required=False)  # for the nodes removed since; this one is there
            return True
        if self._loading is not None:  # a load is under way: its answer, not an old one
            self._loading.wait()
        elif self._may_try(now):
            self._load(fetch, required=False)
        return code in self.codes

    # -- loading ----------------------------------------------------------------------------

    def _may_try(self, now):
        return self.tried_at is None or now - self.tried_at >= self.retry

    def _load_or_wait(self, fetch, required):
        if self._loading is not None:
            self._loading.wait()
        elif self._may_try(self.clock()):
            self._load(fetch, required)
        if self.codes is None:  # the registration service was away a moment ago: do not ask again yet
            raise RpcTimeout("registration.node_codes")

    def _load(self, fetch, required):
        """Load the set; a failure keeps the set there was (logged), or goes up if there was none."""
        self._loading = done = eventlet.event.Event()
        self.tried_at = self.clock()
        self.loads += 1
        try:
            tree = fetch()
            self.codes = frozenset(c for level in ("districts", "streets", "communities") for c in tree[level])
            self.loaded_at = self.tried_at
        except Exception:
            if required or self.codes is None:
                raise
            log.warning("could not reload the administrative tree's codes: the last ones are kept", exc_info=True)
        finally:
            self._loading = None
            done.send(None)
