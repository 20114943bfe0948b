"""Object-level authorization: every object an RPC names exists and sits in the scope the call
names, or the call gets 404 (ARCHITECTURE rule 4).

A path like /communities/A/ledger/17 was checked for A only: entry 17 of community B, or a member
of another district in a merit entry of A, went through. Each service now declares, once, the
kinds of object it keeps and where each one sits (`Kind`: a statement giving the object's
community, unit and member), and marks each RPC with the objects it names, in its arguments or
in its request body:

    @rpc
    @guard.objects(claim_id="claim")
    def review_claim(self, community_code, claim_id, request): ...

Before the method runs, the decorator finds the call's scope among its other arguments (a
community or other area code, a unit id, or the member acting for themself). A caller outside
that scope is refused (403), as the gateway refuses a foreign path first, except that an officer
above gets "not found" for a unit outside their area, as for one that does not exist; then an
object that does not exist, one that sits elsewhere and an id that is no id at all get the same
NotFound: ids cannot be probed. The role checks stay in the method (guard.community_staff...).
tests/test_object_declarations.py fails on any RPC argument or request field that names an
object and is neither declared nor the call's scope, so a new RPC cannot forget it.
"""
import functools
import inspect
from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import text

from contracts.access import CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, UNIT_OFFICER, require
from contracts.errors import NotFound

# the arguments (or request fields) that name the call's scope, in the order they are looked for
AREA_NAMES = ("community_code", "area_code", "street_code", "district_code")
SCOPE_NAMES = AREA_NAMES + ("unit_id", "member_id", "owner")
ABOVE_UNITS = (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER)


@dataclass(frozen=True)
class Kind:
    """A kind of object: its Chinese name (for the 404) and where each one sits.

    `sql` selects (id, community_code, unit_id, member_id) for the ids in the array :ids, one
    row or more per object (a member with records in two communities has two), none if there is
    no such object. Instead of `sql`, `resolve(service, ids)` may give the same rows (an object of
    another service, asked over RPC)."""
    label: str
    sql: Optional[str] = None
    resolve: Optional[Callable] = None

    def places(self, service, conn, ids):
        rows = self.resolve(service, ids) if self.resolve else conn.execute(text(self.sql), {"ids": list(ids)})
        found = {}
        for object_id, community, unit, member in rows:
            found.setdefault(int(object_id), []).append((community, unit, member))
        return found


@dataclass(frozen=True)
class Scope:
    kind: str         # area | unit | member
    value: str


def scope_of(values, declared):
    """(name, Scope) of the call: its first scope argument that is not itself one of its objects;
    (None, None) if it names no scope."""
    for name in SCOPE_NAMES:
        if name in declared or values.get(name) in (None, ""):
            continue
        value = values[name]
        if name == "owner":  # {"community_code": ...} or {"unit_id": ...}
            inner = scope_of(value if isinstance(value, dict) else {}, ())[1]
            if inner is not None:
                return name, inner
            continue
        kind = "area" if name in AREA_NAMES else name.removesuffix("_id")
        return name, Scope(kind, str(value))
    return None, None


def sits_in(place, scope, member_communities=()):
    community, unit, member = place
    if scope.kind == "area":
        return community is not None and str(community).startswith(scope.value)
    if scope.kind == "unit":
        return unit is not None and str(unit) == scope.value
    # a member acting for themself: their own records, and what their community offers
    if member is not None:
        return str(member) == scope.value
    return community is not None and community in member_communities


def ids_at(values, path):
    """The values a name or dotted path points at: `post_id`, `member_ids`, `participants.member_id`."""
    head, _, rest = path.partition(".")
    value = values.get(head) if isinstance(values, dict) else None
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if rest:
        return [i for item in items for i in ids_at(item, rest)]
    return items


