"""Finding a unit by what the clerk has in hand: a part of its name, or its unified social credit
code (统一社会信用代码). A member who reports at the desk names the unit they work in, which may
sit in any district of the city (a city bureau, a company), so the search covers the city; a
unit's name and credit code are public, its officers' phones are not in the answer."""
from sqlalchemy import func, or_, select

from .models import communities, units

MAX_FOUND = 20


def find_units(session, words):
    words = (words or "").strip()
    if len(words) < 2:
        return []
    code = words.upper()
    rows = session.execute(
        select(units.c.id.label("unit_id"), units.c.name, units.c.credit_code, units.c.type, units.c.party_org_name,
               units.c.community_code, communities.c.name.label("community_name"))
        .join(communities, communities.c.code == units.c.community_code)
        .where(or_(units.c.credit_code == code, units.c.name.contains(words, autoescape=True),
                   units.c.party_org_name.contains(words, autoescape=True)))
        .order_by(units.c.credit_code != code, func.length(units.c.name), units.c.id).limit(MAX_FOUND)).mappings().all()
    return [dict(r) for r in rows]
