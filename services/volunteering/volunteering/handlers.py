"""The use cases of volunteering: plain functions over a unit of work (no nameko here)."""
import os
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert

from contracts.errors import Conflict, InvalidState, NotFound
from toolkit.config import now
from toolkit.validation import invalid

from . import domain, rules
from .models import (activities, commitments, household_assignments, household_visits, households, members,
                     organization_life, organization_life_attendance, post_claims, posts, project_history,
                     project_ratings, projects, signups, studios, support_pairings, team_members, teams)

SCOPE = ("district_code", "street_code", "community_code")


def _scope(row):
    return {k: row[k] for k in SCOPE}


def _scope_of_code(code):
    return {"district_code": code[:6], "street_code": code[:9], "community_code": code}


# --- members, as the registration service tells of them ------------------------------------

def member_reported(conn, event):
    """A report (member_reported): known, not yet active. A report older than the one on record
    (redelivered late) changes nothing."""
    values = {"member_id": event["member_id"], "name": event.get("member_name"), "unit_id": event["unit_id"],
              "year": event["year"], "registration_id": event["registration_id"], "active": False,
              "skills": event["skills"], "service_intentions": event["service_intentions"], **_scope(event)}
    stmt = insert(members).values(**values)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["member_id"], set_={k: stmt.excluded[k] for k in values if k != "member_id"} | {"updated_at": func.now()},
        where=members.c.registration_id < stmt.excluded.registration_id))


def member_accepted(conn, event):
    """The community accepted the report (member_registration_accepted): the member is active
    there for the year, and may claim posts and serve."""
    values = {"member_id": event["member_id"], "name": event.get("member_name"), "unit_id": event["unit_id"],
              "year": event["year"], "registration_id": event["registration_id"], "active": True,
              "skills": event.get("skills") or [], "service_intentions": event.get("service_intentions") or [],
              **_scope(event)}
    stmt = insert(members).values(**values)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["member_id"], set_={k: stmt.excluded[k] for k in values if k != "member_id"} | {"updated_at": func.now()},
        where=members.c.registration_id <= stmt.excluded.registration_id))


def member_transferred(conn, event):
    """The registration moved away (R7): the member serves again once the new one is accepted."""
    conn.execute(update(members).where(members.c.registration_id == event["registration_id"])
                 .values(active=False, updated_at=func.now()))


def _active_member(conn, member_id, community_code=None):
    row = conn.execute(select(members).where(members.c.member_id == member_id)).mappings().first()
    if row is None or not row["active"]:
        raise InvalidState("not_reported", "该党员本年度尚未在社区完成报到，暂不能认岗或参加活动（§3.2.2）")
    if community_code and row["community_code"] != community_code:
        raise InvalidState("other_community", "只能认领或参加本人报到社区的岗位和活动（§4.2）")
    return row


# --- posts and claims (P2, §3.2.2) ----------------------------------------------------------

def design_post(uow, req, designer):
    scope = _scope_of_code(req["community_code"])
    values = {k: req[k] for k in ("category", "title", "description", "capacity", "place", "schedule", "skills")}
    post_id = uow.conn.execute(posts.insert().values(**values, **scope, created_by=designer)
                               .returning(posts.c.id)).scalar_one()
    uow.emit("post_designed", scope, post_id=post_id, category=req["category"], title=req["title"],
             capacity=req["capacity"], skills=req["skills"])
    return {"post_id": post_id, **values, **scope}


def _post(conn, post_id, community_code=None, lock=False):
    stmt = select(posts).where(posts.c.id == post_id)
    if community_code:
        stmt = stmt.where(posts.c.community_code == community_code)
    row = conn.execute(stmt.with_for_update() if lock else stmt).mappings().first()
    if row is None:
        raise NotFound(message=f"岗位 {post_id} 不存在")
    return row


def _claimed(conn, post_id):
    return conn.execute(select(func.count()).select_from(post_claims).where(
        post_claims.c.post_id == post_id, post_claims.c.status == "approved")).scalar()


def list_posts(conn, community_code):
    rows = conn.execute(select(posts).where(posts.c.community_code == community_code).order_by(posts.c.id)).mappings().all()
    taken = dict(conn.execute(select(post_claims.c.post_id, func.count()).where(post_claims.c.status == "approved")
                              .group_by(post_claims.c.post_id)).all())
    return [dict(r) | {"claimed": taken.get(r["id"], 0)} for r in rows]


def claim_post(uow, member_id, post_id):
    """A member claims a post of their community; community staff review the claim (§3.2.2)."""
    c = uow.conn
    post = _post(c, post_id)
    member = _active_member(c, member_id, post["community_code"])
    claim_id = c.execute(insert(post_claims).values(post_id=post_id, member_id=member_id)
                         .on_conflict_do_nothing().returning(post_claims.c.id)).scalar()
    if claim_id is None:
        raise Conflict("already_claimed", "已认领该岗位（待审核或已通过）")
    uow.emit("post_claimed", _scope(post), claim_id=claim_id, post_id=post_id, member_id=member_id,
             unit_id=member["unit_id"])
    return {"claim_id": claim_id, "post_id": post_id, "status": "pending"}


