"""Reporting (报到) end to end: HTTP through the gateway to the registration service and
PostgreSQL, every fact heard by a plain AMQP consumer outside the services."""
import itertools
import random
import threading
import time

import pytest
from sqlalchemy import text

from registration.city import credit_code, sample_report

pytestmark = pytest.mark.e2e
seeds = itertools.count(50_000)


def count(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def member_body(community, unit, **change):
    body = sample_report(community, unit, seed=next(seeds))
    body.pop("community_code")
    body.update(change)
    return body


def test_a_unit_and_a_member_report_and_every_event_is_heard(platform, city, listener):
    community = city.communities[0]["code"]
    code = credit_code(random.Random(7), community[:6], "public_institution")
    unit = platform.post(f"/communities/{community}/unit-registrations", {
        "unit": {"name": "上街区第二人民医院", "credit_code": code, "type": "public_institution",
                 "party_org_name": "中共上街区第二人民医院支部委员会", "address": "郑州市上街区中心路100号"},
        "contact_officer": "周华", "contact_phone": "0371-68112233", "resources": ["义诊", "健康讲座"]})
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["unit_id"]
    assert unit.headers["X-Request-Id"]

    reg = platform.post(f"/communities/{community}/member-registrations", member_body(community, unit_id))
    assert reg.status_code == 201, reg.text
    reg_id, cert = reg.json()["registration_id"], reg.json()["certificate_no"]
    opinion = platform.post(f"/units/{unit_id}/member-registrations/{reg_id}/opinion",
                            {"decision": "approve", "officer": "王书记", "comment": "同意"})
    assert opinion.status_code == 200 and opinion.json()["status"] == "unit_approved"
    receipt = platform.post(f"/communities/{community}/member-registrations/{reg_id}/acceptance",
                            {"officer": "李娜", "officer_phone": "0371-68901234"})
    assert receipt.status_code == 200 and receipt.json()["form"] == "B.2"
    assert platform.get(f"/communities/{community}/member-registrations/{reg_id}/receipt").json() == receipt.json()
    assert platform.get(f"/certificates/{cert}").json()["valid"] is True

    wanted = {("unit_registered", unit_id), ("red_account_opened", unit_id), ("member_reported", reg_id),
              ("unit_opinion_given", reg_id), ("member_registration_accepted", reg_id)}

    def key(e):
        return e["event_type"], e.get("registration_id") or e.get("unit_id") or e.get("holder_id")

    def seen(events):
        return wanted <= {key(e) for e in events} and any(
            e["event_type"] == "red_account_opened" and e["holder_kind"] == "member" for e in events)

    events = listener.collect(seen)
    assert seen(events), sorted({key(e) for e in events})
    for e in events:
        assert e["district_code"] == community[:6] and e["occurred_at"].endswith("+08:00") and e["event_id"]


BAD_FIELDS = {  # field: (bad value, expected code)
    "name": ("张", "length"),
    "gender": ("未知", "bad_gender"),
    "birth_date": ("1985-13-01", "bad_date"),
    "id_number": ("410106198505120010", "bad_id_number"),
    "education": ("大专", "bad_education"),
    "party_join_date": ("2999-01-01", "join_date_in_future"),
    "unit_id": (-1, "bad_unit"),
    "position": ("", "length"),
    "phone": ("1234567", "bad_phone"),
    "home_address": ("郑州", "length"),
    "skills": (["书法"], "bad_skill"),
    "other_skill": ("茶艺", "other_skill_unticked"),
    "service_intentions": (["助老"], "too_few_intentions"),
    "community_choice": ("home", "bad_choice"),
}


def test_values_as_people_write_them_are_taken_and_errors_name_the_field_in_chinese(platform, city):
    """Issue 16: 男/女, 居住地社区, a phone with spaces or +86, a date 1985/4/3, lists as one line; a
    wrong value is refused naming the field by its Chinese label and key, with the form expected."""
    community, unit = city.communities[0]["code"], city.units[0]["id"]
    body = member_body(community, unit)
    phone = body["phone"]
    typed = {**body, "gender": "男" if body["gender"] == "male" else "女", "community_choice": "居住地社区",
             "phone": f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}", "birth_date": body["birth_date"].replace("-", "/"),
             "party_join_date": "{}年{}月{}日".format(*map(int, body["party_join_date"].split("-"))),
             "skills": "、".join(body["skills"]), "service_intentions": "，".join(body["service_intentions"])}
    r = platform.post(f"/communities/{community}/member-registrations", typed)
    assert r.status_code == 201, r.text
    got = platform.get(f"/communities/{community}/member-registrations/{r.json()['registration_id']}").json()
    assert got["gender"] == body["gender"] and got["phone"] == phone and got["birth_date"] == body["birth_date"]
    assert got["community_choice"] == "residence" and got["skills"] == body["skills"]
    bad = platform.post(f"/communities/{community}/member-registrations",
                        {**member_body(community, unit), "birth_date": "八五年四月"})
    problem = bad.json()["error"]["fields"][0]
    assert bad.status_code == 400 and problem["field"] == "birth_date" and problem["label"] == "出生日期"
    assert problem["message"].startswith("出生日期（birth_date）：应为日期，如 1985-04-03") and "出生日期" in bad.json()["error"]["message"]
    missing = member_body(community, unit)
    del missing["phone"]
    problem = platform.post(f"/communities/{community}/member-registrations", missing).json()["error"]["fields"][0]
    assert problem["code"] == "required" and problem["message"] == "联系方式（phone）：必填项，未填写"