def as_id(value):
    """An id as the tables hold it, or None: a positive bigint, given as an int or in ASCII digits
    (not True, 17.0, " 17", "²" or one beyond bigint, which no object has)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if type(value) is int and 0 < value < 2 ** 63:
        return value
    return None


class Objects:
    """A service's kinds of object, and the decorator that checks the ones an RPC names.
    `member_kind` gives the communities of a member acting for themself."""

    def __init__(self, kinds, member_kind="member"):
        self.kinds = kinds
        self.member_kind = member_kind

    def __call__(self, **declared):
        """`name=kind` for each argument or request field (or `field.subfield` of a list of
        objects in the request) that names an object of that kind."""
        unknown = set(declared.values()) - set(self.kinds)
        assert not unknown, f"no such kind of object: {unknown}"

        def decorate(method):
            signature = inspect.signature(method)

            @functools.wraps(method)
            def checked(service, *args, **kwargs):
                # nameko has checked the call against `signature` (below) before it gets here
                values = dict(signature.bind(service, *args, **kwargs).arguments)
                if isinstance(values.get("request"), dict):
                    values = {**values["request"], **values}
                self.check(service, values, declared)
                return method(service, *args, **kwargs)

            checked.__signature__ = signature  # nameko checks calls against the real one
            checked.objects = dict(declared)
            return checked
        return decorate

    def check(self, service, values, declared):
        caller = require(service.caller, True)  # no caller, no look-up
        name, scope = scope_of(values, {p.partition(".")[0] for p in declared})
        if scope is None:
            # an object that is the call's only scope (member_profile's member without a community:
            # the member themself) is the method's own guard's to check
            name, scope = scope_of(values, ())
            declared = {p: k for p, k in declared.items() if p != name}
        wanted = {}
        for path, kind in declared.items():
            for value in ids_at(values, path):
                object_id = as_id(value)
                if object_id is None:
                    raise self.not_found(kind, value)
                wanted.setdefault(kind, set()).add(object_id)
        if not wanted:
            return
        if scope is not None and not self._covers(caller, scope, service):
            require(caller, False)
        # objects of another service before a connection is taken: none is held while it answers
        asked = {kind: self.kinds[kind].places(service, None, sorted(ids))
                 for kind, ids in wanted.items() if self.kinds[kind].resolve}
        with service.db.engine.connect() as conn:
            communities = None
            for kind, ids in sorted(wanted.items()):
                places = asked[kind] if kind in asked else self.kinds[kind].places(service, conn, sorted(ids))
                for object_id in sorted(ids):
                    rows = places.get(object_id, [])
                    if scope is not None and scope.kind == "member" and communities is None \
                            and any(member is None for _, _, member in rows):
                        communities = self._communities_of(service, conn, int(scope.value))
                    if not any(scope is None or sits_in(p, scope, communities or ()) for p in rows):
                        raise self.not_found(kind, object_id)

    def not_found(self, kind, object_id):
        return NotFound("not_found", f"{self.kinds[kind].label} {object_id} 不存在")

    def _communities_of(self, service, conn, member_id):
        """Where a member acting for themself has their records (what their community offers)."""
        if self.member_kind not in self.kinds:
            return set()
        return {c for c, _, _ in self.kinds[self.member_kind].places(service, conn, [member_id]).get(member_id, [])}

    def _covers(self, caller, scope, service):
        """May this caller look into the scope at all (the method then checks the role)? A unit
        outside an officer's area is "not found", like one that does not exist: unit ids cannot
        be probed."""
        if scope.kind == "area":
            return caller.covers_area(scope.value)
        if scope.kind == "member":
            return caller.is_member(scope.value)
        if caller.role not in ABOVE_UNITS or "unit" not in self.kinds:
            return caller.covers_unit(scope.value)
        unit_id, places = as_id(scope.value), []
        if unit_id is not None:
            with service.db.engine.connect() as conn:
                places = self.kinds["unit"].places(service, conn, [unit_id]).get(unit_id, [])
        if not any(caller.covers_unit(scope.value, community) for community, _, _ in places):
            raise self.not_found("unit", scope.value)
        return True


def declared_objects(method):
    """The objects an RPC method declared (for the tests that no object goes unchecked)."""
    return getattr(method, "objects", {})