def review_claim(uow, community_code, claim_id, req, reviewer):
    c = uow.conn
    claim = c.execute(select(post_claims).join(posts, posts.c.id == post_claims.c.post_id)
                      .where(post_claims.c.id == claim_id, posts.c.community_code == community_code)
                      .with_for_update(of=post_claims)).mappings().first()
    if claim is None:
        raise NotFound(message=f"认岗申请 {claim_id} 不存在")
    if claim["status"] != "pending":
        raise InvalidState("already_reviewed", f"该申请已审核（{claim['status']}）")
    post = _post(c, claim["post_id"], lock=True)  # approvals of one post one at a time: capacity holds
    status = "approved" if req["decision"] == "approve" else "rejected"
    if status == "approved" and _claimed(c, post["id"]) >= post["capacity"]:
        raise InvalidState("post_full", f"岗位已满（{post['capacity']} 人）")
    c.execute(update(post_claims).where(post_claims.c.id == claim_id).values(
        status=status, reviewed_by=reviewer, reviewed_at=now(), note=req["note"]))
    uow.emit("post_claim_reviewed", _scope(post), claim_id=claim_id, post_id=post["id"],
             member_id=claim["member_id"], decision=req["decision"], reviewed_by=reviewer)
    return {"claim_id": claim_id, "status": status}


def list_claims(conn, community_code, status=None):
    stmt = (select(post_claims, posts.c.title.label("post_title"), members.c.name.label("member_name"))
            .join(posts, posts.c.id == post_claims.c.post_id).join(members, members.c.member_id == post_claims.c.member_id)
            .where(posts.c.community_code == community_code))
    if status:
        stmt = stmt.where(post_claims.c.status == status)
    return [dict(r) for r in conn.execute(stmt.order_by(post_claims.c.id)).mappings()]


def member_posts(conn, member_id, community_code=None):
    """The posts a member holds (approved claims): 认岗情况 on register D.1."""
    stmt = (select(posts.c.id.label("post_id"), posts.c.title, posts.c.category, posts.c.community_code)
            .join(post_claims, post_claims.c.post_id == posts.c.id)
            .where(post_claims.c.member_id == member_id, post_claims.c.status == "approved"))
    if community_code:
        stmt = stmt.where(posts.c.community_code == community_code)
    return [dict(r) for r in conn.execute(stmt.order_by(posts.c.id)).mappings()]


def community_member_posts(conn, community_code):
    """{member_id: [posts]}: `member_posts` of every member holding a post of the community."""
    out = {}
    for r in conn.execute(select(post_claims.c.member_id, posts.c.id.label("post_id"), posts.c.title,
                                 posts.c.category, posts.c.community_code)
                          .join(post_claims, post_claims.c.post_id == posts.c.id)
                          .where(posts.c.community_code == community_code, post_claims.c.status == "approved")
                          .order_by(post_claims.c.member_id, posts.c.id)).mappings():
        row = dict(r)
        out.setdefault(str(row.pop("member_id")), []).append(row)
    return out


def suggest_posts(conn, member_id):
    """Posts of the member's community that fit their skills or intentions, with the reason."""
    member = _active_member(conn, member_id)
    out = []
    for post in list_posts(conn, member["community_code"]):
        reason = domain.match_reason(post, member)
        if reason and post["claimed"] < post["capacity"]:
            out.append({"post_id": post["id"], "title": post["title"], "category": post["category"],
                        "place": post["place"], "schedule": post["schedule"], "reason": reason})
    return out


def suggest_members(conn, community_code, post_id):
    """Active members of the community who fit a post, with the reason (skills to needs)."""
    post = _post(conn, post_id, community_code)
    rows = conn.execute(select(members).where(members.c.community_code == community_code, members.c.active)
                        .order_by(members.c.member_id)).mappings().all()
    return [{"member_id": m["member_id"], "name": m["name"], "reason": reason}
            for m in rows if (reason := domain.match_reason(post, m))]


# --- service teams (P3, §3.2.3) --------------------------------------------------------------

def form_team(uow, req, former):
    c, code = uow.conn, req["community_code"]
    ids = sorted(set(req["member_ids"]) | {req["leader_member_id"]})
    found = {r.member_id for r in c.execute(select(members.c.member_id).where(
        members.c.member_id.in_(ids), members.c.community_code == code, members.c.active))}
    if missing := [i for i in ids if i not in found]:
        raise invalid("member_ids", "not_in_community", "§3.2.3",
                      f"以下党员未在本社区完成本年度报到：{'、'.join(map(str, missing))}")
    if req["post_id"] is not None:
        _post(c, req["post_id"], code)
        approved = {r.member_id for r in c.execute(select(post_claims.c.member_id).where(
            post_claims.c.post_id == req["post_id"], post_claims.c.status == "approved"))}
        if req["formation"] != "interest" and (strangers := [i for i in ids if i not in approved]):
            raise invalid("member_ids", "not_claimed", "§3.2.3",
                          f"按岗位组队时，成员须已认领该岗位并通过审核：{'、'.join(map(str, strangers))}")
    scope = _scope_of_code(code)
    team_id = c.execute(insert(teams).values(
        name=req["name"], formation=req["formation"], post_id=req["post_id"], leader_member_id=req["leader_member_id"],
        **scope).on_conflict_do_nothing().returning(teams.c.id)).scalar()
    if team_id is None:
        raise Conflict("team_name_taken", f"本社区已有名为“{req['name']}”的服务队")
    c.execute(team_members.insert(), [{"team_id": team_id, "member_id": i} for i in ids])
    uow.emit("team_formed", scope, team_id=team_id, name=req["name"], formation=req["formation"],
             post_id=req["post_id"], leader_member_id=req["leader_member_id"], member_ids=ids)
    return {"team_id": team_id, "name": req["name"], "formation": req["formation"], "member_ids": ids}


