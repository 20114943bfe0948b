"""The registration service's own wall: whatever the gateway checked, each RPC checks again that
its caller (toolkit.caller) may touch the community, unit or member it names (contracts.access),
and that each object it names exists and sits in that scope (toolkit.objects), or 404."""
from sqlalchemy import select

from contracts.access import CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, UNIT_OFFICER, require
from contracts.errors import NotFound
from toolkit.objects import Kind, Objects

from .models import units

objects = Objects({
    # a registration sits in its community, under the member's unit, and is the member's own
    "registration": Kind("报到记录", "SELECT id, community_code, unit_id, member_id FROM registration.member_registrations "
                                  "WHERE id = ANY(:ids)"),
    "import_job": Kind("导入任务", "SELECT id, NULL, unit_id, NULL FROM registration.import_jobs WHERE id = ANY(:ids)"),
    # a member sits in every community they reported to (history included, §4.2)
    "member": Kind("党员", "SELECT member_id, community_code, unit_id, member_id FROM registration.member_registrations "
                         "WHERE member_id = ANY(:ids)"),
    "unit": Kind("单位", "SELECT id, community_code, id, NULL FROM registration.units WHERE id = ANY(:ids)"),
})


def require_any(caller, allowed, message):
    """Allowed, or (for one who may not see it) not found: a member's records cannot be probed."""
    signed_in(caller)
    if not allowed:
        raise NotFound(message=message)
    return caller


def signed_in(caller):
    return require(caller, True)


def area(caller, code):
    return require(caller, caller is not None and caller.covers_area(code))


def city(caller):
    return require(caller, caller is not None and caller.role == "city_admin")


def unit(caller, conn, unit_id):
    """A unit's own officer, or an officer above the community the unit sits in."""
    signed_in(caller)
    if caller.role == UNIT_OFFICER:
        return require(caller, caller.covers_unit(unit_id))
    if caller.role not in (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER):  # no unit's records, by role
        return require(caller, False)
    code = conn.execute(select(units.c.community_code).where(units.c.id == unit_id)).scalar()
    # outside the caller's area or nowhere: the same answer, so unit ids cannot be probed
    if code is None or not caller.covers_unit(unit_id, code):
        raise NotFound(message=f"单位 {unit_id} 不存在")
    return caller


def owner(caller, conn, owner):
    """`owner` as the RPCs take it: {"community_code": ...} or {"unit_id": ...}."""
    if "community_code" in owner:
        return area(caller, owner["community_code"])
    if "unit_id" in owner:
        return unit(caller, conn, owner["unit_id"])
    return require(caller, False)


def acting(caller, role, allowed):
    """A write in the name of `role` (community staff, a unit's or a street's officer): the caller
    must hold that role, or be the city's administrator, and cover the node (`allowed`)."""
    return require(caller, caller is not None and caller.role in (role, "city_admin") and allowed)


def community_staff(caller, code):
    return acting(caller, "community_staff", caller is not None and caller.covers_area(code))


def street_officer(caller, code):
    return acting(caller, "street_officer", caller is not None and caller.covers_area(code))


def unit_officer(caller, conn, unit_id):
    unit(caller, conn, unit_id)
    return acting(caller, "unit_officer", True)


def member(caller, member_id):
    return require(caller, caller is not None and caller.is_member(member_id))
