"""A member's own service in one answer (我的服务), for the member's screen: the year's public
commitment and how far it has come (§3.3.3), the teams of the community to join or leave
(§3.2.3), the posts claimed (§3.2.2), and, for a member cadre, the households to visit with their
last visit (§3.4.5).

Only while the member is active in a community (accepted, not transferred out): a member who has
moved on sees none of the old community's households, whose addresses and phones are personal
data of residents (§4.2: the new community gives them their work)."""
from sqlalchemy import and_, func, select

from .handlers import list_commitments
from .models import (household_assignments, household_visits, households, members, post_claims, posts,
                     team_members, teams)


def my_service(conn, member_id, year):
    me = conn.execute(select(members.c.community_code, members.c.active).where(members.c.member_id == member_id)).first()
    if me is None or not me.active:   # reported but not accepted yet, or transferred out: nothing to serve in
        return {"community_code": me.community_code if me else None, "active": False, "commitment": None,
                "teams": [], "claims": [], "households": []}
    community = me.community_code
    commitment = list_commitments(conn, community, year, member_id)
    size = (select(team_members.c.team_id, func.count().label("size")).where(team_members.c.left_at.is_(None))
            .group_by(team_members.c.team_id).subquery())
    mine = (select(team_members.c.team_id).where(team_members.c.member_id == member_id, team_members.c.left_at.is_(None))
            .subquery())
    leader = members.alias("leader")
    team_rows = conn.execute(
        select(teams.c.id, teams.c.name, teams.c.formation, leader.c.name.label("leader"),
               (teams.c.leader_member_id == member_id).label("leads"),
               func.coalesce(size.c.size, 0).label("members"), mine.c.team_id.is_not(None).label("joined"))
        .join(leader, leader.c.member_id == teams.c.leader_member_id)
        .outerjoin(size, size.c.team_id == teams.c.id).outerjoin(mine, mine.c.team_id == teams.c.id)
        .where(teams.c.community_code == community).order_by(teams.c.id)).mappings().all()
    claims = conn.execute(
        select(post_claims.c.id, post_claims.c.status, post_claims.c.claimed_at, posts.c.id.label("post_id"),
               posts.c.title, posts.c.category, posts.c.place, posts.c.schedule)
        .join(posts, posts.c.id == post_claims.c.post_id)
        .where(post_claims.c.member_id == member_id, post_claims.c.status.in_(("pending", "approved")),
               posts.c.community_code == community)
        .order_by(post_claims.c.id.desc())).mappings().all()
    # the household's visits by whoever covered it: a cadre taking over sees the last one
    visits = (select(household_visits.c.household_id, func.max(household_visits.c.visited_on).label("last_visit"),
                     func.count().label("visits"))
              .group_by(household_visits.c.household_id).subquery())
    covered = conn.execute(
        select(households.c.id.label("household_id"), households.c.head_name, households.c.home_address,
               households.c.phone, households.c.tags, visits.c.last_visit, func.coalesce(visits.c.visits, 0).label("visits"))
        .join(household_assignments, and_(household_assignments.c.household_id == households.c.id,
                                          household_assignments.c.member_id == member_id))
        .outerjoin(visits, visits.c.household_id == households.c.id)
        .where(households.c.community_code == community)
        .order_by(visits.c.last_visit.asc().nulls_first(), households.c.id)).mappings().all()
    return {"community_code": community, "active": True, "commitment": commitment[0] if commitment else None,
            "teams": [dict(t) for t in team_rows], "claims": [dict(c) for c in claims],
            "households": [dict(h) for h in covered]}
