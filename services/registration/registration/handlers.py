"""Use cases of reporting (报到). Plain functions over a unit of work; no nameko here.

Each write takes a validated request (contracts.registration schemas), checks what needs the
database, writes, and emits its events through the outbox in the same transaction.
"""
import re
from datetime import datetime

from sqlalchemy import and_, exists, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from contracts.registration import SKILLS, UNIT_TYPES, age_on
from contracts.errors import Conflict, InvalidState, NotFound, ReadOnly
from toolkit.config import CITY_TZ, now, today
from toolkit.events import envelope
from toolkit.outbox import to_json
from toolkit.prepared import Prepared
from toolkit.validation import invalid

from . import domain
from .models import (ACTIVE, co_building_pairs, communities, districts,
                     invitations, member_registrations as regs, members, red_accounts, streets,
                     transfers, unit_registrations, units)


# --- the administrative tree ---------------------------------------------------------------

def community_scope(session, code, field="community_code"):
    row = session.execute(select(communities.c.code, communities.c.name, communities.c.street_code,
                                 communities.c.district_code, communities.c.service_center_phone)
                          .where(communities.c.code == code)).mappings().first()
    if row is None:
        raise invalid(field, "unknown_community", "§4.2", f"社区代码 {code} 不存在")
    return row


def list_districts(session):
    rows = session.execute(
        select(districts, func.count(streets.c.code).label("streets"))
        .outerjoin(streets, streets.c.district_code == districts.c.code)
        .group_by(districts.c.code).order_by(districts.c.code)).mappings().all()
    return [dict(r) for r in rows]


def list_streets(session, district_code):
    if session.execute(select(districts.c.code).where(districts.c.code == district_code)).first() is None:
        raise NotFound(message=f"县（区）{district_code} 不存在")
    rows = session.execute(select(streets).where(streets.c.district_code == district_code)
                           .order_by(streets.c.code)).mappings().all()
    return [dict(r) for r in rows]


def list_communities(session, street_code):
    if session.execute(select(streets.c.code).where(streets.c.code == street_code)).first() is None:
        raise NotFound(message=f"街道 {street_code} 不存在")
    rows = session.execute(select(communities).where(communities.c.street_code == street_code)
                           .order_by(communities.c.code)).mappings().all()
    return [dict(r) for r in rows]


def node_codes(session):
    """Every node of the tree, by level: codes only (each table's primary key index), sorted."""
    return {level: list(session.execute(select(table.c.code).order_by(table.c.code)).scalars())
            for level, table in (("districts", districts), ("streets", streets), ("communities", communities))}


def _scope(row):
    return {"district_code": row["district_code"], "street_code": row["street_code"],
            "community_code": row["community_code"] if "community_code" in row else row["code"]}


def _insert_unique(session, stmt, conflict):
    """Run an insert that may break a unique rule; the breach becomes `conflict`, and the
    transaction stays usable (savepoint), so nothing else of the request is lost or kept."""
    try:
        with session.begin_nested():
            return session.execute(stmt)
    except IntegrityError:
        raise conflict from None


# --- units report to their community (§3.1.1, §3.2.1) --------------------------------------

def _open_red_account(uow, holder_kind, holder_id, scope):
    """R9, §4.3.2: every accepted unit and member has one red account, opened once."""
    account_no = domain.red_account_no(holder_kind, holder_id)
    opened = uow.conn.execute(
        insert(red_accounts).values(account_no=account_no, holder_kind=holder_kind,
                                    holder_id=holder_id, community_code=scope["community_code"])
        .on_conflict_do_nothing(index_elements=["holder_kind", "holder_id"])
        .returning(red_accounts.c.id)).first()
    if opened is not None:
        uow.emit("red_account_opened", scope, account_no=account_no, holder_kind=holder_kind,
                 holder_id=holder_id)
    return account_no


def register_unit(uow, req, year=None):
    s = uow.conn
    year = year or today().year
    community = community_scope(s, req["community_code"])
    scope = _scope(community)
    info = req["unit"]
    # a unit known already is updated only by the community it sits in: another community's
    # staff cannot take it over (its officers above would lose it, theirs would gain it)
    unit_id = s.execute(
        insert(units).values(**info, **scope)
        .on_conflict_do_update(index_elements=["credit_code"],
                               set_={k: info[k] for k in ("name", "type", "party_org_name", "address")},
                               where=units.c.community_code == scope["community_code"])
        .returning(units.c.id)).scalar()
    if unit_id is None:
        raise Conflict("unit_in_other_community", "该单位已登记在其他社区；单位迁址请联系市级管理员办理（§3.1.1）",
                       [{"field": "unit.credit_code", "code": "unit_in_other_community", "rule": "§3.1.1",
                         "message": "该统一社会信用代码的单位属于其他社区"}])
    reg_id = _insert_unique(
        s, insert(unit_registrations).values(
            unit_id=unit_id, year=year, contact_officer=req["contact_officer"],
            contact_phone=req["contact_phone"], resources=req["resources"], **scope)
        .returning(unit_registrations.c.id),
        Conflict("unit_already_registered", f"该单位{year}年已报到，每年报到一次（§3.1.1）",
                 [{"field": "unit.credit_code", "code": "unit_already_registered", "rule": "§3.1.1",
                   "message": f"{info['name']} {year}年已报到"}])).scalar_one()
    pair_id = s.execute(insert(co_building_pairs).values(
        unit_registration_id=reg_id, unit_id=unit_id, community_code=scope["community_code"],
        year=year).returning(co_building_pairs.c.id)).scalar_one()
    account_no = _open_red_account(uow, "unit", unit_id, scope)
    uow.emit("unit_registered", scope, unit_registration_id=reg_id, co_building_pair_id=pair_id,
             unit_id=unit_id, unit_name=info["name"], unit_type=info["type"], year=year,
             resources=req["resources"])
    return {"unit_registration_id": reg_id, "co_building_pair_id": pair_id, "unit_id": unit_id,
            "year": year, "red_account_no": account_no, "community_name": community["name"], **scope}