# --- activities (C2 §3.3.2, F2 §3.4.2, F3 §3.4.3) ------------------------------------------------

PUBLIC_ACTIVITY = ("id", "kind", "festival", "title", "content", "place", "contact", "starts_at", "ends_at",
                   "capacity", "team_id", "post_id", "organizer", "announced_at") + SCOPE


def announce_activity(uow, req, organizer):
    c, code = uow.conn, req["community_code"]
    for ref, table, what in (("team_id", teams, "服务队"), ("post_id", posts, "岗位")):
        if req[ref] is not None and c.execute(select(table.c.id).where(
                table.c.id == req[ref], table.c.community_code == code)).first() is None:
            raise invalid(ref, "unknown", "§3.3.2", f"本社区没有编号为 {req[ref]} 的{what}")
    if req["kind"] == "festival":
        day = domain.festival_dates(req["starts_at"].year)[req["festival"]][1]
        local = req["starts_at"].astimezone(now().tzinfo).date()
        if abs((local - day).days) > 7:
            raise invalid("starts_at", "not_near_festival", "§3.4.2",
                          f"{domain.FESTIVALS[req['festival']]}集中服务应在节日（{day.isoformat()}）前后7天内")
    scope = _scope_of_code(code)
    values = {k: req[k] for k in ("kind", "festival", "title", "content", "place", "contact", "starts_at", "ends_at",
                                  "capacity", "team_id", "post_id")}
    activity_id = c.execute(activities.insert().values(**values, **scope, organizer=organizer,
                                                       code_secret=os.urandom(32)).returning(activities.c.id)).scalar_one()
    uow.emit("activity_announced", scope, activity_id=activity_id, organizer=organizer,
             **{k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()})
    return {"activity_id": activity_id, **values, **scope}


def team_led_by(conn, team_id, member_id):
    """The team if `member_id` leads it (teams announce their services themselves, §3.3.2)."""
    team = conn.execute(select(teams).where(teams.c.id == team_id)).mappings().first()
    if team is None or team["leader_member_id"] != member_id:
        raise NotFound(message=f"您不是服务队 {team_id} 的队长")
    return team


def announce_festival_campaign(uow, district_code, req, organizer):
    """A district's concentrated service on a festival (§3.4.2): one festival activity in each
    community it names, all announced together."""
    if not all(code.startswith(district_code) for code in req["community_codes"]):
        raise invalid("community_codes", "outside_district", "§3.4.2", "只能在本县（区）的社区组织集中服务")
    base = {k: req[k] for k in ("title", "content", "place", "contact", "starts_at", "ends_at", "capacity")}
    created = [announce_activity(uow, {**base, "community_code": code, "kind": "festival", "festival": req["festival"],
                                       "team_id": None, "post_id": None}, organizer)["activity_id"]
               for code in sorted(set(req["community_codes"]))]
    return {"festival": req["festival"], "activity_ids": created}


def _activity(conn, activity_id, community_code=None, lock=False):
    stmt = select(activities).where(activities.c.id == activity_id)
    if community_code:
        stmt = stmt.where(activities.c.community_code == community_code)
    row = conn.execute(stmt.with_for_update() if lock else stmt).mappings().first()
    if row is None:
        raise NotFound(message=f"活动 {activity_id} 不存在")
    return row


def list_activities(conn, community_code):
    rows = conn.execute(select(*(activities.c[k] for k in PUBLIC_ACTIVITY))
                        .where(activities.c.community_code == community_code)
                        .order_by(activities.c.starts_at.desc())).mappings().all()
    counts = dict(conn.execute(select(signups.c.activity_id, func.count()).group_by(signups.c.activity_id)).all())
    return [dict(r) | {"signed_up": counts.get(r["id"], 0)} for r in rows]


def sign_up(uow, member_id, activity_id):
    c = uow.conn
    activity = _activity(c, activity_id, lock=True)  # sign-ups of one activity one at a time: capacity holds
    _active_member(c, member_id, activity["community_code"])
    if now() >= activity["ends_at"]:
        raise InvalidState("activity_over", "活动已结束，不能报名")
    taken = c.execute(select(func.count()).select_from(signups).where(signups.c.activity_id == activity_id)).scalar()
    if taken >= activity["capacity"]:
        raise InvalidState("activity_full", f"报名已满（{activity['capacity']} 人）")
    done = c.execute(insert(signups).values(activity_id=activity_id, member_id=member_id)
                     .on_conflict_do_nothing().returning(signups.c.member_id)).first()
    if done is None:
        raise Conflict("already_signed_up", "已报名该活动")
    return {"activity_id": activity_id, "member_id": member_id, "signed_up": True}


def current_code(conn, community_code, activity_id, at=None):
    """The code the organizer shows now, and until when it is taken."""
    activity = _activity(conn, activity_id, community_code)
    epoch = (at or now()).timestamp()
    return {"activity_id": activity_id, "code": domain.check_in_code(activity["code_secret"], activity_id, epoch),
            "expires_at": datetime.fromtimestamp(domain.code_expires_at(epoch), tz=now().tzinfo)}


