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
        conn.execute(text("TRUNCATE feedback.sources, feedback.inbox"))
    s = Store("feedback", metadata, url=database_url, relay=False, pool_size=1)
    yield s
    s.dispose()


def published(code, revision, results, period="2026H1"):
    return {"event_id": str(uuid.uuid4()), "event_type": "settlement_published", "district_code": code[:6],
            "street_code": code[:9], "community_code": code, "settlement_id": 100 + revision, "period": period,
            "revision": revision, "reason": None if revision == 1 else "补记遗漏的服务积分",
            "member_results": [{"member_id": m, "name": f"党员{m}", "unit_id": u, "points": f"{p}.0", "stars": p // 10}
                               for m, u, p in results]}


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