def list_unit_registrations(session, community_code, year):
    rows = session.execute(
        select(unit_registrations.c.id, unit_registrations.c.unit_id, units.c.name.label("unit_name"),
               units.c.party_org_name, units.c.type.label("unit_type"), units.c.credit_code, unit_registrations.c.year,
               unit_registrations.c.contact_officer, unit_registrations.c.resources,
               unit_registrations.c.registered_at, co_building_pairs.c.id.label("co_building_pair_id"))
        .join(units, units.c.id == unit_registrations.c.unit_id)
        .join(co_building_pairs, co_building_pairs.c.unit_registration_id == unit_registrations.c.id)
        .where(unit_registrations.c.community_code == community_code, unit_registrations.c.year == year)
        .order_by(unit_registrations.c.id)).mappings().all()
    return [dict(r) for r in rows]


def get_unit(session, unit_id):
    row = session.execute(select(units).where(units.c.id == unit_id)).mappings().first()
    if row is None:
        raise NotFound(message=f"单位 {unit_id} 不存在")
    return dict(row)


# --- invitation letters (§4.3.1) -----------------------------------------------------------

def send_invitation(uow, req, year=None):
    s = uow.conn
    year = year or today().year
    street = s.execute(select(streets).where(streets.c.code == req["street_code"])).mappings().first()
    if street is None:
        raise invalid("street_code", "unknown_street", "§4.3.1", f"街道代码 {req['street_code']} 不存在")
    inv_id = s.execute(insert(invitations).values(
        street_code=street["code"], district_code=street["district_code"], unit_name=req["unit_name"],
        credit_code=req["credit_code"], year=year, letter=req["letter"], sent_by=req["sent_by"])
        .returning(invitations.c.id)).scalar_one()
    scope = {"district_code": street["district_code"], "street_code": street["code"], "community_code": None}
    uow.emit("invitation_sent", scope, invitation_id=inv_id, unit_name=req["unit_name"],
             credit_code=req["credit_code"], year=year)
    return {"invitation_id": inv_id, "year": year, **scope}


def list_invitations(session, street_code, year):
    """Each letter with whether the unit came: it reported in this street in the letter's year."""
    came = exists().where(and_(units.c.credit_code == invitations.c.credit_code,
                               unit_registrations.c.unit_id == units.c.id,
                               unit_registrations.c.year == invitations.c.year,
                               unit_registrations.c.street_code == invitations.c.street_code))
    rows = session.execute(
        select(invitations.c.id, invitations.c.unit_name, invitations.c.credit_code, invitations.c.year,
               invitations.c.sent_by, invitations.c.sent_at, came.label("came"))
        .where(invitations.c.street_code == street_code, invitations.c.year == year)
        .order_by(invitations.c.id)).mappings().all()
    return [dict(r) for r in rows]


# --- members report (§3.1.2, §4.2, Annex B.1) ----------------------------------------------

def _unit_or_invalid(session, unit_id, field="unit_id"):
    row = session.execute(select(units.c.id, units.c.name, units.c.party_org_name)
                          .where(units.c.id == unit_id)).mappings().first()
    if row is None:
        raise invalid(field, "unknown_unit", "附录B.1", f"工作单位 {unit_id} 不存在：单位须先到社区报到")
    return row


# The hot path of reporting as plain SQL: SQLAlchemy's PostgreSQL insert() is not cacheable, so
# upserts built with it are compiled again on every call; these strings are compiled once.
_NEXT_SEQS = text("""
    INSERT INTO registration.certificate_counters (community_code, year, last_seq) VALUES (:code, :year, :n)
    ON CONFLICT (community_code, year) DO UPDATE
    SET last_seq = registration.certificate_counters.last_seq + EXCLUDED.last_seq
    RETURNING last_seq""")

MEMBER_FIELDS = ("name", "gender", "birth_date", "party_join_date", "education", "unit_id",
                 "position", "phone", "home_address")
CERTIFICATE_FIELDS = MEMBER_FIELDS + ("community_choice", "skills", "other_skill", "service_intentions")

_MEMBER_FROM_REGISTRATION = text(f"""
    UPDATE registration.members m SET {', '.join(f'{f} = r.{f}' for f in MEMBER_FIELDS)}, updated_at = now()
    FROM registration.member_registrations r WHERE r.id = :registration_id AND m.id = r.member_id""")

_REG_COLUMNS = ("certificate_no", "member_id", "year", "status", "late", "source", "reported_at",
                "district_code", "street_code", "community_code") + CERTIFICATE_FIELDS
# R7: a report fulfils a pending transfer only if it is made elsewhere than the old community,
# and in the new community where the transfer named one. `{reports}` is a row source of the new
# reports (id, member_id, community_code).
CLOSE_TRANSFERS = """
    UPDATE registration.transfers t SET new_registration_id = r.id
    FROM {reports} r
    WHERE t.member_id = r.member_id AND t.new_registration_id IS NULL
      AND t.community_code <> r.community_code
      AND (t.new_community_code IS NULL OR t.new_community_code = r.community_code)"""

# Form reports in ONE statement, committed on its own (autocommit): no BEGIN and COMMIT round
# trips for the hottest write of the platform (every member, every year, most of them in March);
# one report (report_member) or all those of a report_members call. A member known already keeps
# the data on record (the no-op update only returns the id): what a report says becomes the
# member's record when the community accepts it, after the unit approved (accept_registration);
# otherwise any clerk could rewrite anyone's phone, address and unit by typing an identity number.
# Each input row `i` comes back with what became of it: its community and unit (NULL: unknown),
# its active report of the year (R5, one a year: nothing written), `k` > 1 if an earlier row of
# the call names the same member (nothing written: it is made after, alone), or its registration
# (with the transfer it fulfils, R7, and its event). The member rows are all locked before any
# counter (the GROUP BY reads all of `m`), and counters in the order of their codes: calls running
# at once cannot wait for each other in a circle. A report of one of these members committed
# meanwhile trips the unique index and undoes the whole statement (its numbers too):
# IntegrityError, and the caller makes the reports one by one.
_REPORT_ROW = ", ".join(["i integer", "code char(12)", "id_number char(18)", "event json",
                         "name text", "gender text", "birth_date date", "party_join_date date", "education text",
                         "unit_id bigint", "position text", "phone text", "home_address text", "community_choice text",
                         "skills text[]", "other_skill text", "service_intentions text[]"])
