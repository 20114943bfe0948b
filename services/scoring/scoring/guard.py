"""The scoring service's own wall (toolkit.caller, contracts.access), and its objects: each one an
RPC names must exist and sit in the scope the call names (toolkit.objects), or 404. A holder is
known by its red account (§4.3.2): points for a member or unit without one in that community are
refused."""
from contracts.access import CITY_ADMIN, COMMUNITY_STAFF, require
from toolkit.objects import Kind, Objects

objects = Objects({
    # a holder of points now: their red account is in that community (§4.3.2)
    "member": Kind("党员", "SELECT holder_id, community_code, unit_id, holder_id FROM scoring.accounts "
                         "WHERE holder_kind = 'member' AND holder_id = ANY(:ids)"),
    # what a community keeps of a member: their red account there, or entries in its ledger (a
    # member transferred away keeps their past half years, §4.2)
    "member_of_record": Kind("党员", "SELECT holder_id, community_code, unit_id, holder_id FROM scoring.accounts "
                                   "WHERE holder_kind = 'member' AND holder_id = ANY(:ids) UNION "
                                   "SELECT DISTINCT holder_id, community_code, NULL::bigint, holder_id FROM scoring.ledger "
                                   "WHERE holder_kind = 'member' AND holder_id = ANY(:ids)"),
    "unit": Kind("单位", "SELECT holder_id, community_code, holder_id, NULL FROM scoring.accounts "
                        "WHERE holder_kind = 'unit' AND holder_id = ANY(:ids)"),
    "ledger_entry": Kind("积分记录", "SELECT id, community_code, NULL, NULL FROM scoring.ledger WHERE id = ANY(:ids)"),
    "goods": Kind("物品或服务", "SELECT id, community_code, NULL, NULL FROM scoring.goods WHERE id = ANY(:ids)"),
    "redemption": Kind("兑换记录", "SELECT id, community_code, NULL, member_id FROM scoring.redemptions "
                                 "WHERE id = ANY(:ids)"),
    # a run sits in the area it was started for: seen from that area and those above it
    "settlement_run": Kind("清算任务", "SELECT id, area_code, NULL, NULL FROM scoring.settlement_runs "
                                    "WHERE id = ANY(:ids)"),
})


def signed_in(caller):
    """What every account may read (the vanguard board): still not a message without a caller."""
    return require(caller, caller is not None)


def member_or_city(caller, member_id):
    """A member's points across communities: the member, or the city's administrator (officers of
    an area read them per community: `area`)."""
    return require(caller, caller is not None and (caller.is_member(member_id) or caller.role == CITY_ADMIN))


def area(caller, code):
    return require(caller, caller is not None and caller.covers_area(code))


def community_staff(caller, code):
    return require(caller, caller is not None and caller.role in (COMMUNITY_STAFF, CITY_ADMIN)
                   and caller.covers_area(code))


def city_admin(caller):
    """The city's rules (S7): only the city's administrator publishes them."""
    return require(caller, caller is not None and caller.role == CITY_ADMIN)


def member(caller, member_id):
    return require(caller, caller is not None and caller.is_member(member_id))