def test_a_unit_gives_its_opinion_and_the_community_accepts_many_reports_at_once(platform, city):
    """Issue 16: an imported list is not accepted one by one: one opinion for many reports, one
    acceptance for many; what cannot be done is told item by item and the rest go through."""
    community, unit = city.communities[0]["code"], city.units[0]["id"]
    ids = [platform.post(f"/communities/{community}/member-registrations", member_body(community, unit))
           .json()["registration_id"] for _ in range(4)]
    early = platform.post(f"/communities/{community}/member-registrations/acceptances",
                          {"registration_ids": ids[:1], "officer": "李娜", "officer_phone": "0371 6890 1234"})
    assert early.json()["results"][0]["error"]["code"] == "awaiting_unit_opinion", early.text
    officer = platform.as_("unit_officer", unit)
    opinions = officer.post(f"/units/{unit}/member-registrations/opinions",
                            {"registration_ids": ids, "decision": "同意", "officer": "王书记", "opinion_date": "2026/3/2"})
    assert opinions.status_code == 200 and opinions.json()["done"] == 4, opinions.text
    assert {r["status"] for r in opinions.json()["results"]} == {"unit_approved"}
    again = officer.post(f"/units/{unit}/member-registrations/opinions",
                         {"registration_ids": ids[:1], "decision": "approve", "officer": "王书记"}).json()
    assert again["failed"] == 1 and again["results"][0]["error"]["code"] == "invalid_state"
    staff = platform.as_("community_staff", community)
    foreign = 999_999_999
    accepted = staff.post(f"/communities/{community}/member-registrations/acceptances",
                          {"registration_ids": ids + [foreign], "officer": "李娜", "officer_phone": "0371 6890 1234"})
    body = accepted.json()
    assert accepted.status_code == 200 and body["done"] == 4 and body["failed"] == 1, accepted.text
    assert body["results"][-1] == {"registration_id": foreign, "error": body["results"][-1]["error"]}
    assert body["results"][-1]["error"]["code"] == "not_found"
    for rid in ids:
        assert platform.get(f"/communities/{community}/member-registrations/{rid}").json()["status"] == "accepted"
    too_many = staff.post(f"/communities/{community}/member-registrations/acceptances",
                          {"registration_ids": list(range(1, 502)), "officer": "李娜", "officer_phone": "0371-68901234"})
    assert too_many.status_code == 400 and too_many.json()["error"]["fields"][0]["label"] == "报到编号"


def test_every_bad_field_is_refused_with_its_rule_and_nothing_written(platform, city, migrated):
    community, unit = city.communities[0]["code"], city.units[0]["id"]
    tables = ("members", "member_registrations", "outbox", "certificate_counters")
    before = {t: count(migrated, f"select count(*) from registration.{t}") for t in tables}
    before["seq"] = count(migrated, "select coalesce(sum(last_seq), 0) from registration.certificate_counters")
    for field, (value, code) in BAD_FIELDS.items():
        r = platform.post(f"/communities/{community}/member-registrations", member_body(community, unit, **{field: value}))
        assert r.status_code == 400, (field, r.text)
        problems = r.json()["error"]["fields"]
        assert any(p["field"].split(".")[0] == field and p["code"] == code for p in problems), (field, problems)
        assert all(p["message"] for p in problems) and r.json()["request_id"]
    missing = member_body(community, unit)
    del missing["service_intentions"]
    r = platform.post(f"/communities/{community}/member-registrations", missing)
    assert r.status_code == 400 and r.json()["error"]["fields"][0]["code"] == "required"
    # rules that need the database are refused the same way
    # a community that does not exist: the gateway knows the tree (gateway.nodes)
    r = platform.post("/communities/410106999999/member-registrations", member_body("410106999999", unit))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", r.text
    r = platform.post(f"/communities/{community}/member-registrations", member_body(community, 99_999_999))
    assert r.status_code == 400 and r.json()["error"]["fields"][0]["field"] == "unit_id"
    after = {t: count(migrated, f"select count(*) from registration.{t}") for t in tables}
    after["seq"] = count(migrated, "select coalesce(sum(last_seq), 0) from registration.certificate_counters")
    assert after == before


