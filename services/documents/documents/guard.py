"""The documents service's own wall (toolkit.caller, contracts.access). Its only objects are its
jobs (jobs.status: 404 for a job not there and a job not the caller's alike); every form's data is
asked of its owner as the caller, who checks again."""
from contracts.access import CITY_ADMIN, COMMUNITY_STAFF, DISTRICT_OFFICER, MEMBER, require


def area(caller, code):
    return require(caller, caller is not None and caller.covers_area(code))


def community_staff(caller, code):
    """Batches of a community's forms: its staff (and the city's administrator)."""
    return require(caller, caller is not None and caller.role in (COMMUNITY_STAFF, CITY_ADMIN)
                   and caller.covers_area(code))


def signed_in(caller):
    return require(caller, caller is not None)


def district(caller, code):
    """A district's batches: its organization department (and the city's administrator)."""
    return require(caller, caller is not None and caller.role in (DISTRICT_OFFICER, CITY_ADMIN)
                   and caller.covers_area(code))


def member(caller, member_id):
    return require(caller, caller is not None and caller.role == MEMBER and caller.scope == str(member_id))
