"""The registration service's own wall: whatever the gateway checked, each RPC checks again that
its caller (toolkit.caller) may touch the community, unit or member it names (contracts.access)."""
from sqlalchemy import select

from contracts.access import UNIT_OFFICER, require
from contracts.errors import NotFound

from .models import units


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
    code = conn.execute(select(units.c.community_code).where(units.c.id == unit_id)).scalar()
    if code is None:
        raise NotFound(message=f"单位 {unit_id} 不存在")
    return require(caller, caller.covers_unit(unit_id, code))


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
