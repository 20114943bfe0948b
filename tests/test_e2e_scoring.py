"""Scoring end to end, over HTTP through the gateway: a community's half year is drafted, reviewed
by the members' congress and published; the vanguard board (JSON and picture), the honour
certificate, register D.1, award candidates and the §5.4.1 assessment follow from it; each unit
hears its members' points and stars; the supermarket spends a balance and gives it back;
`scoring.verify` finds the ledger and the balances in agreement."""
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from toolkit.config import now

pytestmark = pytest.mark.e2e
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def scoring_listener(amqp, request):
    from tests.conftest import Listener
    lst = Listener(amqp, f"e2e.s.{request.node.name[:50]}", service="scoring")
    yield lst
    lst.delete()


# Members a test may settle from nothing: active in volunteering, with their red account in that
# community (a member another test moved while no scoring ran may have it elsewhere), and no entry
# yet this half year (other tests' check-ins and merits give points).
FRESH_MEMBERS = """
    select m.member_id, m.community_code from volunteering.members m
    join scoring.accounts a on a.holder_kind = 'member' and a.holder_id = m.member_id and a.community_code = m.community_code
    where m.active and not exists (select 1 from scoring.ledger l where l.holder_kind = 'member'
                                   and l.holder_id = m.member_id and l.period = :p)
"""


def this_period():
    return f"{now().year}H{1 if now().month <= 6 else 2}"


def quiet_community(engine, city):
    """A community with three fresh members that no other test settles."""
    used = {city.communities[0]["code"]}
    with engine.connect() as conn:
        deadline = time.time() + 30
        while time.time() < deadline:
            # ... and that no other test has published this half year (the documents test prints a
            # register D.1 after a publication of its own)
            rows = conn.execute(text(
                f"select f.community_code from ({FRESH_MEMBERS}) f where not exists ("
                "select 1 from scoring.settlements s where s.community_code = f.community_code and s.period = :p "
                "and s.status in ('reviewed', 'published')) "
                "group by f.community_code having count(*) >= 3 order by f.community_code"),
                {"p": this_period()}).scalars().all()
            # the test city's (other tests make members of their own, unknown to registration)
            free = [c for c in rows if c not in used and c in {x["code"] for x in city.communities}]
            if free:
                return free[-1]
            time.sleep(0.3)
    raise AssertionError("no community with three fresh members")


