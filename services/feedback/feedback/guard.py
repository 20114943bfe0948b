"""The feedback service's own wall (toolkit.caller, contracts.access), and its objects: each one an
RPC names must exist and sit in the scope the call names (toolkit.objects), or 404."""
from contracts.access import CITY_ADMIN, COMMUNITY_STAFF, DISTRICT_OFFICER, MEMBER, UNIT_OFFICER, require
from toolkit.objects import Kind, Objects

objects = Objects({
    # a unit where it sits, as registration told (for the officers above a unit's routes)
    "unit": Kind("单位", "SELECT unit_id, community_code, unit_id, NULL FROM feedback.units WHERE unit_id = ANY(:ids)"),
    # a notice as released sits with its unit (its district released it: the district's routes
    # read it by unit and half year)
    "notice": Kind("反馈通知", "SELECT id, NULL, unit_id, NULL FROM feedback.notices WHERE id = ANY(:ids)"),
    # an objection sits in the community of what it disputes, with the member and unit concerned
    "objection": Kind("异议", "SELECT id, community_code, unit_id, member_id FROM feedback.objections "
                             "WHERE id = ANY(:ids)"),
    "detail_change": Kind("信息变更", "SELECT id, community_code, unit_id, member_id FROM feedback.detail_changes "
                                   "WHERE id = ANY(:ids)"),
    "opinion": Kind("征求意见", "SELECT id, community_code, unit_id, NULL FROM feedback.opinions WHERE id = ANY(:ids)"),
})


def area(caller, code):
    return require(caller, caller is not None and caller.covers_area(code))


def district(caller, code):
    """The district's organization department releases (通过县（区）级组织部门, §5.3.1)."""
    return require(caller, caller is not None and caller.role in (DISTRICT_OFFICER, CITY_ADMIN)
                   and caller.covers_area(code))


def community_staff(caller, code):
    return require(caller, caller is not None and caller.role in (COMMUNITY_STAFF, CITY_ADMIN)
                   and caller.covers_area(code))


def unit(caller, unit_id):
    """A unit's notices and objections: its own officer (the city's administrator too)."""
    return require(caller, caller is not None and (caller.role == CITY_ADMIN or (
        caller.role == UNIT_OFFICER and caller.scope == str(unit_id))))


def unit_officer(caller, unit_id):
    return require(caller, caller is not None and caller.role == UNIT_OFFICER and caller.scope == str(unit_id))


def member(caller, member_id):
    return require(caller, caller is not None and caller.role == MEMBER and caller.scope == str(member_id))


def objector(caller):
    return require(caller, caller is not None and caller.role in (MEMBER, UNIT_OFFICER))