_REPORTS = Prepared("registration_reports", f"""
    WITH input AS (SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS r({_REPORT_ROW})),
    c AS (
        SELECT input.*, co.code AS community_found, co.name AS community_name, co.street_code, co.district_code,
               u.id AS unit_found, row_number() OVER (PARTITION BY input.id_number ORDER BY input.i) AS k
        FROM input LEFT JOIN registration.communities co ON co.code = input.code
        LEFT JOIN registration.units u ON u.id = input.unit_id),
    dup AS (
        SELECT DISTINCT ON (c.i) c.i, r.certificate_no AS dup_certificate_no,
               r.community_code AS dup_community_code, rc.name AS dup_community_name
        FROM c
        JOIN registration.members dm ON dm.id_number = c.id_number
        JOIN registration.member_registrations r ON r.member_id = dm.id AND r.year = :year
             AND r.status IN ({", ".join(f"'{s}'" for s in ACTIVE)})
        JOIN registration.communities rc ON rc.code = r.community_code
        ORDER BY c.i),
    go AS (
        SELECT c.*, row_number() OVER (PARTITION BY c.code ORDER BY c.i) AS nth FROM c
        WHERE c.community_found IS NOT NULL AND c.unit_found IS NOT NULL AND c.k = 1
          AND NOT EXISTS (SELECT FROM dup WHERE dup.i = c.i)),
    m AS (
        INSERT INTO registration.members (id_number, {', '.join(MEMBER_FIELDS)})
        SELECT id_number, {', '.join(MEMBER_FIELDS)} FROM go ORDER BY id_number
        ON CONFLICT (id_number) DO UPDATE SET id_number = EXCLUDED.id_number
        RETURNING id, id_number),
    counts AS (
        SELECT go.code, count(*)::integer AS n FROM go JOIN m ON m.id_number = go.id_number GROUP BY go.code),
    seq AS (
        INSERT INTO registration.certificate_counters (community_code, year, last_seq)
        SELECT code, :year, n FROM counts ORDER BY code
        ON CONFLICT (community_code, year) DO UPDATE
        SET last_seq = registration.certificate_counters.last_seq + EXCLUDED.last_seq
        RETURNING community_code, last_seq),
    numbered AS (
        SELECT go.*, m.id AS member_id,
               registration.certificate_no(:year, go.code, (seq.last_seq - counts.n + go.nth)::integer) AS cert
        FROM go JOIN m ON m.id_number = go.id_number JOIN counts ON counts.code = go.code
        JOIN seq ON seq.community_code = go.code),
    reg AS (
        INSERT INTO registration.member_registrations ({', '.join(_REG_COLUMNS)})
        SELECT n.cert, n.member_id, :year, 'submitted', :late, :source, :reported_at, n.district_code,
               n.street_code, n.code, {', '.join('n.' + f for f in CERTIFICATE_FIELDS)}
        FROM numbered n
        RETURNING id, member_id, community_code, certificate_no),
    fulfilled AS ({CLOSE_TRANSFERS.format(reports="reg")}),
    event AS (
        INSERT INTO registration.outbox (event_id, event_type, payload)
        SELECT CAST(n.event ->> 'event_id' AS uuid), 'member_reported', CAST(n.event AS jsonb) || jsonb_build_object(
            'registration_id', reg.id, 'certificate_no', reg.certificate_no, 'member_id', reg.member_id,
            'district_code', n.district_code, 'street_code', n.street_code)
        FROM reg JOIN numbered n ON n.cert = reg.certificate_no)
    SELECT c.i, c.community_found, c.community_name AS name, c.street_code, c.district_code, c.code AS community_code,
           c.unit_found, c.k, reg.id AS registration_id, reg.certificate_no, reg.member_id,
           dup.dup_certificate_no, dup.dup_community_code, dup.dup_community_name
    FROM c LEFT JOIN numbered n ON n.i = c.i LEFT JOIN reg ON reg.certificate_no = n.cert
    LEFT JOIN dup ON dup.i = c.i
    ORDER BY c.i""",
    year="integer", late="boolean", reported_at="timestamptz")

AGAIN = "again"  # an outcome of report_members: make this report alone, after the others


def report_members(uow, reqs, callers, source="form"):
    """Many form reports (each loaded and allowed already) in one statement of a one-statement
    unit of work. Returns one outcome per report, in order: its result (as report_member's), the
    DomainError that refuses it, or AGAIN (a second report of a member in the same call: made
    alone after this one commits, it is answered as report_member would). Raises IntegrityError
    if a report of one of these members was committed meanwhile: nothing is written then."""
    reported_at = now()
    year = reported_at.year
    late = domain.is_late(reported_at, year)
    rows, events = [], []
    for i, req in enumerate(reqs):
        # the event's district and street, number, member and registration are added by _REPORTS
        event = envelope("member_reported", {"community_code": req["community_code"]}, {
            "unit_id": req["unit_id"], "year": year, "late": late, "community_choice": req["community_choice"],
            "skills": req["skills"], "service_intentions": req["service_intentions"], "source": source,
            "member_name": req["name"]})
        events.append(event)
        rows.append({"i": i, "code": req["community_code"], "id_number": req["id_number"].upper(), "event": event,
                     **{k: req[k] for k in CERTIFICATE_FIELDS}})
    found = _REPORTS(uow.conn, {"rows": to_json(rows), "year": year, "late": late, "source": source,
                                "reported_at": reported_at}).all()
    outcomes = []
    for req, caller, row, event in zip(reqs, callers, found, events):
        if row.community_found is None:
            outcomes.append(invalid("community_code", "unknown_community", "§4.2",
                                    f"社区代码 {req['community_code']} 不存在"))
        elif row.unit_found is None:
            outcomes.append(invalid("unit_id", "unknown_unit", "附录B.1",
                                    f"工作单位 {req['unit_id']} 不存在：单位须先到社区报到"))
        elif row.dup_certificate_no is not None:
            outcomes.append(_already_reported(year, row, caller))
        elif row.k > 1:
            outcomes.append(AGAIN)
        else:
            uow.events.append(event)  # written: the relay wakes after the commit
            outcomes.append({"registration_id": row.registration_id, "certificate_no": row.certificate_no,
                             "member_id": row.member_id, "year": year, "status": "submitted", "late": late,
                             "community_name": row.name, **_scope(row._mapping)})
    return outcomes