def _signup(conn, activity_id, member_id):
    row = conn.execute(select(signups).where(signups.c.activity_id == activity_id, signups.c.member_id == member_id)
                       .with_for_update()).mappings().first()
    if row is None:
        raise InvalidState("not_signed_up", "未报名该活动，不能签到")
    return row


def _check_code(activity, code, at):
    if not domain.code_is_valid(activity["code_secret"], activity["id"], code, at.timestamp()):
        raise invalid("code", "bad_code", "§3.4", "签到码不正确或已过期，请向活动组织者索取当前签到码")


def check_in(uow, member_id, activity_id, code, at=None):
    c, at = uow.conn, at or now()
    activity = _activity(c, activity_id)
    if not (activity["starts_at"] - domain.CHECK_IN_EARLY <= at <= activity["ends_at"]):
        raise InvalidState("outside_activity_time", "不在活动时间内，不能签到（活动开始前30分钟起至结束）")
    row = _signup(c, activity_id, member_id)
    _check_code(activity, code, at)
    if row["checked_in_at"] is not None:
        raise Conflict("already_checked_in", "已签到")
    c.execute(update(signups).where(signups.c.activity_id == activity_id, signups.c.member_id == member_id)
              .values(checked_in_at=at))
    return {"activity_id": activity_id, "member_id": member_id, "checked_in_at": at}


def check_out(uow, member_id, activity_id, code, at=None):
    c, at = uow.conn, at or now()
    activity = _activity(c, activity_id)
    if not (activity["starts_at"] <= at <= activity["ends_at"] + domain.CHECK_OUT_LATE):
        raise InvalidState("outside_activity_time", "不在活动时间内，不能签退（活动开始起至结束后2小时）")
    row = _signup(c, activity_id, member_id)
    _check_code(activity, code, at)
    if row["checked_in_at"] is None:
        raise InvalidState("not_checked_in", "尚未签到，不能签退")
    if row["checked_out_at"] is not None:
        raise Conflict("already_checked_out", "已签退")
    c.execute(update(signups).where(signups.c.activity_id == activity_id, signups.c.member_id == member_id)
              .values(checked_out_at=at))
    return {"activity_id": activity_id, "member_id": member_id, "checked_out_at": at,
            "hours": domain.hours_between(row["checked_in_at"], at)}


def assess(uow, community_code, activity_id, req, assessor):
    """The organizer assesses each participant once (§3.5.2): one service_completed event per
    participant, with what the scoring service needs."""
    c = uow.conn
    activity = _activity(c, activity_id, community_code, lock=True)
    wanted = {p["member_id"]: p for p in req["participants"]}
    if len(wanted) != len(req["participants"]):
        raise invalid("participants", "duplicate_member", "§3.5.2", "同一党员在一次评价中只能出现一次")
    rows = {r["member_id"]: r for r in c.execute(
        select(signups, members.c.unit_id).join(members, members.c.member_id == signups.c.member_id)
        .where(signups.c.activity_id == activity_id, signups.c.member_id.in_(list(wanted)))
        .with_for_update(of=signups)).mappings()}
    problems, in_force = [], {}
    for i, (member_id, p) in enumerate(wanted.items()):
        row = rows.get(member_id)
        if row is None or row["checked_in_at"] is None or row["checked_out_at"] is None:
            problems.append({"field": f"participants.{i}.member_id", "code": "not_served", "rule": "§3.5.2",
                             "message": f"党员 {member_id} 未在本活动签到并签退，不能评价"})
        elif row["assessed_at"] is not None:
            problems.append({"field": f"participants.{i}.member_id", "code": "already_assessed", "rule": "§3.5.2",
                             "message": f"党员 {member_id} 已评价（{row['points']} 分）"})
        else:
            # the half year the service counts in is its check-out's, as the scoring service counts
            # it (served_until): both then apply the same rule version to it
            period = domain.half_year_of(row["checked_out_at"])
            if period not in in_force:
                in_force[period] = rules.in_force(c, period)
            broken = domain.assessment_problem(in_force[period], p["adjustment"], p["override_points"])
            if broken:
                field, code, message = broken
                problems.append({"field": f"participants.{i}.{field}", "code": code, "rule": "§3.5.2",
                                 "message": message})
    if problems:
        from contracts.errors import ValidationFailed
        raise ValidationFailed(fields=problems)
    at, scope, out = now(), _scope(activity), []
    for member_id, p in wanted.items():
        row = rows[member_id]
        applied = in_force[domain.half_year_of(row["checked_out_at"])]
        points = domain.service_points(p["adjustment"], p["override_points"], applied)
        hours = domain.hours_between(row["checked_in_at"], row["checked_out_at"])
        c.execute(update(signups).where(and_(signups.c.activity_id == activity_id, signups.c.member_id == member_id))
                  .values(adjustment=p["adjustment"], override_points=p["override_points"],
                          override_reason=p["reason"] if p["override_points"] is not None else None,
                          points=points, hours=hours, assessed_by=assessor, assessed_at=at))
        uow.emit("service_completed", scope, activity_id=activity_id, activity_kind=activity["kind"],
                 festival=activity["festival"], member_id=member_id, unit_id=row["unit_id"],
                 served_from=row["checked_in_at"].isoformat(), served_until=row["checked_out_at"].isoformat(),
                 hours=hours, base_points=applied.base_points, adjustment=p["adjustment"], override_points=p["override_points"],
                 override_reason=p["reason"] if p["override_points"] is not None else None, points=points,
                 approved_by=assessor, assessed_at=at.isoformat(),
                 recorded_after_the_fact=row["late_status"] == "approved", record_approved_by=row["late_decided_by"])
        out.append({"member_id": member_id, "points": points, "hours": hours})
    return {"activity_id": activity_id, "assessed": out}


