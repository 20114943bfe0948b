"""The route table's parts every service's routes share: the Route, who reads under each scope,
the API's prefix, and the query and body schemas more than one service's routes take."""
from dataclasses import dataclass, field
from typing import Callable, Optional

from marshmallow import Schema, fields, validate, RAISE

from contracts.access import (CITY_ADMIN, COMMUNITY_STAFF, DISTRICT_OFFICER, MEMBER, ROLES, STREET_OFFICER,
                              UNIT_OFFICER)
from contracts.rules import broken
from toolkit.config import today

from ..paging import PageQuery


# who may read under each scope (writes name their roles); area officers read what lies below them
READERS = {
    "public": (),
    "any": ROLES,
    "city": (CITY_ADMIN,),
    "district": (CITY_ADMIN, DISTRICT_OFFICER),
    "street": (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER),
    "community": (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, COMMUNITY_STAFF),
    # a unit's own officer, and the officers above the community the unit sits in
    "unit": (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, UNIT_OFFICER),
    "member": (MEMBER,),
}
SCOPES = tuple(READERS)
# the path value that names a route's node, by scope
SCOPE_PARAMS = {"district": ("district_code", "code"), "street": ("street_code", "code"),
                "community": ("community_code", "code"), "unit": ("unit_id",)}


@dataclass
class Route:
    method: str
    path: str
    handler: Callable
    summary: str
    scope: str                      # one of SCOPES
    tag: str = "报到"
    body: Optional[type] = None     # marshmallow schema of the JSON body
    query: Optional[type] = None    # marshmallow schema of the query string
    status: int = 200
    upload: bool = False            # body is a file (CSV/XLSX), not JSON
    roles: Optional[tuple] = None   # None: READERS[scope]
    sort: tuple = ()                # a list route: these fields sort its page (the first by default)
    responses: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.roles is None:
            self.roles = READERS[self.scope]
        # a page of a list: the query takes page, page_size and sort (gateway.paging)
        if self.sort and self.query is None:
            self.query = PageQuery

    @property
    def name(self):
        return self.handler.__name__

    @property
    def public(self):
        return self.scope == "public"

    @property
    def writes(self):
        return self.method != "GET"



V1 = "/api/v1"
AREA = (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, COMMUNITY_STAFF)


# --- query strings ----------------------------------------------------------------------------

def _year_field():
    return fields.Integer(load_default=lambda: today().year, validate=validate.Range(
        2000, 2100, error=broken("bad_year", "§4.2", "年度应为 2000–2100 之间的整数")))


class YearQuery(Schema):
    class Meta:
        unknown = RAISE
    year = _year_field()


class YearPageQuery(PageQuery, YearQuery):
    pass



# --- bodies that carry less than the service request (the path supplies the rest) -----------

class _Strict(Schema):
    class Meta:
        unknown = RAISE



def _without(schema, *names):
    """A contract schema less the fields the path supplies."""
    return type(schema.__name__ + "Body", (_Strict,), {k: v for k, v in schema._declared_fields.items() if k not in names})



def _me(call):
    return int(call.caller.scope)