def next_certificate_seqs(conn, community_code, year, n=1):
    """Reserve n consecutive sequence numbers of a community's certificates for a year."""
    last = conn.execute(_NEXT_SEQS, {"code": community_code, "year": year, "n": n}).scalar_one()
    return range(last - n + 1, last + 1)


def report_member(uow, req, source="form", caller=None):
    """A member reports (certificate B.1, R2-R6): report_members for one report. `uow` is a unit
    of work of one statement (Store.unit_of_work(one_statement=True)): it commits as it is written."""
    year = now().year
    try:
        (outcome,) = report_members(uow, [req], [caller], source)
    except IntegrityError as exc:  # a report of the same member committed a moment ago (see _REPORTS)
        if getattr(getattr(exc.orig, "diag", None), "constraint_name", None) != "one_active_registration_per_year":
            raise
        active = uow.conn.execute(
            select(regs.c.certificate_no.label("dup_certificate_no"),
                   regs.c.community_code.label("dup_community_code"), communities.c.name.label("dup_community_name"))
            .join(communities, communities.c.code == regs.c.community_code)
            .join(members, members.c.id == regs.c.member_id)
            .where(members.c.id_number == req["id_number"].upper(), regs.c.year == year,
                   regs.c.status.in_(ACTIVE))).first()
        raise _already_reported(year, active, caller) from None
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _already_reported(year, active, caller=None):
    # where and under which number only to those who may see that registration: to others the
    # message would tell where a person with this identity number lives or works
    shown = active is not None and caller is not None and caller.covers_area(active.dup_community_code)
    where = f"（{active.dup_community_name}，报到证编号 {active.dup_certificate_no}）" if shown else ""
    return Conflict("already_reported", f"该党员{year}年已报到{where}，每年报到一次；如单位、住址或社区变动，请先办理转移（§4.2）",
                    [{"field": "id_number", "code": "already_reported", "rule": "§4.2",
                      "message": f"{year}年已有有效报到"}])


def _registration_for_update(session, registration_id, **owner):
    """The registration, locked, if it belongs to the given community or unit; else 404 (a
    registration of another scope is not told apart from one that does not exist)."""
    stmt = select(regs).where(regs.c.id == registration_id).with_for_update()
    for column, value in owner.items():
        stmt = stmt.where(regs.c[column] == value)
    row = session.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(message=f"报到记录 {registration_id} 不存在")
    if row["status"] == "transferred":
        raise ReadOnly(message="该报到记录已因转移而保留为只读，不能再更改（§4.2）")
    return row


def _scope_of(row):
    return {k: row[k] for k in ("district_code", "street_code", "community_code")}


def give_unit_opinion(uow, unit_id, registration_id, req):
    """The unit Party organization approves or rejects a member's certificate (Annex B.1)."""
    s = uow.conn
    row = _registration_for_update(s, registration_id, unit_id=unit_id)
    if row["status"] != "submitted":
        raise InvalidState(message=f"单位党组织已给出意见（当前状态：{row['status']}），不能重复审核")
    status = "unit_approved" if req["decision"] == "approve" else "unit_rejected"
    opinion_date = req.get("opinion_date") or today()
    s.execute(update(regs).where(regs.c.id == registration_id).values(
        status=status, unit_decision=req["decision"], unit_officer=req["officer"],
        unit_opinion_date=opinion_date, unit_comment=req.get("comment", "")))
    uow.emit("unit_opinion_given", _scope_of(row), registration_id=registration_id,
             member_id=row["member_id"], unit_id=unit_id, decision=req["decision"],
             officer=req["officer"], opinion_date=opinion_date)
    return {"registration_id": registration_id, "status": status}


def accept_registration(uow, community_code, registration_id, req):
    """The community accepts: receipt B.2 (§3.1.3) and the member's red account (R9)."""
    s = uow.conn
    row = _registration_for_update(s, registration_id, community_code=community_code)
    if row["status"] == "submitted":
        raise InvalidState("awaiting_unit_opinion", "单位党组织尚未签署意见，社区暂不能接收（附录B.1）")
    if row["status"] == "unit_rejected":
        raise InvalidState("unit_rejected", "单位党组织未同意该报到，社区不能接收（附录B.1）")
    if row["status"] == "accepted":
        raise InvalidState("already_accepted", "该报到已被社区接收")
    scope = _scope_of(row)
    account_no = _open_red_account(uow, "member", row["member_id"], scope)
    s.execute(update(regs).where(regs.c.id == registration_id).values(
        status="accepted", accepted_by=req["officer"], accepted_by_phone=req["officer_phone"],
        accepted_at=now(), red_account_no=account_no))
    s.execute(_MEMBER_FROM_REGISTRATION, {"registration_id": registration_id})
    uow.emit("member_registration_accepted", scope, registration_id=registration_id,
             certificate_no=row["certificate_no"], member_id=row["member_id"], unit_id=row["unit_id"],
             year=row["year"], red_account_no=account_no, accepted_by=req["officer"], member_name=row["name"],
             skills=row["skills"], service_intentions=row["service_intentions"])
    return receipt(s, community_code, registration_id)