# --- household coverage and home visits (F5, §3.4.5) ----------------------------------------------

def add_household(uow, req):
    scope = _scope_of_code(req["community_code"])
    values = {k: req[k] for k in ("head_name", "home_address", "phone", "tags")}
    household_id = uow.conn.execute(households.insert().values(**values, **scope).returning(households.c.id)).scalar_one()
    return {"household_id": household_id, **values, **scope}


def list_households(conn, community_code):
    last = (select(household_visits.c.household_id, func.max(household_visits.c.visited_on).label("last_visit"))
            .group_by(household_visits.c.household_id).subquery())
    rows = conn.execute(
        select(households, household_assignments.c.member_id, members.c.name.label("cadre_name"), last.c.last_visit)
        .outerjoin(household_assignments, household_assignments.c.household_id == households.c.id)
        .outerjoin(members, members.c.member_id == household_assignments.c.member_id)
        .outerjoin(last, last.c.household_id == households.c.id)
        .where(households.c.community_code == community_code).order_by(households.c.id)).mappings().all()
    # named so that the audit line of a read of the addresses names the household, not the cadre
    return [{"household_id": r["id"], **{k: v for k, v in r.items() if k not in ("id", "member_id")},
             "cadre_member_id": r["member_id"]} for r in rows]


def set_coverage(uow, req, assigned_by):
    """The households a member cadre covers, 10 to 15 (§3.4.5; the count is checked by the
    contract): the whole list at once, each household covered by one cadre."""
    c, code = uow.conn, req["community_code"]
    _active_member(c, req["member_id"], code)
    wanted = sorted(set(req["household_ids"]))
    if len(wanted) != len(req["household_ids"]):
        raise invalid("household_ids", "duplicate_household", "§3.4.5", "联系户不能重复")
    known = set(c.execute(select(households.c.id).where(households.c.id.in_(wanted),
                                                        households.c.community_code == code)).scalars())
    if missing := [i for i in wanted if i not in known]:
        raise invalid("household_ids", "unknown_household", "§3.4.5", f"本社区没有这些户：{'、'.join(map(str, missing))}")
    taken = c.execute(select(household_assignments.c.household_id).where(
        household_assignments.c.household_id.in_(wanted), household_assignments.c.member_id != req["member_id"])
        .with_for_update()).scalars().all()
    if taken:
        raise Conflict("household_covered", f"这些户已由其他党员干部联系：{'、'.join(map(str, sorted(taken)))}（§3.4.5）")
    c.execute(household_assignments.delete().where(household_assignments.c.member_id == req["member_id"],
                                                   household_assignments.c.household_id.notin_(wanted)))
    c.execute(insert(household_assignments).values(
        [{"household_id": h, "member_id": req["member_id"], "assigned_by": assigned_by} for h in wanted])
        .on_conflict_do_nothing())
    return {"member_id": req["member_id"], "household_ids": wanted}


def record_visit(uow, member_id, req):
    c = uow.conn
    covered = c.execute(select(household_assignments.c.household_id).where(
        household_assignments.c.household_id == req["household_id"],
        household_assignments.c.member_id == member_id)).first()
    if covered is None:
        raise invalid("household_id", "not_your_household", "§3.4.5", "只能登记本人联系户的走访")
    if req["visited_on"] > now().date():
        raise invalid("visited_on", "date_in_future", "§3.4.5", "走访日期不能晚于今天")
    visit_id = c.execute(household_visits.insert().values(member_id=member_id, **req).returning(household_visits.c.id)).scalar_one()
    return {"visit_id": visit_id, **req}


def unvisited(conn, community_code, days):
    """Households of the community with no visit in the last `days` days (or none ever)."""
    since = now().date() - timedelta(days=days)
    return [h for h in list_households(conn, community_code) if h["last_visit"] is None or h["last_visit"] < since]


# --- commitments (C3, §3.3.3, §5.2.2) ----------------------------------------------------------

def commit(uow, member_id, req):
    """A member's commitment for the year, published; one a year."""
    member = _active_member(uow.conn, member_id)
    values = {k: req[k] for k in ("year", "items", "services", "hours", "mode")}
    commitment_id = uow.conn.execute(insert(commitments).values(member_id=member_id, **values, **_scope(member))
                                     .on_conflict_do_nothing().returning(commitments.c.id)).scalar()
    if commitment_id is None:
        raise Conflict("already_committed", f"{req['year']}年的服务承诺已公开，每年一份（§3.3.3）")
    uow.emit("commitment_published", _scope(member), commitment_id=commitment_id, member_id=member_id,
             unit_id=member["unit_id"], **values)
    return {"commitment_id": commitment_id, "member_id": member_id, **values}


