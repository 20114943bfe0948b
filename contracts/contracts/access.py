"""Who may do what: the roles of the platform, the caller every RPC carries, and jurisdiction.

Every account is bound to one node of the administrative tree (or to a unit, or to a member):

    role               node          sees
    city_admin         the city      everything (personal data masked)
    district_officer   a district    its streets and communities (personal data masked)
    street_officer     a street      its communities (personal data masked)
    community_staff    a community   that community, with members' contact data
    unit_officer       a unit        that unit and its members, with their contact data
    member             a member      only themself

Codes nest (district 6 digits, street = district + 3, community = street + 3), so an area covers
a code when the code starts with the area's own. The gateway passes the caller to the services
in the RPC context (`Caller.to_context`); each service rebuilds it (`Caller.from_context`) and
checks ownership again with the same functions: the gateway is not the only wall.

The context is signed (HMAC-SHA256 with RPC_CONTEXT_SECRET, the same on the gateway and every
service) and dated: a message put on the broker by anyone else, or a captured one replayed after
CONTEXT_TTL seconds (45: it is signed for one call, not for a session), carries no caller, and
every check refuses it. The gateway signs the caller again for each call it makes, so a context
lives as long as one call waits for a service; a tool that holds a proxy longer signs at each call
(toolkit.caller.SignedAtEachCall).
"""
import hashlib
import hmac
import os
import time
from dataclasses import dataclass

from .errors import Forbidden

CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER = "city_admin", "district_officer", "street_officer"
COMMUNITY_STAFF, UNIT_OFFICER, MEMBER = "community_staff", "unit_officer", "member"
ROLES = (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, COMMUNITY_STAFF, UNIT_OFFICER, MEMBER)
ROLE_NAMES = {
    CITY_ADMIN: "市级管理员",
    DISTRICT_OFFICER: "县（区）组织部门",
    STREET_OFFICER: "街道党（工）委",
    COMMUNITY_STAFF: "社区党群服务中心",
    UNIT_OFFICER: "驻地单位党组织",
    MEMBER: "在职党员",
}
# the node each role is bound to, and how long its code is
NODE_OF_ROLE = {CITY_ADMIN: "city", DISTRICT_OFFICER: "district", STREET_OFFICER: "street",
                COMMUNITY_STAFF: "community", UNIT_OFFICER: "unit", MEMBER: "member"}
CODE_LENGTH = {"district": 6, "street": 9, "community": 12}
AREA_ROLES = (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, COMMUNITY_STAFF)
# roles whose work needs members' phone, address and identity number (contacting and checking
# them); every other role sees them masked
PERSONAL_DATA_ROLES = (COMMUNITY_STAFF, UNIT_OFFICER, MEMBER)

CONTEXT_KEY = "caller"
CONTEXT_SECRET_ENV = "RPC_CONTEXT_SECRET"
CONTEXT_SECRET_MIN = 16
# How long a signed caller is honoured, in seconds. The gateway signs it for each call; the
# longest a signature is used after it was made is a member report's (gateway.coalesce): it waits
# in line up to GATEWAY_RPC_TIMEOUT, then its call up to as long again. 45 s holds that at the
# default 15 s with room to spare, and the gateway refuses to start where it would not
# (require_context_lifetime). A context copied off the broker is worthless within a minute.
CONTEXT_TTL = 45
# how far ahead of the reader's clock a signature may be dated (the clocks of two hosts), and the
# same allowance at the other end: a caller used CONTEXT_TTL - CONTEXT_SKEW after signing is honoured
CONTEXT_SKEW = 5
# the city's own prefix of the GB/T 2260 codes (郑州市): the area of the city administrator
CITY_AREA = "4101"


def scope_problem(role, scope):
    """None if `scope` is a valid node for `role`, else a Chinese explanation."""
    node = NODE_OF_ROLE.get(role)
    if node is None:
        return f"角色应为 {'、'.join(ROLES)} 之一"
    if node == "city":
        return None if scope in ("", None) else "市级管理员不绑定下级节点，scope 应为空"
    if node in CODE_LENGTH:
        n = CODE_LENGTH[node]
        ok = isinstance(scope, str) and len(scope) == n and scope.isdigit()
        return None if ok else f"{ROLE_NAMES[role]}的 scope 应为 {n} 位{ {'district': '县（区）', 'street': '街道', 'community': '社区'}[node]}代码"
    ok = isinstance(scope, str) and scope.isdigit() and int(scope) > 0
    return None if ok else f"{ROLE_NAMES[role]}的 scope 应为{'单位' if node == 'unit' else '党员'}编号（正整数）"