def _registration_view(session, registration_id, **owner):
    stmt = (select(regs, units.c.name.label("unit_name"), units.c.party_org_name,
                   communities.c.name.label("community_name"))
            .join(units, units.c.id == regs.c.unit_id)
            .join(communities, communities.c.code == regs.c.community_code)
            .where(regs.c.id == registration_id))
    for column, value in owner.items():
        stmt = stmt.where(regs.c[column] == value)
    row = session.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(message=f"报到记录 {registration_id} 不存在")
    return row


def certificate(session, registration_id, **owner):
    """Certificate B.1 as handed in, with the unit's opinion and its state."""
    row = _registration_view(session, registration_id, **owner)
    data = dict(row)
    data["age"] = age_on(row["birth_date"], row["reported_at"].astimezone(now().tzinfo).date())
    return data


def community_certificates(session, community_code, year, after_id=0, limit=500):
    """A page of a community's certificates (B.1) of a year, by registration id, as `certificate`
    gives one (a district printing every member's: the documents service), with how many there
    are; rejected and transferred reports are not printed."""
    stmt = (select(regs, units.c.name.label("unit_name"), units.c.party_org_name,
                   communities.c.name.label("community_name"))
            .join(units, units.c.id == regs.c.unit_id)
            .join(communities, communities.c.code == regs.c.community_code)
            .where(regs.c.community_code == community_code, regs.c.year == year, regs.c.status.in_(ACTIVE)))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar() if after_id == 0 else None
    items = []
    for row in session.execute(stmt.where(regs.c.id > after_id).order_by(regs.c.id).limit(limit)).mappings():
        data = dict(row)
        data["age"] = age_on(row["birth_date"], row["reported_at"].astimezone(now().tzinfo).date())
        items.append(data)
    return {"items": items, "total": total}


def receipt(session, community_code, registration_id):
    """The data of receipt B.2, once the community has accepted."""
    row = _registration_view(session, registration_id, community_code=community_code)
    if row["status"] not in ("accepted", "transferred") or row["accepted_at"] is None:
        raise InvalidState("not_accepted", "社区尚未接收该报到，尚无回执（§3.1.3）")
    reported_on = row["reported_at"].astimezone(now().tzinfo).date()
    accepted_on = row["accepted_at"].astimezone(now().tzinfo).date()
    return {
        "form": "B.2", "registration_id": row["id"], "number": row["certificate_no"],
        "reporting_org": row["community_name"] + "党组织",
        "addressee": row["party_org_name"], "member_name": row["name"], "unit_name": row["unit_name"],
        "reported_on": reported_on, "service_intentions": row["service_intentions"],
        "text": domain.receipt_text(row["party_org_name"], row["name"], reported_on, row["service_intentions"]),
        "stamp_date": accepted_on, "officer": row["accepted_by"], "officer_phone": row["accepted_by_phone"],
        "red_account_no": row["red_account_no"],
        "note": "回执单加盖社区党组织公章后，由在职党员送达所在单位党支部。",
    }


# the shape the OpenAPI document states (gateway.openapi.PATH_FORMS["number"])
_CERTIFICATE_SHAPE = re.compile(r"\s*\d{4}-\d{12}-\d{6}-[0-9Xx]\s*")


def verify_certificate(session, number, caller):
    """Those the certificate concerns can check a number: the community it was made in and the
    officers above it, the member's unit, the member. A mistyped one fails its check character;
    a forged one, or one outside the caller's scope, is not found (numbers run in sequence: the
    city's registrations must not be listable by counting). Personal data is masked."""
    if not _CERTIFICATE_SHAPE.fullmatch(number or ""):
        raise invalid("certificate_no", "bad_certificate_no", "附录B.1",
                      "报到证编号格式不正确（应如 2026-410106001001-000041-5）")
    if domain.parse_certificate_no(number) is None:
        # the shape is right, the check character is not: no certificate has this number (the
        # document states the shape; a check character cannot be stated in it)
        raise NotFound("certificate_not_found", f"报到证编号 {number.strip()} 的校验位不符，查无此证：请逐位核对编号")
    row = session.execute(
        select(regs.c.certificate_no, regs.c.year, regs.c.status, regs.c.name, regs.c.reported_at,
               regs.c.late, regs.c.community_code, regs.c.unit_id, regs.c.member_id, units.c.name.label("unit_name"),
               units.c.community_code.label("unit_community_code"), communities.c.name.label("community_name"))
        .join(units, units.c.id == regs.c.unit_id)
        .join(communities, communities.c.code == regs.c.community_code)
        .where(regs.c.certificate_no == number.strip().upper())).mappings().first()
    if row is None or not (caller.covers_area(row["community_code"]) or caller.is_member(row["member_id"])
                           or caller.covers_unit(row["unit_id"], row["unit_community_code"])):
        raise NotFound("certificate_not_found", f"报到证编号 {number} 不存在")
    return {"certificate_no": row["certificate_no"], "valid": row["status"] in ACTIVE,
            "status": row["status"], "year": row["year"], "member_name": domain.mask_name(row["name"]),
            "unit_name": row["unit_name"], "community_name": row["community_name"],
            "reported_on": row["reported_at"].astimezone(now().tzinfo).date(), "late": row["late"]}


REGISTRATION_LIST_COLUMNS = (regs.c.id, regs.c.certificate_no, regs.c.member_id, regs.c.name,
                             regs.c.unit_id, regs.c.year, regs.c.status, regs.c.late, regs.c.reported_at,
                             regs.c.community_code, regs.c.community_choice, regs.c.service_intentions)


REGISTRATION_SORTS = ("id", "reported_at", "certificate_no", "name", "status")