def list_commitments(conn, community_code, year, member_id=None):
    """The community's commitments of a year (or one member's) with their progress: services
    assessed and hours served."""
    done = (select(signups.c.member_id, func.count().label("services_done"),
                   func.coalesce(func.sum(signups.c.hours), 0).label("hours_done"))
            .join(activities, activities.c.id == signups.c.activity_id)
            .where(signups.c.assessed_at.is_not(None), func.extract("year", activities.c.starts_at) == year)
            .group_by(signups.c.member_id).subquery())
    rows = conn.execute(select(commitments, members.c.name.label("member_name"), done.c.services_done, done.c.hours_done)
                        .join(members, members.c.member_id == commitments.c.member_id)
                        .outerjoin(done, done.c.member_id == commitments.c.member_id)
                        .where(commitments.c.community_code == community_code, commitments.c.year == year,
                               *([commitments.c.member_id == member_id] if member_id else []))
                        .order_by(commitments.c.id)).mappings().all()
    return [dict(r) | {"services_done": r["services_done"] or 0, "hours_done": float(r["hours_done"] or 0),
                       "progress": round(min(1.0, (r["services_done"] or 0) / r["services"]), 2)} for r in rows]


# --- organization life (F6, §4.2) ------------------------------------------------------------------

def record_organization_life(uow, req, recorded_by):
    c, code = uow.conn, req["community_code"]
    ids = sorted(set(req["attendee_ids"]))
    found = set(c.execute(select(members.c.member_id).where(members.c.member_id.in_(ids),
                                                            members.c.community_code == code)).scalars())
    if missing := [i for i in ids if i not in found]:
        raise invalid("attendee_ids", "not_in_community", "§4.2", f"以下党员未在本社区报到：{'、'.join(map(str, missing))}")
    if req["held_on"] > now().date():
        raise invalid("held_on", "date_in_future", "§4.2", "日期不能晚于今天")
    session_id = c.execute(organization_life.insert().values(
        kind=req["kind"], title=req["title"], held_on=req["held_on"], recorded_by=recorded_by,
        **_scope_of_code(code)).returning(organization_life.c.id)).scalar_one()
    c.execute(organization_life_attendance.insert(), [{"session_id": session_id, "member_id": i} for i in ids])
    return {"session_id": session_id, "attendees": len(ids)}


def without_organization_life(conn, community_code, year):
    """Active members of the community with no organization life or theme activity there this
    year yet (§4.2: at least one a year)."""
    attended = (select(organization_life_attendance.c.member_id)
                .join(organization_life, organization_life.c.id == organization_life_attendance.c.session_id)
                .where(organization_life.c.community_code == community_code,
                       func.extract("year", organization_life.c.held_on) == year))
    rows = conn.execute(select(members.c.member_id, members.c.name, members.c.unit_id)
                        .where(members.c.community_code == community_code, members.c.active,
                               members.c.year == year, members.c.member_id.notin_(attended))
                        .order_by(members.c.member_id)).mappings().all()
    return [dict(r) for r in rows]


# --- support pairings (F4, §3.4.4) and studios (P4, C4: §3.2.4, §3.3.4) --------------------------

def _members_of(conn, ids, community_code, field, rule):
    ids = sorted(set(ids))
    found = set(conn.execute(select(members.c.member_id).where(
        members.c.member_id.in_(ids), members.c.community_code == community_code, members.c.active)).scalars())
    if missing := [i for i in ids if i not in found]:
        raise invalid(field, "not_in_community", rule, f"以下党员未在本社区完成本年度报到：{'、'.join(map(str, missing))}")
    return ids


def pair(uow, req, created_by):
    code = req["community_code"]
    ids = _members_of(uow.conn, req["member_ids"], code, "member_ids", "§3.4.4")
    values = {k: req[k] for k in ("resident_name", "resident_category", "mode", "note")}
    pairing_id = uow.conn.execute(support_pairings.insert().values(**values, member_ids=ids, created_by=created_by,
                                                                   **_scope_of_code(code))
                                  .returning(support_pairings.c.id)).scalar_one()
    uow.emit("support_paired", _scope_of_code(code), pairing_id=pairing_id, resident_category=req["resident_category"],
             mode=req["mode"], member_ids=ids)
    return {"pairing_id": pairing_id, **values, "member_ids": ids}


def list_pairings(conn, community_code):
    return [dict(r) for r in conn.execute(select(support_pairings).where(
        support_pairings.c.community_code == community_code, support_pairings.c.ended_at.is_(None))
        .order_by(support_pairings.c.id)).mappings()]


def open_studio(uow, req):
    code = req["community_code"]
    _members_of(uow.conn, [req["member_id"]], code, "member_id", "§3.2.4")
    values = {k: req[k] for k in ("member_id", "name", "photo_url", "unit_name", "service_items", "opening_hours")}
    studio_id = uow.conn.execute(insert(studios).values(**values, **_scope_of_code(code)).on_conflict_do_nothing()
                                 .returning(studios.c.id)).scalar()
    if studio_id is None:
        raise Conflict("studio_exists", "该党员已有工作室（§3.2.4）")
    uow.emit("studio_opened", _scope_of_code(code), studio_id=studio_id, **values)
    return {"studio_id": studio_id, **values}


# --- the public board of a community ----------------------------------------------------------

