"""Two-way feedback end to end (§5.3, Annexes E, F, G), over HTTP through the gateway: a
community's half year is published; the community writes its comments; the district releases; the
unit's officer reads notice E and table F (right to the point, including a member of the unit who
did not report this year) and acknowledges it; a member objects to an entry; the community
assigns, investigates and upholds it; the member's points show the compensating entry and the
published result a revision with the reason, released to the unit as a revised notice saying
what changed; a rule version 2 leaves the half year published under version 1 as it was; a plain
AMQP consumer sees each step."""
import re
import time

import pytest
from sqlalchemy import text

from toolkit.config import now

pytestmark = pytest.mark.e2e


@pytest.fixture
def feedback_listener(amqp, request):
    from tests.conftest import Listener
    lst = Listener(amqp, f"e2e.f.{request.node.name[:50]}", service="feedback")
    yield lst
    lst.delete()


def home_unit_with_members(engine, city, n=2):
    """A community and a unit sitting in it, with `n` of the unit's members active there (the
    volunteering service knows them), in a community no other test publishes (the scoring test
    takes the last with three active members, the permission test's world the first with two
    units: this one the last of the others)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        with engine.connect() as conn:
            rows = conn.execute(text("""
                SELECT u.community_code, u.id, array_agg(m.member_id ORDER BY m.member_id)
                FROM registration.units u
                JOIN volunteering.members m ON m.unit_id = u.id AND m.community_code = u.community_code AND m.active
                WHERE NOT EXISTS (SELECT 1 FROM scoring.settlements s WHERE s.community_code = u.community_code
                                  AND s.period = :p AND s.status IN ('reviewed', 'published'))
                GROUP BY u.community_code, u.id HAVING count(*) >= :n ORDER BY u.community_code, u.id"""),
                {"n": n, "p": f"{now().year}H{1 if now().month <= 6 else 2}"}).all()
            threes = conn.execute(text("select community_code from volunteering.members where active "
                                       "group by community_code having count(*) >= 3 order by community_code")).scalars().all()
        ours = {c["code"] for c in city.communities} - {city.communities[0]["code"]}
        busy = [c for c in threes if c in ours][-1:]  # the scoring test's (its quiet_community)
        rows = [r for r in rows if r[0] in ours and r[0] not in busy]
        if rows:
            code, unit, members = rows[-1]
            return code, unit, members[:n]
        time.sleep(0.3)
    raise AssertionError("no unit with active members in its own community")


def a_member_who_did_not_report(engine, unit_id, year):
    """A member of the unit known from an earlier year, with no report this year (R5)."""
    with engine.begin() as conn:
        found = conn.execute(text("""
            SELECT m.id, m.name FROM registration.members m WHERE m.unit_id = :u AND NOT EXISTS (
                SELECT 1 FROM registration.member_registrations r WHERE r.member_id = m.id AND r.year = :y
                AND r.status IN ('submitted', 'unit_approved', 'accepted')) ORDER BY m.id LIMIT 1"""),
            {"u": unit_id, "y": year}).first()
        if found is not None:
            return found.id, found.name
        # the city's history: a member who reported in an earlier year and not in this one
        return tuple(conn.execute(text("""
            INSERT INTO registration.members (id_number, name, gender, birth_date, party_join_date, education, unit_id,
                                              position, phone, home_address)
            VALUES ('41010519800101' || lpad(CAST(:u % 10000 AS text), 4, '0'), '王未报', '男', '1980-01-01',
                    '2005-07-01', '本科', :u, '科员', '13800000000', '郑州市中原区某路1号')
            RETURNING id, name"""), {"u": unit_id}).one())


def test_notice_objection_and_revision_from_publication_to_the_unit(platform, city, migrated, feedback_listener):
    community, unit, (m1, m2) = home_unit_with_members(migrated, city)
    district = community[:6]
    year = now().year
    absent, absent_name = a_member_who_did_not_report(migrated, unit, year)
    staff = platform.as_("community_staff", community)
    today = now().date().isoformat()

    entries = []
    for member, points in [(m1, 12), (m2, 4)]:
        r = staff.post(f"/communities/{community}/merit-entries", {
            "member_id": member, "category": "承担急难险重任务", "reason": "参与防汛值守三个昼夜", "points": points,
            "occurred_on": today})
        assert r.status_code == 201, r.text
        entries.append(r.json()["entry_id"])
    period = r.json()["period"]
    base = f"/communities/{community}/settlements/{period}"
    assert staff.post(f"{base}/draft").status_code == 200
    review = {"congress_date": today, "attendees": 30, "minutes": "党员群众代表大会审议通过本半年度积分评星结果"}
    assert staff.post(f"{base}/review", review).status_code == 200
    published = staff.post(f"{base}/publication")
    assert published.status_code == 200, published.text
    expected = {m["holder_id"]: (float(m["points"]), m["stars"]) for m in published.json()["current"]["members"]
                if m["unit_id"] == unit}
    assert expected[m1] == (12.0, 1) and expected[m2] == (4.0, 0)

    # the community's members reach the feedback service; it writes a comment for each
    lines = _until(lambda: staff.get(f"/communities/{community}/feedback/{period}"),
                   lambda r: r.status_code == 200 and {m1, m2} <= {i["member_id"] for i in r.json()["items"]})
    members = [i["member_id"] for i in lines.json()["items"]]
    officer = platform.as_("district_officer", district)
    early = officer.post(f"/districts/{district}/notices/{period}/units/{unit}/release")
    assert early.status_code == 409 and early.json()["error"]["code"] == "comments_missing", early.text
    twice = staff.request("PUT", f"/communities/{community}/feedback/{period}/comments",
                          {"comments": [{"member_id": m1, "comment": "服务积极"}, {"member_id": m1, "comment": "又写一次"}]})
    assert twice.status_code == 400 and twice.json()["error"]["fields"][0]["code"] == "member_twice", twice.text
    wrong = staff.request("PUT", f"/communities/{community}/feedback/{period}/comments",
                          {"comments": [{"member_id": m1, "comment": "好"}]})
    assert wrong.status_code == 400 and "comment" in wrong.json()["error"]["fields"][0]["field"], wrong.text
    comments = {m: ("服务积极，表现突出" if m == m1 else "按时参加社区服务") for m in members}
    written = staff.request("PUT", f"/communities/{community}/feedback/{period}/comments",
                            {"comments": [{"member_id": m, "comment": c} for m, c in comments.items()]})
    assert written.status_code == 200 and written.json()["missing_comments"] == 0, written.text

    nowhere = officer.get(f"/districts/{district}/notices/{period}/units/987654321")
    assert nowhere.status_code == 404, nowhere.text                          # no line of it here
    listed = officer.get(f"/districts/{district}/notices/{period}").json()
    mine = next(i for i in listed["items"] if i["unit_id"] == unit)
    assert mine["ready"] and mine["state"] == "prepared" and mine["not_reported"] >= 1, mine
    released = officer.post(f"/districts/{district}/notices/{period}/units/{unit}/release")
    assert released.status_code == 200 and released.json()["released"][0]["unit_id"] == unit, released.text
    notice_id = released.json()["released"][0]["notice_id"]
    again = officer.post(f"/districts/{district}/notices/{period}/units/{unit}/release")
    assert again.status_code == 409 and again.json()["error"]["code"] == "nothing_new", again.text

    # the unit's officer reads E and F: right to the point, the member who did not report included
    unit_officer = platform.as_("unit_officer", unit)
    inbox = unit_officer.get(f"/units/{unit}/notices", params={"period": period}).json()
    assert [n["notice_id"] for n in inbox["items"]] == [notice_id] and inbox["unread"] == 1
    notice = unit_officer.get(f"/units/{unit}/notices/{notice_id}").json()
    assert notice["status"] == "read" and notice["read_by"] == "unit." + str(unit)
    assert "委组织部" in notice["notice_text"] and "附录F" in notice["notice_text"]
    table = {r["member_id"]: r for r in notice["table"]}
    assert [r["seq"] for r in notice["table"]] == list(range(1, len(notice["table"]) + 1))
    assert (float(table[m1]["points"]), table[m1]["stars"], table[m1]["reported_cn"], table[m1]["comment"]) == \
        (12.0, 1, "是", "服务积极，表现突出")
    assert (float(table[m2]["points"]), table[m2]["stars"], table[m2]["comment"]) == (4.0, 0, "按时参加社区服务")
    assert table[m1]["community_code"] == community and table[m1]["community_name"]
    assert (table[absent]["reported_cn"], table[absent]["name"], table[absent]["points"], table[absent]["points_cn"]) \
        == ("否", absent_name, None, "未报到")
    assert {m for m, r in table.items() if r["reported"]} == set(expected)   # every member of the unit here
    acked = unit_officer.post(f"/units/{unit}/notices/{notice_id}/acknowledgement")
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged", acked.text
    foreign = platform.as_("unit_officer", unit + 1).get(f"/units/{unit + 1}/notices/{notice_id}")
    assert foreign.status_code == 404, foreign.text                          # another unit: not there

    # a member objects to an entry of their own; one open objection per entry and person
    member = platform.as_("member", m1)
    not_mine = member.post("/me/objections", {"target": "entry", "entry_id": entries[1], "content": "该记录分值有误"})
    assert not_mine.status_code == 404, not_mine.text
    raised = member.post("/me/objections", {"target": "entry", "entry_id": entries[0],
                                            "content": "防汛值守实际为四个昼夜，少记了分值"})
    assert raised.status_code == 201 and raised.json()["status"] == "submitted", raised.text
    objection = raised.json()["id"]
    twice = member.post("/me/objections", {"target": "entry", "entry_id": entries[0], "content": "再次提出同一异议"})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "objection_open", twice.text
    early = staff.post(f"/communities/{community}/objections/{objection}/decision",
                       {"decision": "upheld", "reason": "经核实少记分值", "points": 3})
    assert early.status_code == 409, early.text                               # investigate first (§5.3.5)
    path = f"/communities/{community}/objections/{objection}"
    assert staff.post(f"{path}/assignment", {"department": "社区党委组织委员", "assignee": "李娜"}).status_code == 200
    assert member.get(f"/me/objections/{objection}").json()["status_cn"] == "调查核实中"
    assert staff.post(f"{path}/findings", {"findings": "经走访防汛指挥部，值守记录为四个昼夜"}).status_code == 200
    decided = staff.post(f"{path}/decision", {"decision": "upheld", "reason": "经核实少记一个昼夜的分值",
                                              "points": 3})
    assert decided.status_code == 200, decided.text
    result = member.get(f"/me/objections/{objection}").json()
    assert result["status"] == "upheld" and "异议成立" in result["result_cn"] and result["settlement_revision"] == 2

    points = member.get("/me/points", params={"period": period}).json()
    compensating = next(e for e in points["entries"] if e["id"] == result["compensating_entry_id"])
    assert compensating["points"] == 3 and f"异议第 {objection} 号成立" in compensating["reason"]
    assert compensating["corrects_entry_id"] == entries[0]
    revision = staff.get(base).json()
    assert revision["current"]["revision"] == 2 and f"异议第 {objection} 号成立" in revision["current"]["reason"]

    # the revision is reviewed and published; the unit gets a revised notice saying what changed
    reviewed = staff.post(f"{base}/review", review)
    assert reviewed.status_code == 200, reviewed.text
    assert staff.post(f"{base}/publication").status_code == 200
    changed = _until(lambda: officer.get(f"/districts/{district}/notices/{period}"),
                     lambda r: next(i for i in r.json()["items"] if i["unit_id"] == unit)["state"] == "changed")
    preview = officer.get(f"/districts/{district}/notices/{period}/units/{unit}").json()
    assert {"member_id": m1, "field": "points", "before": "12.0", "after": "15.0"}.items() <= \
        next(c for c in preview["changes"] if c["member_id"] == m1 and c["field"] == "points").items(), preview["changes"]
    district_wide = officer.post(f"/districts/{district}/notices/{period}/release")
    assert district_wide.status_code == 200, district_wide.text
    revised = next(r for r in district_wide.json()["released"] if r["unit_id"] == unit)
    assert revised["revision"] == 2
    second = unit_officer.get(f"/units/{unit}/notices/{revised['notice_id']}").json()
    assert float({r["member_id"]: r for r in second["table"]}[m1]["points"]) == 15.0
    assert any(c["field"] == "points" and f"异议第 {objection} 号" in (c["reason"] or "") for c in second["changes"])
    assert unit_officer.get(f"/units/{unit}/notices/{notice_id}").json()["status"] == "superseded"
    # ... and as files: E with F (PDF, fonts embedded), F as Excel; the community's table G
    import tempfile
    from pathlib import Path
    from tests.test_e2e_documents import pdf_text
    with tempfile.TemporaryDirectory() as tmp:
        ef = unit_officer.get(f"/units/{unit}/notices/{revised['notice_id']}/notice.pdf")
        assert ef.status_code == 200, ef.text
        text, fonts, pages = pdf_text(ef.content, Path(tmp), "ef.pdf")
        m1_name = {r["member_id"]: r for r in second["table"]}[m1]["name"]
        for expected in ("在职党员志愿服务情况反馈通知单", "第2版（修订）", "本版与上一版相比", "在职党员志愿服务情况汇总表",
                         "是否报到", "积分情况", "评星情况", "社区评语", m1_name, f"异议第{objection}号"):
            assert expected in text, expected
        assert re.search(m1_name + r"是15(\.0)?分", text), text
        assert pages >= 2 and all(line.split()[-5] == "yes" for line in fonts)
        f_table = unit_officer.get(f"/units/{unit}/notices/{revised['notice_id']}/table.xlsx")
        assert f_table.status_code == 200 and f_table.content[:2] == b"PK"
        g = staff.get(f"/communities/{community}/objections.pdf")
        assert g.status_code == 200, g.text
        text, _, _ = pdf_text(g.content, Path(tmp), "g.pdf")
        assert "在职党员志愿服务情况意见反馈表" in text and "异议成立" in text and "社区党委组织委员" in text
        # the same as Word files, for offices that print from Word (their text: the docx's XML)
        import io
        import zipfile
        for path, words in ((f"/units/{unit}/notices/{revised['notice_id']}/notice.docx",
                             ("在职党员志愿服务情况反馈通知单", "在职党员志愿服务情况汇总表", m1_name, "第 2 版（修订）")),
                            (f"/communities/{community}/objections.docx", ("在职党员志愿服务情况意见反馈表", "异议成立"))):
            docx = (unit_officer if path.startswith("/units") else staff).get(path)
            assert docx.status_code == 200 and docx.content[:2] == b"PK", (path, docx.text[:300])
            xml = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
            assert all(w in xml for w in words), path
        assert platform.as_("unit_officer", unit + 1).get(
            f"/units/{unit + 1}/notices/{revised['notice_id']}/notice.pdf").status_code == 404

        # the district prints every notice it released this half year, as sent, as a job
        # (DOCUMENTS_UNITS_PER_PART is 1 in the suite: a part per unit, a ZIP of one PDF a unit)
        sent = {r["unit_id"] for r in district_wide.json()["released"]} | {unit}
        job = officer.post(f"/districts/{district}/documents/tables", json={"period": period})
        assert job.status_code == 202 and job.json()["total"] >= len(sent), job.text
        state = _until(lambda: officer.get(f"/districts/{district}/documents/jobs/{job.json()['job_id']}"),
                       lambda r: r.json()["status"] in ("done", "failed"), seconds=120).json()
        assert state["status"] == "done" and state["done"] == state["total"] == job.json()["total"], state
        assert len(state["parts"]) == state["total"]
        archive = officer.get(f"/districts/{district}/documents/jobs/{job.json()['job_id']}/file")
        assert archive.status_code == 200 and archive.headers["X-Content-SHA256"] == state["file"]["sha256"]
        if len(state["parts"]) == 1:
            files = [archive.content]
        else:
            with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
                names = zipped.namelist()
                assert len(names) == len(state["parts"]) and all(n.endswith(".pdf") for n in names)
                files = [zipped.read(n) for n in names]
        whole = ""
        for data in files:
            text, fonts, _ = pdf_text(data, Path(tmp), "part.pdf")
            assert all(line.split()[-5] == "yes" for line in fonts)
            whole += text
        assert whole.count("在职党员志愿服务情况反馈通知单") == state["total"]
        assert m1_name in whole and "第2版（修订）" in whole
        # a street officer may not start it; another district's officer does not see the job
        assert platform.as_("street_officer", community[:9]).post(
            f"/districts/{district}/documents/tables", json={"period": period}).status_code == 403

    # the city's rules change for a half year to come: this half year, published under version 1,
    # stays as it was (and so does the notice that told the unit of it)
    from tests.test_e2e_rules import body, free_half_year
    admin = platform.as_("city_admin")
    before = staff.get(base).json()["current"]
    effective = free_half_year(migrated, admin.get("/rules").json()["items"])
    published_rules = admin.post("/rules", body(effective))
    assert published_rules.status_code == 201, published_rules.text
    after = staff.get(base).json()["current"]
    assert (after["rule_version"], after["revision"]) == (before["rule_version"], 2) and before["rule_version"] == 1
    assert {m["holder_id"]: (m["points"], m["stars"]) for m in after["members"]} == \
        {m["holder_id"]: (m["points"], m["stars"]) for m in before["members"]}
    state = next(i for i in officer.get(f"/districts/{district}/notices/{period}").json()["items"] if i["unit_id"] == unit)
    assert state["state"] == "read" and state["revision"] == 2, state      # nothing new to send

    # other systems hear every step
    wanted = {"comments_written", "notice_released", "notice_read", "notice_acknowledged", "objection_raised",
              "objection_assigned", "objection_investigated", "objection_decided"}
    events = feedback_listener.collect(lambda ev: wanted <= {e["event_type"] for e in ev})
    assert wanted <= {e["event_type"] for e in events}
    decided_event = next(e for e in events if e["event_type"] == "objection_decided")
    assert decided_event["objection_id"] == objection and decided_event["status"] == "upheld"
    assert decided_event["compensating_entry_id"] == result["compensating_entry_id"]


def _until(call, ok, seconds=30):
    deadline = time.time() + seconds
    while True:
        r = call()
        if ok(r) or time.time() > deadline:
            assert ok(r), r.text
            return r
        time.sleep(0.3)


def test_details_changes_opinions_and_the_units_archive(platform, city, migrated, feedback_listener):
    """B2 (§5.3.2): the unit and the member report changes, the community applies one and declines
    another; §4.1: the unit asks the community's opinion on a member before an evaluation, gets
    the member's record with it, and finds it all in its archive."""
    community, unit, (m1, m2) = home_unit_with_members(migrated, city)
    staff = platform.as_("community_staff", community)
    unit_officer = platform.as_("unit_officer", unit)

    empty = unit_officer.post(f"/units/{unit}/detail-changes", {"member_id": m1})
    assert empty.status_code == 400 and empty.json()["error"]["fields"][0]["code"] == "nothing_changed", empty.text
    few = unit_officer.post(f"/units/{unit}/detail-changes", {"member_id": m1, "service_intentions": ["助老服务"]})
    assert few.status_code == 400 and few.json()["error"]["fields"][0]["rule"] == "§3.1.2", few.text
    by_unit = unit_officer.post(f"/units/{unit}/detail-changes", {
        "member_id": m1, "position": "副科长", "phone": "138 1234 5678", "note": "岗位调整"})
    assert by_unit.status_code == 201 and by_unit.json()["changes"]["phone"] == "13812345678", by_unit.text
    by_member = platform.as_("member", m2).post("/me/detail-changes", {"service_intentions": ["助老服务", "环境保护"]})
    assert by_member.status_code == 201, by_member.text
    other = platform.as_("unit_officer", unit + 1).post(f"/units/{unit + 1}/detail-changes", {
        "member_id": m1, "position": "科长"})
    assert other.status_code == 404, other.text                                # not that unit's member

    pending = staff.get(f"/communities/{community}/detail-changes", params={"status": "pending"}).json()
    assert {by_unit.json()["id"], by_member.json()["id"]} <= {c["id"] for c in pending["items"]}
    path = f"/communities/{community}/detail-changes"
    no_reason = staff.post(f"{path}/{by_member.json()['id']}/decision", {"decision": "decline"})
    assert no_reason.status_code == 400, no_reason.text
    applied = staff.post(f"{path}/{by_unit.json()['id']}/decision", {"decision": "apply"})
    assert applied.status_code == 200 and applied.json()["status"] == "applied", applied.text
    declined = staff.post(f"{path}/{by_member.json()['id']}/decision", {"decision": "decline",
                                                                       "reason": "服务意向与认领岗位不符，请与社区联系"})
    assert declined.status_code == 200 and declined.json()["status_cn"] == "未采纳", declined.text
    with migrated.connect() as conn:
        position, phone = conn.execute(text("SELECT position, phone FROM registration.members WHERE id = :m"),
                                       {"m": m1}).one()
    assert (position, phone) == ("副科长", "13812345678")
    mine = platform.as_("member", m2).get("/me/detail-changes").json()["items"]
    assert mine[0]["status"] == "declined" and mine[0]["decline_reason"].startswith("服务意向")

    # §4.1: the unit asks, the community answers with the member's record
    asked = unit_officer.post(f"/units/{unit}/opinion-requests", {"member_id": m1, "purpose": "2026 年度优秀共产党员评选"})
    assert asked.status_code == 201 and asked.json()["community_code"] == community, asked.text
    waiting = staff.get(f"/communities/{community}/opinion-requests", params={"status": "requested"}).json()
    assert asked.json()["id"] in [o["id"] for o in waiting["items"]]
    answered = staff.post(f"/communities/{community}/opinion-requests/{asked.json()['id']}/answer",
                          {"opinion": "该同志积极参加社区志愿服务，群众评价好，同意推荐"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered", answered.text
    record = answered.json()["record"]
    assert [h["period"] for h in record["half_years"]][0] == f"{now().year}H{1 if now().month <= 6 else 2}"
    seen = unit_officer.get(f"/units/{unit}/opinion-requests").json()["items"]
    assert seen[0]["opinion"].startswith("该同志") and seen[0]["record"]["half_years"]

    # objections other than to an entry: a member's missing service; a unit, to its member's entry only
    period = f"{now().year}H{1 if now().month <= 6 else 2}"
    missing = platform.as_("member", m2).post("/me/objections", {
        "target": "missing_service", "community_code": community, "period": period,
        "content": "十月十二日参加了楼院清扫，没有积分"})
    assert missing.status_code == 201 and missing.json()["target_cn"] == "漏记的服务", missing.text
    elsewhere = platform.as_("member", m2).post("/me/objections", {
        "target": "missing_service", "community_code": city.communities[0]["code"], "period": period,
        "content": "在别的社区参加了服务"})
    assert elsewhere.status_code == 404, elsewhere.text                        # not their community
    entry = staff.post(f"/communities/{community}/merit-entries", {
        "member_id": m1, "category": "见义勇为", "reason": "协助疏散火灾现场群众", "points": 6,
        "occurred_on": now().date().isoformat()}).json()["entry_id"]
    by_unit = unit_officer.post(f"/units/{unit}/objections", {"target": "entry", "entry_id": entry,
                                                               "content": "该党员当日实际救出三人，分值偏低"})
    assert by_unit.status_code == 201 and by_unit.json()["objector_kind"] == "unit", by_unit.text
    not_entry = unit_officer.post(f"/units/{unit}/objections", {"target": "result", "period": period,
                                                                 "community_code": community, "content": "半年度结果有误，请核实"})
    assert not_entry.status_code == 400 and not_entry.json()["error"]["fields"][0]["field"] == "target"
    assert [o["id"] for o in unit_officer.get(f"/units/{unit}/objections").json()["items"]] == [by_unit.json()["id"]]
    with_entry = platform.as_("member", m2).post("/me/objections", {
        "target": "missing_service", "entry_id": entry, "community_code": community, "period": period,
        "content": "十月十二日参加了楼院清扫，没有积分"})
    assert with_entry.status_code == 400 and with_entry.json()["error"]["fields"][0]["field"] == "entry_id"
    # the member objects to the same entry as their unit: one correction, not two
    by_member = platform.as_("member", m1).post("/me/objections", {"target": "entry", "entry_id": entry,
                                                                    "content": "当日实际救出三人，分值偏低"})
    assert by_member.status_code == 201, by_member.text
    for objection in (by_unit.json()["id"], by_member.json()["id"]):
        path = f"/communities/{community}/objections/{objection}"
        assert staff.post(f"{path}/assignment", {"department": "社区党委组织委员"}).status_code == 200
        assert staff.post(f"{path}/findings", {"findings": "经走访消防站核实，属实"}).status_code == 200
    upheld = {"decision": "upheld", "reason": "经核实少记分值，予以补记", "points": 4}
    first = staff.post(f"/communities/{community}/objections/{by_unit.json()['id']}/decision", upheld)
    assert first.status_code == 200 and first.json()["status"] == "upheld", first.text
    second = staff.post(f"/communities/{community}/objections/{by_member.json()['id']}/decision", upheld)
    assert second.status_code == 409 and second.json()["error"]["code"] == "entry_already_corrected", second.text
    # the member sees the objection their unit raised about their record too
    assert by_unit.json()["id"] in [o["id"] for o in platform.as_("member", m1).get("/me/objections").json()["items"]]

    archive = unit_officer.get(f"/units/{unit}/archive").json()
    kinds = {i["kind"] for i in archive["items"]}
    assert {"opinion", "detail_change", "objection"} <= kinds, kinds
    assert isinstance(archive["member_reports"], (list, dict))
    wanted = {"detail_change_reported", "detail_change_decided", "opinion_requested", "opinion_given"}
    events = feedback_listener.collect(lambda ev: wanted <= {e["event_type"] for e in ev})
    assert wanted <= {e["event_type"] for e in events}