def list_registrations(session, year, status=None, limit=50, offset=0, sort="id", **owner):
    """A page of registrations; `sort` is one of REGISTRATION_SORTS, '-' first for descending."""
    key = (sort or "id").lstrip("-")
    if key not in REGISTRATION_SORTS:
        raise invalid("sort", "bad_sort", "", f"排序字段应为 {'、'.join(REGISTRATION_SORTS)} 之一")
    order = regs.c[key].desc() if (sort or "").startswith("-") else regs.c[key]
    stmt = select(*REGISTRATION_LIST_COLUMNS, units.c.name.label("unit_name")) \
        .join(units, units.c.id == regs.c.unit_id).where(regs.c.year == year)
    for column, value in owner.items():
        stmt = stmt.where(regs.c[column] == value)
    if status:
        stmt = stmt.where(regs.c.status == status)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar()
    rows = session.execute(stmt.order_by(order, regs.c.id).limit(limit).offset(offset)).mappings().all()
    return {"total": total, "items": [dict(r) for r in rows], "limit": limit, "offset": offset}


def member_registrations(session, member_id):
    ids = session.execute(select(regs.c.id).where(regs.c.member_id == member_id)
                          .order_by(regs.c.year.desc(), regs.c.id.desc())).scalars().all()
    return [certificate(session, registration_id) for registration_id in ids]


def member_profile(session, member_id, community_code=None):
    """The personal part of register D.1 (§3.5.4): who the member is, where they work and who
    their unit's Party branch is, from the newest accepted registration (in `community_code`'s
    if one is named)."""
    stmt = (select(regs.c.member_id, regs.c.name, regs.c.gender, regs.c.birth_date, regs.c.position, regs.c.phone,
                   regs.c.skills, regs.c.community_code, regs.c.year, regs.c.unit_id, units.c.name.label("unit_name"),
                   units.c.party_org_name)
            .join(units, units.c.id == regs.c.unit_id)
            .where(regs.c.member_id == member_id, regs.c.status.in_(("accepted", "transferred")))
            .order_by(regs.c.year.desc(), regs.c.id.desc()).limit(1))
    if community_code:
        stmt = stmt.where(regs.c.community_code == community_code)
    row = session.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(code="member_not_found", message=f"党员 {member_id} 在本社区没有已接收的报到")
    branch = session.execute(
        select(unit_registrations.c.contact_officer, unit_registrations.c.contact_phone)
        .where(unit_registrations.c.unit_id == row["unit_id"]).order_by(unit_registrations.c.year.desc())
        .limit(1)).mappings().first()
    profile = {k: v for k, v in row.items() if k != "birth_date"}
    profile["age"] = age_on(row["birth_date"], today())
    profile["branch_contact"] = branch["contact_officer"] if branch else None
    profile["branch_contact_phone"] = branch["contact_phone"] if branch else None
    return profile


def community_profiles(session, community_code):
    """`member_profile` of every member with an accepted registration in the community (the newest
    of each), in one pass: the documents service's batches of registers D.1."""
    rows = session.execute(
        select(regs.c.member_id, regs.c.name, regs.c.gender, regs.c.birth_date, regs.c.position, regs.c.phone,
               regs.c.skills, regs.c.community_code, regs.c.year, regs.c.unit_id, units.c.name.label("unit_name"),
               units.c.party_org_name)
        .join(units, units.c.id == regs.c.unit_id)
        .where(regs.c.community_code == community_code, regs.c.status.in_(("accepted", "transferred")))
        .order_by(regs.c.member_id, regs.c.year.desc(), regs.c.id.desc())
        .distinct(regs.c.member_id)).mappings().all()
    unit_ids = sorted({r["unit_id"] for r in rows})
    branches = {b["unit_id"]: b for b in session.execute(
        select(unit_registrations.c.unit_id, unit_registrations.c.contact_officer, unit_registrations.c.contact_phone)
        .where(unit_registrations.c.unit_id.in_(unit_ids))
        .order_by(unit_registrations.c.unit_id, unit_registrations.c.year.desc())
        .distinct(unit_registrations.c.unit_id)).mappings()} if unit_ids else {}
    out, day = {}, today()
    for row in rows:
        profile = {k: v for k, v in row.items() if k != "birth_date"}
        profile["age"] = age_on(row["birth_date"], day)
        branch = branches.get(row["unit_id"])
        profile["branch_contact"] = branch["contact_officer"] if branch else None
        profile["branch_contact_phone"] = branch["contact_phone"] if branch else None
        out[str(row["member_id"])] = profile
    return out


