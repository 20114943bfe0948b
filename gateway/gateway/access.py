"""Roles and jurisdiction: who may use a route, and whether a path lies within their node.

An account is bound to one node of the administrative tree: the city, a district (6-digit code),
a street (9), a community (12), a unit (its id) or, for a member, the member themself. Codes
nest by prefix, so a district officer's jurisdiction is every code that starts with theirs.
A unit sits in a community, so whether a unit is within a street is a question of the unit's
community code, which the caller of `within()` supplies.
"""
from dataclasses import dataclass

ROLES = {
    "city_admin": ("city", "市级管理员"),
    "district_officer": ("district", "县（区）委组织部"),
    "street_officer": ("street", "街道党（工）委"),
    "community_staff": ("community", "社区党群服务中心"),
    "unit_officer": ("unit", "驻地单位党组织"),
    "member": ("member", "在职党员"),
}
CODE_LENGTH = {"district": 6, "street": 9, "community": 12}
LEVEL = {"city": 0, "district": 1, "street": 2, "community": 3}


@dataclass(frozen=True)
class Caller:
    account_id: int
    username: str
    role: str
    node: str  # "" for the city; a code; a unit id or member id as text

    @property
    def kind(self):
        return ROLES[self.role][0]

    def as_context(self):
        return {"account_id": self.account_id, "username": self.username, "role": self.role, "node": self.node}


def node_ok(kind, node):
    """Is `node` a well-formed node of `kind`?"""
    if kind == "city":
        return node == ""
    if kind in CODE_LENGTH:
        return len(node) == CODE_LENGTH[kind] and node.isdigit()
    return node.isdigit() and int(node) > 0


def covers_code(caller, code):
    """Does the caller's area contain the district/street/community `code`?"""
    if caller.kind == "city":
        return True
    if caller.kind in CODE_LENGTH:
        return bool(code) and code.startswith(caller.node)
    return False


def within(caller, scope, value, unit_community=None, member_unit=None):
    """Is the resource at `scope` = `value` within the caller's jurisdiction?

    scope: city | district | street | community | unit | member.
    unit_community: for scope unit, the community code where the unit sits.
    member_unit: for scope member, the unit id of the member (a unit officer sees its members).
    """
    if caller.kind == "city":
        return True
    if scope == "city":
        return False
    if scope in CODE_LENGTH:
        if caller.kind not in CODE_LENGTH or not value:
            return False
        # an officer sees the areas inside theirs, never a wider one
        return LEVEL[scope] >= LEVEL[caller.kind] and value.startswith(caller.node)
    if scope == "unit":
        if caller.kind == "unit":
            return caller.node == str(value)
        return caller.kind in CODE_LENGTH and covers_code(caller, unit_community)
    if scope == "member":
        if caller.kind == "member":
            return caller.node == str(value)
        if caller.kind == "unit":
            return member_unit is not None and caller.node == str(member_unit)
        return False
    return False