def test_a_half_year_from_merits_to_the_board_the_feedback_and_the_supermarket(platform, city, migrated,
                                                                             scoring_listener):
    community = quiet_community(migrated, city)
    staff = platform.as_("community_staff", community)
    with migrated.connect() as conn:
        m1, m2, m3 = conn.execute(text(f"select member_id from ({FRESH_MEMBERS}) f where f.community_code = :c "
                                       "order by member_id limit 3"), {"c": community, "p": this_period()}).scalars().all()
    today = now().date().isoformat()
    for member, points in [(m1, 20), (m1, 20), (m1, 20), (m1, 20), (m1, 20), (m2, 9), (m3, 10)]:
        r = staff.post(f"/communities/{community}/merit-entries", {
            "member_id": member, "category": "长期帮扶残疾人和困难群众", "reason": "长期照料独居残疾老人", "points": points,
            "occurred_on": today})
        assert r.status_code == 201, r.text
    period = r.json()["period"]
    base = f"/communities/{community}/settlements/{period}"

    drafted = staff.post(f"{base}/draft")
    assert drafted.status_code == 200, drafted.text
    got = {m["holder_id"]: (float(m["points"]), m["stars"]) for m in drafted.json()["current"]["members"]}
    assert (got[m1], got[m2], got[m3]) == ((100.0, 10), (9.0, 0), (10.0, 1))
    assert staff.get(f"/boards/{community}/{period}").json()["items"] == []     # nothing shown before publication
    early = staff.post(f"{base}/publication")
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_reviewed"
    reviewed = staff.post(f"{base}/review", {"congress_date": today, "attendees": 40,
                                             "minutes": "党员群众代表大会审议通过本半年度积分评星结果"})
    assert reviewed.status_code == 200, reviewed.text
    published = staff.post(f"{base}/publication")
    assert published.status_code == 200 and published.json()["current"]["status"] == "published", published.text

    member = platform.as_("member", m1)
    board = member.get(f"/boards/{community}/{period}").json()   # every account may read the board
    assert board["items"][0]["member_id"] == m1 and board["items"][0]["stars"] == 10
    picture = member.get(f"/boards/{community}/{period}/picture")
    assert picture.status_code == 200 and picture.headers["Content-Type"].startswith("image/svg+xml")
    assert "先 锋 榜" in picture.text and board["items"][0]["name"] in picture.text
    certificate = member.get(f"/communities/{community}/honour-certificates/{m1}/{period}")
    assert certificate.status_code == 200 and "十星级党员志愿者" in certificate.text
    assert member.get(f"/communities/{community}/honour-certificates/{m2}/{period}").status_code == 404
    assert m1 in [h["member_id"] for h in member.get(f"/honour-list/{community[:6]}/{period}").json()["items"]]

    d1 = staff.get(f"/communities/{community}/members/{m1}/register-d1", params={"period": period}).json()
    assert "status" in d1, d1
    assert d1["status"].startswith("已公布") and float(d1["half_year_points"]) == 100 and d1["half_year_stars"] == 10
    assert [line["points"] for line in d1["lines"]] == [20] * 5
    assert d1["profile"]["member_id"] == m1 and d1["profile"]["unit_name"] and d1["profile"]["age"] > 17
    assert "*" not in d1["profile"]["phone"] and isinstance(d1["claimed_posts"], list)   # the community needs it
    seen_by_district = platform.as_("district_officer", community[:6]).get(
        f"/communities/{community}/members/{m1}/register-d1", params={"period": period}).json()
    assert "****" in seen_by_district["profile"]["phone"]                                 # the district does not
    assert member.get("/me/register-d1", params={"period": period}).json()["half_year_stars"] == 10

    def fed_back(events):
        return any(e["event_type"] == "unit_points_published" and e["community_code"] == community
                   and m1 in [m["member_id"] for m in e["members"]] for e in events)
    events = scoring_listener.collect(fed_back)
    feedback = next(e for e in events if e["event_type"] == "unit_points_published" and m1 in
                    [m["member_id"] for m in e["members"]])
    assert next(m for m in feedback["members"] if m["member_id"] == m1)["stars"] == 10

    district = platform.as_("district_officer", community[:6])
    candidates = district.get(f"/districts/{community[:6]}/award-candidates", params={"period": period}).json()
    assert m1 in [c["member_id"] for c in candidates["most_beautiful_members"]]
    assessed = platform.as_("street_officer", community[:9]).get(f"/streets/{community[:9]}/assessment",
                                                                  params={"period": period}).json()
    row = next(c for c in assessed["communities"] if c["community_code"] == community)
    assert row["members_served"] >= 3 and row["settlement"] == "published"

    # the supermarket: a balance spent, refused beyond it, given back; the stars stay
    goods = staff.post(f"/communities/{community}/supermarket/goods", {
        "name": "家政服务券", "kind": "service", "price_points": 30, "stock": 5})
    assert goods.status_code == 201, goods.text
    shop = member.get("/me/supermarket").json()
    balance = shop["balance"]["balance"]
    assert balance >= 100 and goods.json()["id"] in [g["id"] for g in shop["items"]]
    too_many = member.post("/me/redemptions", {"goods_id": goods.json()["id"], "quantity": balance // 30 + 1})
    assert too_many.status_code == 409, too_many.text   # balance or stock, never below zero
    bought = member.post("/me/redemptions", {"goods_id": goods.json()["id"]})
    assert bought.status_code == 201 and bought.json()["balance"] == balance - 30, bought.text
    back = staff.post(f"/communities/{community}/supermarket/redemptions/{bought.json()['id']}/cancellation",
                      {"reason": "党员未到场领取"})
    assert back.status_code == 200 and back.json()["status"] == "cancelled", back.text
    assert member.get("/me/redemptions").json()["balance"]["balance"] == balance
    assert member.get(f"/boards/{community}/{period}").json()["items"][0]["stars"] == 10

    # a run over the district drafts the others and leaves the published one alone
    run = district.post(f"/districts/{community[:6]}/settlement-runs", {"period": period})
    assert run.status_code == 202, run.text
    status = run.json()
    deadline = time.time() + 30
    while not status["done"] and time.time() < deadline:
        time.sleep(0.3)
        status = district.get(f"/districts/{community[:6]}/settlement-runs/{status['run_id']}").json()
    assert status["done"] and community in [s["community_code"] for s in status["skipped_communities"]], status

    verified = subprocess.run([sys.executable, "-m", "scoring.verify", "--quiet"], capture_output=True, text=True,
                              cwd=os.path.join(ROOT, "services", "scoring"), env={**os.environ}, timeout=120)
    assert verified.returncode == 0 and "0 differences" in verified.stdout, verified.stdout + verified.stderr