def accepted_members(session, year, after_registration_id=0, limit=1000):
    """A page of the year's accepted registrations, in registration order, as the
    member_registration_accepted event tells of them: for a service that subscribes late and
    must learn what it missed (volunteering's backfill)."""
    rows = session.execute(
        select(regs.c.id.label("registration_id"), regs.c.member_id, regs.c.name.label("member_name"), regs.c.unit_id,
               regs.c.year, regs.c.skills, regs.c.service_intentions, regs.c.district_code, regs.c.street_code,
               regs.c.community_code)
        .where(regs.c.year == year, regs.c.status == "accepted", regs.c.id > after_registration_id)
        .order_by(regs.c.id).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def unit_scope(session, unit_id):
    row = session.execute(select(units.c.id.label("unit_id"), units.c.community_code, units.c.street_code,
                                 units.c.district_code).where(units.c.id == unit_id)).mappings().first()
    if row is None:
        raise NotFound(message=f"单位 {unit_id} 不存在")
    return dict(row)


def member_scope(session, member_id):
    codes = session.execute(select(regs.c.community_code).where(regs.c.member_id == member_id)
                            .distinct().order_by(regs.c.community_code)).scalars().all()
    if not codes:
        raise NotFound(message=f"党员 {member_id} 不存在")
    return {"member_id": member_id, "communities": list(codes)}


# --- transfers (R7, §4.2) ------------------------------------------------------------------

def record_transfer(uow, community_code, registration_id, req):
    s = uow.conn
    row = _registration_for_update(s, registration_id, community_code=community_code)
    if row["status"] == "unit_rejected":
        raise InvalidState("not_active", "单位党组织未同意的报到不能办理转移（§4.2）")
    if req.get("new_community_code"):
        community_scope(s, req["new_community_code"], field="new_community_code")
        if req["new_community_code"] == community_code:
            raise invalid("new_community_code", "same_community", "§4.2", "新社区与原报到社区相同，无需转移")
    if req.get("new_unit_id"):
        _unit_or_invalid(s, req["new_unit_id"], field="new_unit_id")
    notified_on = req.get("notified_on") or today()
    deadline = domain.transfer_deadline(notified_on)
    scope = _scope_of(row)
    transfer_id = s.execute(insert(transfers).values(
        member_id=row["member_id"], registration_id=registration_id, reason=req["reason"],
        new_unit_id=req.get("new_unit_id"), new_home_address=req.get("new_home_address"),
        new_community_code=req.get("new_community_code"), notified_on=notified_on, deadline=deadline,
        recorded_by=req["recorded_by"], **scope).returning(transfers.c.id)).scalar_one()
    s.execute(update(regs).where(regs.c.id == registration_id).values(status="transferred"))
    changes = {"updated_at": now()}
    if req.get("new_unit_id"):
        changes["unit_id"] = req["new_unit_id"]
    if req.get("new_home_address"):
        changes["home_address"] = req["new_home_address"]
    s.execute(update(members).where(members.c.id == row["member_id"]).values(**changes))
    uow.emit("member_transferred", scope, transfer_id=transfer_id, registration_id=registration_id,
             member_id=row["member_id"], reason=req["reason"],
             new_community_code=req.get("new_community_code"), deadline=deadline)
    return {"transfer_id": transfer_id, "registration_id": registration_id, "deadline": deadline,
            "status": "awaiting_new_report"}


def list_transfers(session, scope_column, code, overdue_only=False, on=None):
    on = on or today()
    # the phone the member gave the old community (on its registration), not the member's current
    # one: a community that lost a member must not go on seeing what they tell their new one
    stmt = (select(transfers, regs.c.name.label("member_name"), regs.c.phone)
            .join(regs, regs.c.id == transfers.c.registration_id)
            .where(transfers.c[scope_column] == code))
    if overdue_only:
        stmt = stmt.where(transfers.c.new_registration_id.is_(None), transfers.c.deadline < on)
    rows = session.execute(stmt.order_by(transfers.c.deadline, transfers.c.id)).mappings().all()
    out = []
    for r in rows:
        item = dict(r)
        item["overdue"] = r["new_registration_id"] is None and r["deadline"] < on
        item["days_overdue"] = (on - r["deadline"]).days if item["overdue"] else 0
        out.append(item)
    return out


# --- the community database (R8, §4.3.2) ---------------------------------------------------

SCOPE_COLUMNS = {"community": "community_code", "street": "street_code", "district": "district_code", "city": None}


def community_database(session, level, code, year):
    """Counts of reporting units by type and of members by status, skill and intention, for a
    community and rolled up for a street, a district or the city."""
    col = SCOPE_COLUMNS[level]

    def scoped(table, *conds):
        where = list(conds)
        if col:
            where.append(table.c[col] == code)
        return where

    unit_rows = session.execute(
        select(units.c.type, func.count()).select_from(unit_registrations)
        .join(units, units.c.id == unit_registrations.c.unit_id)
        .where(*scoped(unit_registrations, unit_registrations.c.year == year))
        .group_by(units.c.type)).all()
    status_rows = session.execute(
        select(regs.c.status, func.count(), func.count().filter(regs.c.late))
        .where(*scoped(regs, regs.c.year == year)).group_by(regs.c.status)).all()
    active = scoped(regs, regs.c.year == year, regs.c.status.in_(ACTIVE))
    skill = func.unnest(regs.c.skills).label("skill")
    skill_rows = session.execute(
        select(skill, func.count()).where(*active).group_by(skill)).all()
    intention = func.unnest(regs.c.service_intentions).label("intention")
    intention_rows = session.execute(
        select(intention, func.count().label("n")).where(*active).group_by(intention)
        .order_by(func.count().desc(), intention).limit(30)).all()
    by_skill = dict(skill_rows)
    by_status = {s: n for s, n, _ in status_rows}
    return {
        "level": level, "code": code, "year": year,
        "units": {"total": sum(n for _, n in unit_rows),
                  "by_type": {t: dict(unit_rows).get(t, 0) for t in UNIT_TYPES}},
        "members": {"reported": sum(by_status.get(s, 0) for s in ACTIVE),
                    "accepted": by_status.get("accepted", 0),
                    "late": sum(late for s, _, late in status_rows if s in ACTIVE),
                    "by_status": by_status,
                    "by_skill": {k: by_skill.get(k, 0) for k in SKILLS},
                    "top_intentions": [{"intention": i, "members": n} for i, n in intention_rows]},
        **({"by_community": _by_community(session, col, code, year)} if level in ("street", "district") else {}),
    }


_BY_COMMUNITY = text("""
    SELECT c.code, c.name,
           (SELECT count(*) FROM registration.unit_registrations u WHERE u.community_code = c.code AND u.year = :y)
               AS units,
           count(r.id) FILTER (WHERE r.status = ANY(:active)) AS reported,
           count(r.id) FILTER (WHERE r.status = 'accepted') AS accepted,
           count(r.id) FILTER (WHERE r.status = ANY(:active) AND r.late) AS late,
           (SELECT count(DISTINCT p.member_id) FROM registration.member_registrations p
            WHERE p.community_code = c.code AND p.year = :y - 1 AND p.status = ANY(:before)
              AND NOT EXISTS (SELECT 1 FROM registration.member_registrations n WHERE n.member_id = p.member_id
                              AND n.year = :y AND n.status = ANY(:active))) AS not_reported
    FROM registration.communities c
    LEFT JOIN registration.member_registrations r ON r.community_code = c.code AND r.year = :y
    WHERE c.{col} = :code
    GROUP BY c.code, c.name ORDER BY c.code""")


def _by_community(session, col, code, year):
    """Each community of a street or district: units and members reported, accepted, late (after
    March 31, R5) and not reported (reported there last year, nowhere this year, R5)."""
    rows = session.execute(text(_BY_COMMUNITY.text.replace("{col}", col)), {
        "y": year, "code": code, "active": list(ACTIVE), "before": list(ACTIVE) + ["transferred"]}).mappings()
    return [{**dict(r), "code": r["code"].strip()} for r in rows]


def community_unreported(conn, community_code, year):
    """R5 decision: members who reported to this community last year and not, anywhere, this year."""
    this_year = exists().where(regs.c.member_id == members.c.id, regs.c.year == year, regs.c.status.in_(ACTIVE))
    last_year = (select(regs.c.member_id).where(regs.c.community_code == community_code, regs.c.year == year - 1,
                                                 regs.c.status.in_(ACTIVE + ("transferred",))).scalar_subquery())
    rows = conn.execute(select(members.c.id, members.c.name, members.c.unit_id, units.c.name.label("unit_name"))
                        .join(units, units.c.id == members.c.unit_id)
                        .where(members.c.id.in_(last_year), ~this_year).order_by(members.c.id)).mappings().all()
    return [dict(r) for r in rows]


def unreported_members(session, unit_id, year):
    """The unit's members with no active report this year (R5: reporting is due in March)."""
    get_unit(session, unit_id)
    reported = exists().where(regs.c.member_id == members.c.id, regs.c.year == year, regs.c.status.in_(ACTIVE))
    rows = session.execute(select(members.c.id, members.c.name, members.c.position, members.c.phone)
                           .where(members.c.unit_id == unit_id, ~reported)
                           .order_by(members.c.id)).mappings().all()
    return [dict(r) for r in rows]


# Units, and of those sitting in the given communities their members who had not reported by the
# end of a half year (是否报到 否 of the feedback service's notices, B1, §5.3.3), in one statement
# for a district's notices. A report counts from its hand-in, whatever became of it later (a
# transfer), unless the unit refused it.
_ROSTERS = text("""
    SELECT u.id AS unit_id, u.name, u.party_org_name, u.community_code, u.district_code,
           CASE WHEN u.community_code = ANY(CAST(:codes AS bpchar[])) THEN (
               SELECT coalesce(json_agg(json_build_array(m.id, m.name) ORDER BY m.id), '[]')
               FROM registration.members m
               WHERE m.unit_id = u.id AND m.created_at < :until AND NOT EXISTS (
                   SELECT 1 FROM registration.member_registrations r
                   WHERE r.member_id = m.id AND r.year = :year AND r.reported_at < :until
                     AND r.status <> 'unit_rejected'))
           END AS unreported
    FROM (SELECT * FROM registration.units WHERE id = ANY(CAST(:ids AS bigint[]))
          UNION
          SELECT * FROM registration.units WHERE community_code = ANY(CAST(:codes AS bpchar[]))) u""")


def feedback_rosters(conn, unit_ids, community_codes, period):
    """{units: [{unit_id, name, party_org_name, community_code, district_code, unreported}],
    communities: {code: name}, districts: {code: name}} for the names a notice shows; `unreported`
    ([[member_id, name], ...]) as of the end of the half year `period` (2026H1), for the units
    sitting in `community_codes`."""
    year, half = int(period[:4]), period[-1]
    until = datetime(year, 7, 1, tzinfo=CITY_TZ) if half == "1" else datetime(year + 1, 1, 1, tzinfo=CITY_TZ)
    units = conn.execute(_ROSTERS, {"ids": list(unit_ids), "codes": list(community_codes), "year": year,
                                    "until": until}).mappings().all()
    names = dict(conn.execute(select(communities.c.code, communities.c.name).where(
        communities.c.code.in_(list(community_codes)))).all())
    district_names = dict(conn.execute(select(districts.c.code, districts.c.name).where(
        districts.c.code.in_(sorted({c[:6] for c in community_codes})))).all())
    return {"units": [dict(u) for u in units], "communities": names, "districts": district_names}


# --- changes of a member's details (B2, §5.3.2), applied when the community accepts them ---------

_CURRENT = text("""
    SELECT r.id AS registration_id, r.member_id, r.name, r.unit_id, r.community_code, r.street_code, r.district_code,
           r.year, r.status, r.position, r.phone, r.service_intentions
    FROM registration.member_registrations r
    WHERE r.member_id = :m AND r.status = ANY(CAST(:active AS text[]))
    ORDER BY r.year DESC, r.id DESC LIMIT 1""")


def member_current(conn, member_id):
    """The member's current report: where they report now and what it says of position, phone
    and service intentions. NotFound if they have no active report."""
    row = conn.execute(_CURRENT, {"m": member_id, "active": list(ACTIVE)}).mappings().first()
    if row is None:
        raise NotFound(message=f"党员 {member_id} 不存在")
    return dict(row)


def apply_member_details(uow, community_code, member_id, changes):
    """The community applies a reported change (position, phone, service intentions) to the
    member and to their current report; emits member_details_changed."""
    current = member_current(uow.conn, member_id)
    if current["community_code"] != community_code:
        raise NotFound(message=f"党员 {member_id} 不存在")
    on_report = {k: changes[k] for k in ("position", "phone", "service_intentions") if k in changes}
    uow.conn.execute(update(regs).where(regs.c.id == current["registration_id"]).values(**on_report))
    on_member = {k: v for k, v in on_report.items() if k in ("position", "phone")}
    if on_member:
        uow.conn.execute(update(members).where(members.c.id == member_id).values(updated_at=now(), **on_member))
    scope = {k: current[k] for k in ("district_code", "street_code", "community_code")}
    uow.emit("member_details_changed", scope, member_id=member_id, registration_id=current["registration_id"],
             unit_id=current["unit_id"], fields_changed=sorted(on_report),
             service_intentions=on_report.get("service_intentions"))
    return {**current, **on_report}
