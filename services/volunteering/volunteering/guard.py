"""The volunteering service's own wall: each RPC checks its caller (toolkit.caller) again, and
each object it names must exist and sit in the scope the call names (toolkit.objects), or 404."""
import eventlet

from contracts.access import COMMUNITY_STAFF, MEMBER, require
from contracts.errors import NotFound
from toolkit.objects import Kind, Objects


UNIT_LOOKUP_TIMEOUT = 10  # seconds; within the caller's signature's life (contracts.access.CONTEXT_TTL)


def _units(service, ids):
    """Units are the registration service's: where each sits, asked over RPC (a co-building
    project is signed with a unit of the community, §3.2.1)."""
    rows = []
    for unit_id in ids:
        try:
            # a registration service that is away fails this call, not the worker forever
            with eventlet.Timeout(UNIT_LOOKUP_TIMEOUT):
                rows.append((unit_id, service.registration.unit_scope(unit_id)["community_code"], unit_id, None))
        except NotFound:
            pass
    return rows


def _in(table):
    return f"SELECT id, community_code, NULL, NULL FROM volunteering.{table} WHERE id = ANY(:ids)"


objects = Objects(member_kind="participant", kinds={
    # a member enlisted for something new is active in the community this year (registration's events)
    "member": Kind("党员", "SELECT member_id, community_code, unit_id, member_id FROM volunteering.members "
                         "WHERE active AND member_id = ANY(:ids)"),
    # a member with records in a community: active there now, or signed up, claiming or in a team
    # there before a transfer (what they did stays theirs to be assessed, to leave, §4.2)
    "participant": Kind("党员", "SELECT member_id, community_code, unit_id, member_id FROM volunteering.members "
                              "WHERE active AND member_id = ANY(:ids) UNION "
                              "SELECT s.member_id, a.community_code, NULL::bigint, s.member_id FROM volunteering.signups s "
                              "JOIN volunteering.activities a ON a.id = s.activity_id WHERE s.member_id = ANY(:ids) UNION "
                              "SELECT c.member_id, p.community_code, NULL::bigint, c.member_id FROM volunteering.post_claims c "
                              "JOIN volunteering.posts p ON p.id = c.post_id WHERE c.member_id = ANY(:ids) UNION "
                              "SELECT tm.member_id, t.community_code, NULL::bigint, tm.member_id FROM volunteering.team_members tm "
                              "JOIN volunteering.teams t ON t.id = tm.team_id WHERE tm.member_id = ANY(:ids)"),
    "post": Kind("岗位", _in("posts")),
    # a claim sits in its post's community, and is its member's own
    "claim": Kind("认岗申请", "SELECT c.id, p.community_code, NULL::bigint, c.member_id FROM volunteering.post_claims c "
                            "JOIN volunteering.posts p ON p.id = c.post_id WHERE c.id = ANY(:ids)"),
    "team": Kind("服务队", _in("teams")),
    "activity": Kind("活动", _in("activities")),
    "household": Kind("联系户", _in("households")),
    "project": Kind("党建联建项目", "SELECT id, community_code, unit_id, NULL FROM volunteering.projects "
                                 "WHERE id = ANY(:ids)"),
    "unit": Kind("单位", resolve=_units),
})


def signed_in(caller):
    return require(caller, True)


def area(caller, code):
    """Read what lies in one's area (the community's staff and the officers above it)."""
    return require(caller, caller is not None and caller.covers_area(code))


def community_staff(caller, code):
    """Act for a community: its staff (or the city's administrator)."""
    return require(caller, caller is not None and caller.role in (COMMUNITY_STAFF, "city_admin")
                   and caller.covers_area(code))


def member(caller, member_id):
    """A member acts for themself only."""
    return require(caller, caller is not None and caller.role == MEMBER and caller.is_member(member_id))


def unit_or_above(caller, unit_id):
    """A unit's records: its officer, or officers of an area (what they may see of it is then
    filtered by the community each record sits in)."""
    from contracts.access import CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, UNIT_OFFICER
    return require(caller, caller is not None and unit_id is not None and (
        (caller.role == UNIT_OFFICER and caller.covers_unit(unit_id))
        or caller.role in (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER)))


def district_officer(caller, district_code):
    """Act for a district (its org department officer, or the city's administrator)."""
    from contracts.access import CITY_ADMIN, DISTRICT_OFFICER
    return require(caller, caller is not None and caller.role in (DISTRICT_OFFICER, CITY_ADMIN)
                   and caller.covers_area(district_code))