def board(conn, community_code, year):
    """What a community shows the public: its teams, studios, co-building projects and
    commitments with their progress; public fields only (names of members, no contact data)."""
    team_rows = conn.execute(
        select(teams.c.id, teams.c.name, teams.c.formation, members.c.name.label("leader"),
               select(func.count()).where(team_members.c.team_id == teams.c.id, team_members.c.left_at.is_(None))
               .scalar_subquery().label("members"))
        .join(members, members.c.member_id == teams.c.leader_member_id)
        .where(teams.c.community_code == community_code).order_by(teams.c.id)).mappings().all()
    studio_rows = conn.execute(
        select(studios.c.id, studios.c.name, studios.c.photo_url, studios.c.unit_name, studios.c.service_items,
               studios.c.opening_hours, members.c.name.label("member_name"))
        .join(members, members.c.member_id == studios.c.member_id)
        .where(studios.c.community_code == community_code).order_by(studios.c.id)).mappings().all()
    public = ("member_name", "year", "items", "services", "hours", "mode", "services_done", "hours_done", "progress")
    return {"community_code": community_code, "year": year,
            "teams": [dict(r) for r in team_rows], "studios": [dict(r) for r in studio_rows],
            "commitments": [{k: c[k] for k in public} for c in list_commitments(conn, community_code, year)],
            "projects": [{k: p[k] for k in ("id", "title", "goals", "expected_effects", "deadline", "status",
                                            "service_count", "service_hours", "service_mode")}
                         for p in list_projects(conn, community_code=community_code)],
            "activities": [{k: a[k] for k in ("id", "title", "kind", "festival", "place", "contact", "starts_at", "ends_at")}
                           for a in list_activities(conn, community_code)[:20]]}


# --- co-building projects (P1, C1, F1, S1: §3.2.1, §3.3.1, §3.4.1, §3.5.1, Annex C) --------------

PROJECT_NEXT = {"signed": ("in_progress", "cancelled"), "in_progress": ("completed", "cancelled"),
                "completed": (), "cancelled": ()}


def sign_project(uow, req, signed_by):
    code = req["community_code"]
    values = {k: req[k] for k in ("unit_id", "title", "goals", "expected_effects", "deadline", "links",
                                  "service_count", "service_hours", "service_mode")}
    project_id = uow.conn.execute(projects.insert().values(**values, created_by=signed_by, **_scope_of_code(code))
                                  .returning(projects.c.id)).scalar_one()
    uow.conn.execute(project_history.insert().values(project_id=project_id, status="signed", changed_by=signed_by))
    uow.emit("project_signed", _scope_of_code(code), project_id=project_id, unit_id=req["unit_id"], title=req["title"],
             deadline=req["deadline"].isoformat(), links=sorted(req["links"]), service_count=req["service_count"],
             service_hours=req["service_hours"], service_mode=req["service_mode"])
    return {"project_id": project_id, "status": "signed", **values}


def _project(conn, project_id, lock=False, **owner):
    stmt = select(projects).where(projects.c.id == project_id)
    for column, value in owner.items():
        stmt = stmt.where(projects.c[column] == value)
    row = conn.execute(stmt.with_for_update() if lock else stmt).mappings().first()
    if row is None:
        raise NotFound(message=f"联建项目 {project_id} 不存在")
    return row


def change_project_status(uow, community_code, project_id, req, changed_by):
    project = _project(uow.conn, project_id, lock=True, community_code=community_code)
    if req["status"] not in PROJECT_NEXT[project["status"]]:
        raise InvalidState("bad_transition", f"项目当前为 {project['status']}，不能改为 {req['status']}（§3.4.1）")
    uow.conn.execute(update(projects).where(projects.c.id == project_id).values(status=req["status"]))
    uow.conn.execute(project_history.insert().values(project_id=project_id, status=req["status"], note=req["note"],
                                                     changed_by=changed_by))
    uow.emit("project_status_changed", _scope(project), project_id=project_id, unit_id=project["unit_id"],
             status=req["status"], changed_by=changed_by)
    return {"project_id": project_id, "status": req["status"]}


def rate_project(uow, community_code, project_id, req, recorded_by):
    """A rating by the community or by the people served, 0 up to the rule version's maximum (30
    under version 1, §3.5.1); the scoring service takes a project's score in a period as the mean
    of its ratings, in the half year it is rated in."""
    project = _project(uow.conn, project_id, community_code=community_code)
    if project["status"] == "cancelled":
        raise InvalidState("project_cancelled", "已取消的项目不能评价")
    period = domain.half_year_of(now())
    applied = rules.in_force(uow.conn, period)
    if req["score"] > applied.max_project_score:
        raise invalid("score", "score_out_of_range", "§3.5.1", (
            f"每个项目评分为 0–{applied.max_project_score} 分（{period} 适用第 {applied.version} 版积分规则）"))
    rating_id = uow.conn.execute(project_ratings.insert().values(
        project_id=project_id, recorded_by=recorded_by, **req).returning(project_ratings.c.id)).scalar_one()
    uow.emit("project_rated", _scope(project), rating_id=rating_id, project_id=project_id, unit_id=project["unit_id"],
             rater=req["rater"], score=req["score"], rated_by=req["rated_by"], recorded_by=recorded_by)
    return {"rating_id": rating_id, "project_id": project_id, "score": req["score"], "rater": req["rater"]}


def project_view(conn, project_id, **owner):
    project = dict(_project(conn, project_id, **owner))
    project["history"] = [dict(r) for r in conn.execute(select(project_history).where(
        project_history.c.project_id == project_id).order_by(project_history.c.id)).mappings()]
    project["ratings"] = [dict(r) for r in conn.execute(select(project_ratings).where(
        project_ratings.c.project_id == project_id).order_by(project_ratings.c.id)).mappings()]
    return project