@dataclass(frozen=True)
class Caller:
    account_id: int
    username: str
    role: str
    scope: str = ""       # district/street/community code, unit id or member id; "" for the city

    # -- the RPC context -----------------------------------------------------------------

    def to_context(self, now=None):
        # AMQP headers carry it: a flat string, so any consumer can read it (and none can forge it)
        body = f"{int(time.time() if now is None else now)}|{self.account_id}|{self.role}|{self.scope}|{self.username}"
        return f"{_signature(_context_secret(required=True), body)}|{body}"

    @classmethod
    def from_context(cls, value, now=None):
        """The caller of an RPC, or None if there is none, or it is malformed, unsigned, signed
        with another secret or older than CONTEXT_TTL."""
        if not isinstance(value, str) or value.count("|") < 5:
            return None
        signature, body = value.split("|", 1)
        secret = _context_secret()
        if secret is None or not hmac.compare_digest(signature.encode(), _signature(secret, body).encode()):
            return None
        issued, account_id, role, scope, username = body.split("|", 4)
        now = time.time() if now is None else now
        if not issued.isdigit() or not -CONTEXT_SKEW <= now - int(issued) <= CONTEXT_TTL:
            return None
        if role not in ROLES or not account_id.isdigit():
            return None
        return cls(int(account_id), username, role, scope)

    # -- jurisdiction --------------------------------------------------------------------

    @property
    def node(self):
        return NODE_OF_ROLE[self.role]

    @property
    def sees_personal_data(self):
        return self.role in PERSONAL_DATA_ROLES

    def covers_area(self, code):
        """Does this caller's area hold the district, street or community `code`?"""
        if self.role == CITY_ADMIN:
            return True
        if self.role not in AREA_ROLES or not code:
            return False
        return str(code).startswith(self.scope)

    def covers_unit(self, unit_id, unit_community_code=None):
        """A unit's officer covers that unit; an area officer above the community covers the unit
        sitting there (community staff work through their community's routes instead)."""
        if self.role == UNIT_OFFICER:
            return str(unit_id) == self.scope
        if self.role in (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER):
            return unit_community_code is not None and self.covers_area(unit_community_code)
        return False

    def is_member(self, member_id):
        return self.role == MEMBER and str(member_id) == self.scope


def require_context_secret():
    """For the gateway and each service at start: without the secret every call would be refused."""
    _context_secret(required=True)


def require_context_lifetime(longest_use, why):
    """For the gateway at start: a caller it signs may be used `longest_use` seconds later (`why`
    says what sets that); refuse to start if the services would no longer honour it by then."""
    if longest_use + CONTEXT_SKEW > CONTEXT_TTL:
        raise RuntimeError(
            f"{why}: a signed caller would be used up to {longest_use:g}s after it was signed, but the services "
            f"honour it for {CONTEXT_TTL - CONTEXT_SKEW}s only (CONTEXT_TTL {CONTEXT_TTL}s less {CONTEXT_SKEW}s "
            "for the hosts' clocks, contracts/access.py): lower it")


def _context_secret(required=False):
    secret = os.environ.get(CONTEXT_SECRET_ENV, "")
    if len(secret) >= CONTEXT_SECRET_MIN:
        return secret.encode()
    if required:
        raise RuntimeError(f"{CONTEXT_SECRET_ENV} must be set to at least {CONTEXT_SECRET_MIN} characters, "
                           "the same on the gateway and every service (make run makes one in var/rpc-secret)")
    return None


def _signature(secret, body):
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def outside(what="该数据"):
    return Forbidden("outside_jurisdiction", f"无权访问{what}：超出本账号的管辖范围")


def require(caller, allowed):
    """Raise Forbidden unless there is a caller and `allowed` (a bool the caller computed) holds."""
    if caller is None:
        raise Forbidden("no_caller", "请求未携带调用者身份，已拒绝")
    if not allowed:
        raise outside()
    return caller
