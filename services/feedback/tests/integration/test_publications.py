"""Publications kept against the real PostgreSQL (toolkit.batches hands prepare_batch what a process
took from the queue): a redelivered batch changes nothing, an older revision arriving late does not
replace a newer one, and the view unpacks the lines a notice shows."""
import uuid

import pytest
from sqlalchemy import text

from feedback import notices
from feedback.models import metadata
from toolkit.db import Store

C1, C2 = "410106001001", "410106001002"


@pytest.fixture
def store(feedback_db, database_url):
    with feedback_db.begin() as conn:
        conn.execute(text("TRUNCATE feedback.sources, feedback.inbox, feedback.rows, feedback.notices, "
                          "feedback.units, feedback.objections"))
    s = Store("feedback", metadata, url=database_url, relay=False, pool_size=1)
    yield s
    s.dispose()


def published(code, revision, results, period="2026H1"):
    return {"event_id": str(uuid.uuid4()), "event_type": "settlement_published", "district_code": code[:6],
            "street_code": code[:9], "community_code": code, "settlement_id": 100 + revision, "period": period,
            "revision": revision, "reason": None if revision == 1 else "补记遗漏的服务积分",
            "member_lines": {"member_id": [m for m, _, _ in results], "name": [f"党员{m}" for m, _, _ in results],
                             "unit_id": [u for _, u, _ in results], "points": [float(p) for _, _, p in results],
                             "stars": [p // 10 for _, _, p in results]}}


def lines(engine, code):
    with engine.connect() as conn:
        return {(r.member_id, r.unit_id, float(r.points), r.stars) for r in conn.execute(text(
            "SELECT member_id, unit_id, points, stars FROM feedback.lines WHERE community_code = :c AND period = '2026H1'"),
            {"c": code})}


def test_a_batch_again_or_an_older_revision_late_changes_nothing(store, feedback_db):
    first = published(C1, 1, [(1, 7, 12), (2, 7, 4), (3, None, 30)])   # a member with no unit: no line
    notices.prepare_batch(store, [first, published(C2, 1, [(4, 8, 21)])])
    assert lines(feedback_db, C1) == {(1, 7, 12.0, 1), (2, 7, 4.0, 0)}
    assert lines(feedback_db, C2) == {(4, 8, 21.0, 2)}

    second = published(C1, 2, [(1, 7, 15), (2, 7, 4)])
    notices.prepare_batch(store, [second, first])                       # the old one again, beside the new
    assert lines(feedback_db, C1) == {(1, 7, 15.0, 1), (2, 7, 4.0, 0)}
    notices.prepare_batch(store, [published(C1, 1, [(1, 7, 99)])])      # revision 1 once more, another event id
    notices.prepare_batch(store, [second])                              # redelivered
    assert lines(feedback_db, C1) == {(1, 7, 15.0, 1), (2, 7, 4.0, 0)}
    with feedback_db.connect() as conn:
        assert conn.execute(text("SELECT revision, reason FROM feedback.sources WHERE community_code = :c"),
                            {"c": C1}).one() == (2, "补记遗漏的服务积分")
        assert conn.execute(text("SELECT count(*) FROM feedback.inbox")).scalar() == 4


class Registration:
    """registration.feedback_rosters as the registration service answers it."""

    def __init__(self, units):
        self.units = units

    def feedback_rosters(self, unit_ids, codes, year):
        return {"units": [u for u in self.units if u["unit_id"] in unit_ids or u["community_code"] in codes],
                "communities": {c: f"社区{c[-3:]}" for c in codes}, "districts": {"410106": "中原区"}}


def test_a_units_notice_holds_its_members_lines_and_those_who_did_not_report(store, feedback_db):
    notices.prepare_batch(store, [published(C1, 1, [(1, 7, 12), (2, 8, 4)]), published(C2, 1, [(3, 7, 30)])])
    registration = Registration([
        {"unit_id": 7, "name": "某医院", "party_org_name": "中共某医院委员会", "community_code": C1, "district_code": "410106",
         "unreported": [[9, "王未报"]]},
        {"unit_id": 8, "name": "某学校", "party_org_name": "中共某学校支部委员会", "community_code": "410199001001",
         "district_code": "410199", "unreported": [[10, "李未报"]]}])
    with feedback_db.connect() as conn:
        listed = notices.district_notices(conn, registration, "410106", "2026H1")
        shown = notices.preview(conn, registration, "410106", "2026H1", 7)
    by_unit = {i["unit_id"]: i for i in listed["items"]}
    assert (by_unit[7]["reported"], by_unit[7]["not_reported"], by_unit[7]["state"]) == (2, 1, "prepared")
    # unit 8 sits in another district: its absent member is that district's to tell
    assert (by_unit[8]["reported"], by_unit[8]["not_reported"]) == (1, 0)
    assert by_unit[7]["missing_comments"] == 2 and not by_unit[7]["ready"]
    assert [(r["member_id"], r["reported_cn"], r["community_name"]) for r in shown["table"]] == [
        (1, "是", "社区001"), (3, "是", "社区002"), (9, "否", None)]
    assert shown["notice_text"].startswith("中共某医院委员会：")


def test_a_message_that_cannot_be_read_is_left_out_and_the_rest_kept(store, feedback_db):
    import json
    good = json.dumps(published(C2, 1, [(4, 8, 21)]), ensure_ascii=False)
    not_an_id = json.dumps({**published(C1, 1, [(1, 7, 12)]), "event_id": "not-a-uuid"}, ensure_ascii=False)
    notices.prepare_batch(store, [not_an_id, "{not json", good])
    assert lines(feedback_db, C2) == {(4, 8, 21.0, 2)} and lines(feedback_db, C1) == set()


def test_a_unit_whose_lines_are_all_gone_gets_a_revision_with_none(store, feedback_db):
    """Its only line was a member who had not reported; the member reports: the notice that
    listed them as absent is revised (with no line), not left standing."""
    notices.prepare_batch(store, [published(C1, 1, [(1, 7, 12)])])
    with_absent = Registration([{"unit_id": 8, "name": "某学校", "party_org_name": "中共某学校支部委员会",
                                 "community_code": C1, "district_code": "410106", "unreported": [[10, "李未报"]]}])
    first = notices.release(store, with_absent, "410106", "2026H1", "district.410106", unit_id=8)
    assert first["released"][0]["revision"] == 1
    reported = Registration([{**with_absent.units[0], "unreported": []}])
    with feedback_db.connect() as conn:
        listed = {i["unit_id"]: i for i in notices.district_notices(conn, reported, "410106", "2026H1")["items"]}
    assert listed[8]["state"] == "changed" and listed[8]["ready"] and listed[8]["rows"] == 0
    second = notices.release(store, reported, "410106", "2026H1", "district.410106")
    assert [(r["unit_id"], r["revision"]) for r in second["released"]] == [(8, 2)]
    with feedback_db.connect() as conn:
        changes = conn.execute(text("SELECT changes FROM feedback.notices WHERE unit_id = 8 AND revision = 2")).scalar()
    assert [(c["member_id"], c["field"], c["before"]) for c in changes] == [(10, "line", "原有")]


class Scoring:
    """scoring.compensate that fails the first time it is asked (a scoring that did not answer)."""

    def __init__(self):
        self.calls = []

    def compensate(self, request):
        from contracts.errors import Unavailable
        self.calls.append(request)
        if len(self.calls) == 1:
            raise Unavailable(message="scoring 暂时不可用")
        return {"entry_id": 555, "points": request["points"], "period": request["period"], "revision": 2}


def test_an_upheld_decision_that_stopped_half_way_is_finished_by_deciding_again_the_same_way(store, feedback_db):
    from contracts.errors import Conflict, Unavailable
    from feedback import objections
    with feedback_db.begin() as conn:
        objection_id = conn.execute(text("""
            INSERT INTO feedback.objections (objector_kind, objector_id, member_id, unit_id, district_code, street_code,
                community_code, target, entry_id, period, content, status, raised_by, findings)
            VALUES ('member', 1, 1, 7, '410106', '410106001', :c, 'entry', 77, '2026H1', '少记了分值，请核实',
                    'investigated', 'member.1', '属实') RETURNING id"""), {"c": C1}).scalar()
    scoring = Scoring()
    upheld = {"decision": "upheld", "reason": "经核实少记分值", "points": 3}
    with pytest.raises(Unavailable):
        objections.decide(store, scoring, objection_id, upheld, "staff.c1")
    with feedback_db.connect() as conn:
        assert conn.execute(text("SELECT status, points FROM feedback.objections WHERE id = :i"),
                            {"i": objection_id}).one() == ("deciding", 3)
    with pytest.raises(Conflict):  # not otherwise, now
        objections.decide(store, scoring, objection_id, {"decision": "rejected", "reason": "经核实原记录无误"}, "staff.c1")
    done = objections.decide(store, scoring, objection_id, upheld, "staff.c1")
    assert (done["status"], done["compensating_entry_id"], done["settlement_revision"]) == ("upheld", 555, 2)
    assert [c["objection_id"] for c in scoring.calls] == [objection_id, objection_id]   # the same entry asked for