def test_reports_arriving_together_are_each_answered_as_their_own(platform, city, migrated):
    """Concurrent reports travel to the service together (gateway.coalesce): each request still
    gets its own answer, checked against its own caller, and its own audit line."""
    units = {u["community_code"]: u["id"] for u in city.units}
    a, b = list(units)[:2]
    bodies = [(a, member_body(a, units[a])) for _ in range(10)] + [(b, member_body(b, units[b])) for _ in range(10)]
    bodies.append((a, member_body(a, units[a], phone="12345")))  # refused: its own 400
    bodies.append((b, dict(bodies[10][1])))                       # the same member again: its own 409
    intruder = (a, member_body(a, units[a]))                        # b's staff at a: its own 403
    answers = [None] * (len(bodies) + 1)
    staff = {code: platform.as_("community_staff", code) for code in (a, b)}  # signed in beforehand

    def send(i, community, body, as_community):
        answers[i] = staff[as_community].post(f"/communities/{community}/member-registrations", body)

    threads = [threading.Thread(target=send, args=(i, c, body, c)) for i, (c, body) in enumerate(bodies)]
    threads.append(threading.Thread(target=send, args=(len(bodies), intruder[0], intruder[1], b)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = [r.status_code for r in answers]
    assert statuses[:20] == [201] * 20 and statuses[20:] == [400, 409, 403], [r.text for r in answers[20:]]
    assert answers[20].json()["error"]["fields"][0]["field"] == "phone"
    for (community, body), r in zip(bodies[:20], answers[:20]):
        assert r.json()["community_code"] == community and r.json()["certificate_no"].split("-")[1] == community
    ids = [r.json()["registration_id"] for r in answers[:20]]
    assert count(migrated, "select count(*) from registration.member_registrations where id = any(:ids)", ids=ids) == 20
    assert len({r.headers["X-Request-Id"] for r in answers}) == len(answers)
    # the answers were told apart even if several went in one call: each belongs to its own body
    numbers = {r.json()["member_id"] for r in answers[:20]}
    with migrated.connect() as conn:
        owners = dict(conn.execute(text("select id, id_number from registration.members where id = any(:m)"),
                                   {"m": list(numbers)}).all())
    assert [owners[r.json()["member_id"]] for r in answers[:20]] == [body["id_number"] for _, body in bodies[:20]]


def _wrong_check(digits):
    from registration.domain import mod11_2
    return next(c for c in "0123456789X" if c != mod11_2(digits))


def test_http_refusals_share_one_shape(platform, city):
    community = city.communities[0]["code"]
    cases = [
        (platform.get("/no-such-thing"), 404, "not_found"),
        (platform.get("/districts/410106/streets", params={"x": 1}), 400, "validation_failed"),  # unknown parameter
        (platform.get(f"/communities/{community}/member-registrations", params={"page_size": 1000}), 400, "validation_failed"),
        (platform.post(f"/communities/{community}/member-registrations", data="{not json",
                       headers={"Content-Type": "application/json"}), 400, "validation_failed"),
        (platform.post(f"/communities/{community}/member-registrations", data="x" * 300_000), 413, "payload_too_large"),
        (platform.get(f"/communities/{community}/member-registrations/999999999"), 404, "not_found"),
        (platform.get("/certificates/2026-410106001001-000001-0"), None, None),
        (platform.get("/certificates/not-a-number"), 400, "validation_failed"),
        # the documented shape with a check character that does not fit: no certificate has it
        (platform.get(f"/certificates/2026-410106001001-000041-{_wrong_check('2026410106001001000041')}"),
         404, "certificate_not_found"),
    ]
    for response, status, code in cases:
        if status is None:
            assert response.status_code in (200, 404)
            continue
        assert response.status_code == status, response.text
        if code:
            assert response.json()["error"]["code"] == code and response.json()["request_id"]


def test_the_openapi_document_is_served(platform):
    import requests
    spec = requests.get(platform.base.rsplit("/api/v1", 1)[0] + "/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.") and "/api/v1/communities/{community_code}/member-registrations" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["type"] == "http"
    # the interactive page and its assets come from the gateway itself, not from the network
    root = platform.base.rsplit("/api/v1", 1)[0]
    page = requests.get(f"{root}/docs", timeout=10)
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert requests.get(f"{root}/docs/static/{asset}", timeout=10).status_code == 200
    assert requests.get(f"{root}/docs/static/..%2Fconfig.yaml", timeout=10).status_code == 404


def _registrations_since(engine, first_id):
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(text(
            "select id from registration.member_registrations where id > :i"), {"i": first_id})}


def test_a_broker_restart_while_registrations_are_written_loses_no_event(platform, city, migrated, listener):
    # "the broker" is the platform's proxy to it: the shared RabbitMQ, and whatever else uses it
    # (a `make run` beside the tests), never notices the outage; the listener talks to it directly
    community, unit = city.communities[1]["code"], city.units[1]["id"]
    first_id = count(migrated, "select coalesce(max(id), 0) from registration.member_registrations")
    stop = threading.Event()
    answers = []  # (began, answered, status)

    def writer():
        while not stop.is_set():
            began = time.monotonic()
            try:
                status = platform.post(f"/communities/{community}/member-registrations",
                                       member_body(community, unit)).status_code
            except Exception:
                status = "refused"
                time.sleep(0.2)
            answers.append((began, time.monotonic(), status))

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(1.5)
    cut = platform.broker.stop()
    down_at = time.monotonic()
    time.sleep(2)
    platform.broker.start()
    up_at = time.monotonic()
    time.sleep(4)
    stop.set()
    thread.join(60)
    committed = _registrations_since(migrated, first_id)
    assert [status for _, _, status in answers].count(201) >= 5 and committed
    # the outage was real: every service lost its connections; nothing begun while the broker
    # was away got through before it came back, and some request waited for it (the gateway's
    # publisher retries) or failed
    assert cut >= 4, cut
    assert not [a for a in answers if down_at < a[0] and a[1] < up_at and a[2] == 201], answers
    assert [a for a in answers if a[0] < up_at and a[1] > down_at and (a[1] > up_at or a[2] != 201)], answers

    def all_heard(events):
        return committed <= {e["registration_id"] for e in events if e["event_type"] == "member_reported"}

    events = listener.collect(all_heard, timeout=60)
    heard = {e["registration_id"] for e in events if e["event_type"] == "member_reported"}
    assert committed - heard == set(), f"lost {len(committed - heard)} of {len(committed)}"

    # a batch whose confirms the outage cut off stays unsent (its messages may have arrived:
    # consumers deduplicate); the relay, backing off, sends it again and marks it
    def unsent():
        return count(migrated, "select count(*) from registration.outbox where sent_at is null")
    deadline = time.time() + 60
    while unsent() and time.time() < deadline:
        time.sleep(0.5)
    assert unsent() == 0


def test_killing_the_service_between_commit_and_publish_loses_no_event(platform, city, migrated, listener):
    community, unit = city.communities[2]["code"], city.units[2]["id"]
    platform.registration.kill()
    # a replica with its relay off commits and never publishes: the window between a commit
    # and its publish, held open so the kill lands in it every time
    platform.start_registration(OUTBOX_RELAY="off")
    try:
        ids = []
        for _ in range(10):
            r = platform.post(f"/communities/{community}/member-registrations", member_body(community, unit))
            assert r.status_code == 201, r.text
            ids.append(r.json()["registration_id"])
        unsent = count(migrated, "select count(*) from registration.outbox where sent_at is null "
                                 "and (payload->>'registration_id')::bigint = any(:ids)", ids=ids)
        assert unsent == 10
    finally:
        platform.registration.kill()
    platform.start_registration()  # an ordinary replica: its relay finds what was left

    def all_heard(events):
        return set(ids) <= {e["registration_id"] for e in events if e["event_type"] == "member_reported"}

    assert all_heard(listener.collect(all_heard, timeout=30))


def test_a_service_stops_on_a_second_sigterm_too(platform, tmp_path):
    """Ctrl-C on `make run` reaches the services and the script, which sends SIGTERM as well: the
    service must still stop (nameko's timer used to hang on the second stop)."""
    import os
    import signal
    from tests.conftest import REGISTRATION_PORT, Process, wait_http
    port = REGISTRATION_PORT + 5
    extra = Process("registration-extra", platform.registration.cwd, "registration.service",
                    {**platform.registration.env, "REGISTRATION_WEB_ADDRESS": f"127.0.0.1:{port}"},
                    str(tmp_path / "extra.log"))
    extra.start()
    try:
        wait_http(f"http://127.0.0.1:{port}/health")
        # /health answers before the RPC consumer has settled; a stop in that instant is another
        # matter (nameko's start-up race), not the one this test is about
        time.sleep(2)
        os.kill(extra.proc.pid, signal.SIGTERM)
        os.kill(extra.proc.pid, signal.SIGTERM)
        assert extra.proc.wait(20) == 0
    finally:
        extra.kill()