def list_projects(conn, **owner):
    stmt = select(projects)
    for column, value in owner.items():
        stmt = stmt.where(projects.c[column] == value)
    return [dict(r) for r in conn.execute(stmt.order_by(projects.c.id)).mappings()]


# --- records added after the fact (§3.4): they count once staff approve them --------------------

def request_late_record(uow, member_id, activity_id, req):
    c = uow.conn
    activity = _activity(c, activity_id, lock=True)
    _active_member(c, member_id, activity["community_code"])
    if not (activity["starts_at"] - domain.CHECK_IN_EARLY <= req["served_from"]
            and req["served_until"] <= activity["ends_at"] + domain.CHECK_OUT_LATE):
        raise invalid("served_from", "outside_activity_time", "§3.4", "补录的服务时间应在活动时间之内")
    if req["served_until"] > now():
        raise invalid("served_until", "in_future", "§3.4", "补录的服务时间不能晚于现在")
    row = c.execute(select(signups).where(signups.c.activity_id == activity_id, signups.c.member_id == member_id)
                    .with_for_update()).mappings().first()
    if row is not None and row["checked_in_at"] is not None:
        raise Conflict("already_recorded", "本次服务已有签到记录，无需补录")
    values = {"late_from": req["served_from"], "late_until": req["served_until"], "late_note": req["note"],
              "late_status": "pending", "late_decided_by": None, "late_decided_at": None}
    c.execute(insert(signups).values(activity_id=activity_id, member_id=member_id, **values)
              .on_conflict_do_update(index_elements=["activity_id", "member_id"], set_=values))
    return {"activity_id": activity_id, "member_id": member_id, "late_status": "pending"}


def decide_late_record(uow, community_code, activity_id, member_id, req, decided_by):
    c = uow.conn
    _activity(c, activity_id, community_code)
    row = c.execute(select(signups).where(signups.c.activity_id == activity_id, signups.c.member_id == member_id)
                    .with_for_update()).mappings().first()
    if row is None or row["late_status"] != "pending":
        raise NotFound("no_pending_record", "没有待审核的补录")
    values = {"late_status": "approved" if req["decision"] == "approve" else "rejected",
              "late_decided_by": decided_by, "late_decided_at": now()}
    if req["decision"] == "approve":
        values.update(checked_in_at=row["late_from"], checked_out_at=row["late_until"])
    c.execute(update(signups).where(signups.c.activity_id == activity_id, signups.c.member_id == member_id).values(**values))
    return {"activity_id": activity_id, "member_id": member_id, "late_status": values["late_status"]}


# --- members leave posts, join and leave teams (§3.2.2, §3.2.3) ----------------------------------

def leave_post(uow, member_id, claim_id):
    done = uow.conn.execute(update(post_claims).where(
        post_claims.c.id == claim_id, post_claims.c.member_id == member_id,
        post_claims.c.status.in_(("pending", "approved"))).values(status="left").returning(post_claims.c.post_id)).first()
    if done is None:
        raise NotFound(message=f"没有可退出的认岗 {claim_id}")
    return {"claim_id": claim_id, "status": "left"}


def join_team(uow, member_id, team_id):
    c = uow.conn
    team = c.execute(select(teams).where(teams.c.id == team_id)).mappings().first()
    if team is None:
        raise NotFound(message=f"服务队 {team_id} 不存在")
    _active_member(c, member_id, team["community_code"])
    c.execute(insert(team_members).values(team_id=team_id, member_id=member_id)
              .on_conflict_do_update(index_elements=["team_id", "member_id"], set_={"left_at": None, "joined_at": func.now()},
                                     where=team_members.c.left_at.is_not(None)))
    return {"team_id": team_id, "member_id": member_id, "member": True}


def leave_team(uow, member_id, team_id):
    c = uow.conn
    team = c.execute(select(teams).where(teams.c.id == team_id)).mappings().first()
    if team is None:
        raise NotFound(message=f"服务队 {team_id} 不存在")
    if team["leader_member_id"] == member_id:
        raise InvalidState("leader_cannot_leave", "队长不能直接退出，请先由社区更换队长（§3.2.3）")
    done = c.execute(update(team_members).where(team_members.c.team_id == team_id, team_members.c.member_id == member_id,
                                                team_members.c.left_at.is_(None)).values(left_at=now())
                     .returning(team_members.c.member_id)).first()
    if done is None:
        raise NotFound(message="不是该服务队的成员")
    return {"team_id": team_id, "member_id": member_id, "member": False}


def participants(conn, community_code, activity_id):
    """The members signed up for an activity of the community, with their check-in and check-out
    and, once assessed, their points (§3.5.2)."""
    found = conn.execute(select(activities.c.id).where(activities.c.id == activity_id,
                                                       activities.c.community_code == community_code)).scalar()
    if found is None:
        raise NotFound(message=f"活动 {activity_id} 不存在")
    rows = conn.execute(select(signups.c.member_id, members.c.name, signups.c.signed_up_at, signups.c.checked_in_at,
                               signups.c.checked_out_at, signups.c.adjustment, signups.c.points, signups.c.hours)
                        .join(members, members.c.member_id == signups.c.member_id)
                        .where(signups.c.activity_id == activity_id).order_by(signups.c.signed_up_at)).mappings()
    return {"activity_id": activity_id, "items": [dict(r, assessed=r["points"] is not None) for r in rows]}
