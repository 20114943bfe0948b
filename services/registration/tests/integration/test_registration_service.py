"""The registration service in a real nameko container, against the real RabbitMQ and PostgreSQL."""
import base64
import csv
import io
import itertools
import time
from datetime import timedelta

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import text

from contracts import errors
from contracts.access import Caller
from registration.city import generate, import_file_rows, sample_report
from registration.service import RegistrationService
from toolkit.caller import SignedAtEachCall
from toolkit.config import today

pytestmark = pytest.mark.integration
seeds = itertools.count(1000)


@pytest.fixture(scope="module")
def rpc(city, database_url, amqp):
    from nameko.runners import ServiceRunner
    config = {"AMQP_URI": amqp, "DATABASE_URL": database_url, "WEB_SERVER_ADDRESS": "127.0.0.1:18101"}
    runner = ServiceRunner(config)
    runner.add_service(RegistrationService)
    runner.start()
    # the city's administrator covers every node: these tests are about the use cases, the
    # service's own wall is tested in test_registration_guard.py
    # signed at each call: the proxy serves the whole module, a signature lives for seconds
    admin = SignedAtEachCall(Caller(1, "admin", "city_admin", ""))
    with ClusterRpcProxy(config, context_data=admin, timeout=30) as proxy:
        yield proxy.registration
    runner.stop()


@pytest.fixture(scope="module")
def place(city):
    unit = city.units[0]
    return {"community": unit["community_code"], "unit": unit["id"], "other_unit": city.units[1]["id"],
            "other_community": city.communities[-1]["code"]}


def count(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def reported(rpc, place, **overrides):
    return rpc.report_member(dict(sample_report(place["community"], place["unit"], seed=next(seeds)), **overrides))


def approved_and_accepted(rpc, place, data=None):
    data = data or sample_report(place["community"], place["unit"], seed=next(seeds))
    reg = rpc.report_member(data)
    rpc.give_unit_opinion(place["unit"], reg["registration_id"], {"decision": "approve", "officer": "王书记"})
    receipt = rpc.accept_registration(place["community"], reg["registration_id"], {"officer": "李娜", "officer_phone": "0371-68901234"})
    return reg, receipt


def test_report_approve_accept_gives_receipt_and_red_account(rpc, place, migrated):
    reg, receipt = approved_and_accepted(rpc, place)
    assert reg["status"] == "submitted" and reg["certificate_no"].startswith(f"{today().year}-{place['community']}-")
    assert receipt["form"] == "B.2" and receipt["number"] == reg["certificate_no"]
    assert "到我社区报到，并申报政策宣讲、法律援助等志愿服务项目" in receipt["text"]
    assert receipt["red_account_no"] == f"RA-M-{reg['member_id']:08d}"
    assert count(migrated, "select count(*) from registration.red_accounts where holder_kind='member' and holder_id=:m",
                 m=reg["member_id"]) == 1
    types = [r[0] for r in migrated.connect().execute(text(
        "select event_type from registration.outbox where payload->>'registration_id' = :r order by id"),
        {"r": str(reg["registration_id"])})]
    assert types == ["member_reported", "unit_opinion_given", "member_registration_accepted"]
    verified = rpc.verify_certificate(reg["certificate_no"])
    assert verified["valid"] and verified["status"] == "accepted" and "*" in verified["member_name"]


def test_one_active_report_per_member_and_year(rpc, place):
    data = sample_report(place["community"], place["unit"], seed=next(seeds))
    rpc.report_member(data)
    with pytest.raises(errors.Conflict) as exc:
        rpc.report_member(dict(data, community_code=place["other_community"]))
    assert exc.value.code == "already_reported" and "§4.2" in exc.value.message


def test_a_second_report_uses_up_no_certificate_number(rpc, place, migrated):
    data = sample_report(place["community"], place["unit"], seed=next(seeds))
    first = rpc.report_member(data)
    last = "select last_seq from registration.certificate_counters where community_code = :c"
    before = count(migrated, last, c=place["community"])
    with pytest.raises(errors.Conflict):
        rpc.report_member(data)
    assert count(migrated, last, c=place["community"]) == before
    assert reported(rpc, place)["certificate_no"][-8:-2] == f"{int(first['certificate_no'][-8:-2]) + 1:06d}"


def test_two_reports_of_one_member_at_once_give_one_registration_and_one_conflict(rpc, place, migrated, database_url):
    """The second report passes the check for an active report (the first is not committed yet),
    waits on the unique index, and is undone whole when the first commits: a 409, not a second
    registration, and no certificate number used up in its community."""
    import eventlet
    from registration import handlers
    from registration.models import metadata
    from toolkit.db import Store
    from toolkit.validation import load
    from contracts.registration import MemberReport
    data = sample_report(place["community"], place["unit"], seed=next(seeds))
    last = "select last_seq from registration.certificate_counters where community_code = :c"
    before = count(migrated, last, c=place["other_community"])
    store = Store("registration", metadata, url=database_url, relay=False, pool_size=1)
    try:
        with store.unit_of_work() as uow:  # the first, in a transaction held open
            first = handlers.report_member(uow, load(MemberReport, data))
            second = eventlet.spawn(rpc.report_member, dict(data, community_code=place["other_community"]))
            eventlet.sleep(1.0)
            assert not second.dead  # waiting for the first's transaction
        with pytest.raises(errors.Conflict) as exc:
            second.wait()
    finally:
        store.dispose()
    assert exc.value.code == "already_reported"
    assert first["certificate_no"] in exc.value.message  # the admin covers the first's community
    assert count(migrated, last, c=place["other_community"]) == before
    assert count(migrated, "select count(*) from registration.member_registrations where member_id = :m",
                 m=first["member_id"]) == 1


def test_reports_sent_together_are_answered_each_on_its_own(rpc, place, migrated):
    """report_members (the gateway's coalesced calls): every report is loaded, checked against its
    own caller and written alone; a bad one, a stranger's or a forged one refuses only itself."""
    from nameko.exceptions import deserialize
    staff = Caller(5, "staff.a", "community_staff", place["community"]).to_context()
    stranger = Caller(6, "staff.b", "community_staff", place["other_community"]).to_context()
    good, again = (sample_report(place["community"], place["unit"], seed=next(seeds)) for _ in range(2))
    forged = staff.replace("|staff.a", "|staff.x")
    before = count(migrated, "select count(*) from registration.member_registrations")
    outcomes = rpc.report_members([
        {"caller": staff, "request_id": "r1", "report": good},
        {"caller": staff, "request_id": "r2", "report": dict(again, phone="12345")},
        {"caller": stranger, "request_id": "r3", "report": again},
        {"caller": forged, "request_id": "r4", "report": again},
        {"caller": staff, "request_id": "r5", "report": good},
        {"caller": staff, "request_id": "r6", "report": again},
        {"request_id": "r7", "report": again},
    ])
    assert len(outcomes) == 7
    first, last = outcomes[0]["result"], outcomes[5]["result"]
    assert first["certificate_no"].startswith(f"{today().year}-{place['community']}-") and last["member_id"]
    errors_ = [deserialize(o["error"]) for o in outcomes[1:5] + outcomes[6:]]
    assert [type(e) for e in errors_] == [errors.ValidationFailed, errors.Forbidden, errors.Forbidden,
                                          errors.Conflict, errors.ValidationFailed]
    assert errors_[0].fields[0]["field"] == "phone" and errors_[2].code == "no_caller"
    assert errors_[4].fields[0]["field"] == "caller"
    assert count(migrated, "select count(*) from registration.member_registrations") == before + 2
    with pytest.raises(errors.ValidationFailed) as exc:
        rpc.report_members([])
    assert exc.value.fields[0]["code"] == "bad_batch"


def test_reports_written_together_are_numbered_in_turn_with_complete_events(rpc, place, migrated):
    from nameko.exceptions import deserialize
    from contracts.events import MemberReported
    staff = Caller(1, "admin", "city_admin", "").to_context()
    reports = [sample_report(place["community"], place["unit"], seed=next(seeds)) for _ in range(5)]
    reports.insert(2, sample_report(place["other_community"], place["unit"], seed=next(seeds)))
    unknown = [dict(sample_report(place["community"], place["unit"], seed=next(seeds)), community_code="410106999999"),
               dict(sample_report(place["community"], place["unit"], seed=next(seeds)), unit_id=999999)]
    earlier = sample_report(place["community"], place["unit"], seed=next(seeds))
    first = rpc.report_member(earlier)  # this member's report of the year is on record already
    outcomes = rpc.report_members([{"caller": staff, "report": r} for r in reports + unknown + [earlier]])
    results = [o["result"] for o in outcomes[:6]]
    ours = [r["certificate_no"] for r in results if r["community_code"] == place["community"]]
    assert [int(n.split("-")[2]) for n in ours] == list(range(int(ours[0].split("-")[2]), int(ours[0].split("-")[2]) + 5))
    assert results[2]["community_code"] == place["other_community"]
    assert [deserialize(o["error"]).fields[0]["code"] for o in outcomes[6:]] == [
        "unknown_community", "unknown_unit", "already_reported"]
    assert first["certificate_no"] in deserialize(outcomes[8]["error"]).message
    with migrated.connect() as conn:
        events = conn.execute(text("select payload from registration.outbox where event_type = 'member_reported' "
                                   "and (payload->>'registration_id')::bigint = any(:ids)"),
                              {"ids": [r["registration_id"] for r in results]}).scalars().all()
    assert len(events) == 6
    for event in events:
        loaded = MemberReported().load(event)
        mine = next(r for r in results if r["registration_id"] == loaded["registration_id"])
        assert (loaded["certificate_no"], loaded["member_id"], loaded["street_code"]) == (
            mine["certificate_no"], mine["member_id"], mine["street_code"])


def test_a_report_committed_while_a_call_is_written_sends_the_call_one_by_one(rpc, place, migrated, database_url):
    import eventlet
    from nameko.exceptions import deserialize
    from registration import handlers
    from registration.models import metadata
    from toolkit.db import Store
    from toolkit.validation import load
    from contracts.registration import MemberReport
    staff = Caller(1, "admin", "city_admin", "").to_context()
    member, other = (sample_report(place["community"], place["unit"], seed=next(seeds)) for _ in range(2))
    store = Store("registration", metadata, url=database_url, relay=False, pool_size=1)
    try:
        with store.unit_of_work() as uow:  # the member's report, in a transaction held open
            first = handlers.report_member(uow, load(MemberReport, member))
            call = eventlet.spawn(rpc.report_members, [
                {"caller": staff, "report": other},
                {"caller": staff, "report": dict(member, community_code=place["other_community"])}])
            eventlet.sleep(1.0)
            assert not call.dead  # its statement waits for the transaction above
        outcomes = call.wait()
    finally:
        store.dispose()
    assert outcomes[0]["result"]["registration_id"]
    refused = deserialize(outcomes[1]["error"])
    assert refused.code == "already_reported" and first["certificate_no"] in refused.message


def test_when_the_reports_of_a_call_cannot_be_written_together_each_is_made_alone(rpc, place, monkeypatch):
    from sqlalchemy.exc import OperationalError
    from registration import handlers

    alone = handlers.report_members

    def refused_together(uow, reqs, callers, source="form"):  # a deadlock with an import, say
        if len(reqs) > 1:
            raise OperationalError("WITH input AS ...", {}, Exception("deadlock detected"))
        return alone(uow, reqs, callers, source)
    monkeypatch.setattr(handlers, "report_members", refused_together)  # the service runs in this process
    staff = Caller(1, "admin", "city_admin", "").to_context()
    reports = [sample_report(place["community"], place["unit"], seed=next(seeds)) for _ in range(3)]
    outcomes = rpc.report_members([{"caller": staff, "report": r} for r in reports + reports[:1]])
    assert all(o["result"]["registration_id"] for o in outcomes[:3])
    assert outcomes[3]["error"]["exc_type"] == "Conflict"


def test_certificate_numbers_made_in_sql_are_those_of_the_domain(migrated):
    import random
    from registration import domain
    rng = random.Random(7)
    cases = [(2026, "410102001001", 1), (2026, "410185100200", 999_999), (2031, "410106002003", 1_234_567)]
    cases += [(rng.randrange(2000, 2100), f"4101{rng.randrange(10**8):08d}", rng.randrange(1, 10**7)) for _ in range(500)]
    with migrated.connect() as conn:
        made = conn.execute(text("select registration.certificate_no(y, c, s) from unnest(:y, :c, :s) as t(y, c, s)"),
                            {"y": [y for y, _, _ in cases], "c": [c for _, c, _ in cases],
                             "s": [s for _, _, s in cases]}).scalars().all()
    assert made == [domain.certificate_no(*case) for case in cases]
    assert any(n.endswith("-X") for n in made)  # the check character 10 is written X


def test_a_rejected_report_can_be_made_again(rpc, place):
    data = sample_report(place["community"], place["unit"], seed=next(seeds))
    first = rpc.report_member(data)
    rpc.give_unit_opinion(place["unit"], first["registration_id"], {"decision": "reject", "officer": "王书记", "comment": "信息有误"})
    with pytest.raises(errors.InvalidState):
        rpc.accept_registration(place["community"], first["registration_id"], {"officer": "李娜", "officer_phone": "13812345678"})
    again = rpc.report_member(data)
    assert again["registration_id"] != first["registration_id"]


def test_steps_out_of_order_are_refused_and_change_nothing(rpc, place, migrated):
    reg = reported(rpc, place)
    before = count(migrated, "select count(*) from registration.outbox")
    with pytest.raises(errors.InvalidState) as exc:
        rpc.accept_registration(place["community"], reg["registration_id"], {"officer": "李娜", "officer_phone": "13812345678"})
    assert exc.value.code == "awaiting_unit_opinion"
    with pytest.raises(errors.NotFound):  # another unit cannot give an opinion on it
        rpc.give_unit_opinion(place["other_unit"], reg["registration_id"], {"decision": "approve", "officer": "王书记"})
    with pytest.raises(errors.NotFound):  # nor can another community see it
        rpc.get_certificate(reg["registration_id"], {"community_code": place["other_community"]})
    assert count(migrated, "select count(*) from registration.outbox") == before
    assert count(migrated, "select status from registration.member_registrations where id=:i", i=reg["registration_id"]) == "submitted"


def test_bad_input_is_refused_at_the_boundary_with_nothing_written(rpc, place, migrated):
    before = count(migrated, "select count(*) from registration.member_registrations")
    with pytest.raises(errors.ValidationFailed) as exc:
        reported(rpc, place, service_intentions=["只有一个"], phone="12345")
    fields = {f["field"]: f for f in exc.value.fields}
    assert fields["service_intentions"]["rule"] == "§3.1.2" and fields["phone"]["code"] == "bad_phone"
    with pytest.raises(errors.ValidationFailed) as exc:
        reported(rpc, place, community_code="410106999999")
    assert exc.value.fields[0]["code"] == "unknown_community"
    with pytest.raises(errors.ValidationFailed) as exc:
        reported(rpc, place, unit_id=999999)
    assert exc.value.fields[0]["field"] == "unit_id"
    assert count(migrated, "select count(*) from registration.member_registrations") == before


def test_transfer_keeps_the_old_report_read_only_and_lists_overdue(rpc, place):
    data = sample_report(place["community"], place["unit"], seed=next(seeds))
    reg, _ = approved_and_accepted(rpc, place, data)
    long_ago = (today() - timedelta(days=45)).isoformat()
    t = rpc.record_transfer(place["community"], reg["registration_id"], {
        "reason": "community_changed", "new_community_code": place["other_community"],
        "notified_on": long_ago, "recorded_by": "李娜"})
    assert t["deadline"] < today()
    with pytest.raises(errors.ReadOnly):
        rpc.accept_registration(place["community"], reg["registration_id"], {"officer": "李娜", "officer_phone": "13812345678"})
    assert t["transfer_id"] in [x["id"] for x in rpc.list_transfers("community", place["community"], True)]
    assert t["transfer_id"] in [x["id"] for x in rpc.list_transfers("district", place["community"][:6], True)]
    # reporting to the new community fulfils the transfer: it is overdue no more
    rpc.report_member(dict(data, community_code=place["other_community"]))
    assert t["transfer_id"] not in [x["id"] for x in rpc.list_transfers("community", place["community"], True)]
    assert rpc.get_certificate(reg["registration_id"], {"community_code": place["community"]})["status"] == "transferred"


def test_units_report_once_a_year_and_invitations_know_who_came(rpc, place, city):
    from registration.city import credit_code
    import random
    code = credit_code(random.Random(99), "410106", "private_enterprise")
    street = place["community"][:9]
    inv = rpc.send_invitation({"street_code": street, "unit_name": "郑州某某科技有限公司", "credit_code": code,
                               "letter": "诚邀贵单位党组织到所在社区报到，结成党建联建对子。", "sent_by": "街道党工委"})
    assert not [i for i in rpc.list_invitations(street, today().year) if i["id"] == inv["invitation_id"]][0]["came"]
    request = {"community_code": place["community"], "contact_officer": "赵敏", "contact_phone": "13912345678",
               "resources": ["会议室"], "unit": {"name": "郑州某某科技有限公司", "credit_code": code,
                                                "type": "private_enterprise", "party_org_name": "中共郑州某某科技有限公司支部",
                                                "address": "郑州市上街区工业路88号"}}
    done = rpc.register_unit(request)
    assert done["co_building_pair_id"] and done["red_account_no"].startswith("RA-U-")
    with pytest.raises(errors.Conflict):
        rpc.register_unit(request)
    assert [i for i in rpc.list_invitations(street, today().year) if i["id"] == inv["invitation_id"]][0]["came"]


def test_the_community_database_counts_and_rolls_up(rpc, place, city):
    year = today().year
    community = rpc.community_database("community", place["community"], year)
    street = rpc.community_database("street", place["community"][:9], year)
    city_level = rpc.community_database("city", None, year)
    assert community["units"]["total"] >= 1
    assert community["members"]["reported"] <= street["members"]["reported"] <= city_level["members"]["reported"]
    assert sum(community["units"]["by_type"].values()) == community["units"]["total"]
    unit_members = [m for m in city.members if m["unit_id"] == place["unit"] and not m["status"]]
    unreported = {m["id"] for m in rpc.unreported_members(place["unit"], year)}
    assert {m["id"] for m in unit_members} <= unreported


def _import(rpc, place, rows, name="members.csv"):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    job = rpc.start_import({"unit_id": place["unit"], "filename": name, "submitted_by": "王书记",
                            "content_b64": base64.b64encode(buf.getvalue().encode()).decode()})
    for _ in range(200):
        status = rpc.import_status(job["job_id"], place["unit"])
        if status["status"] in ("succeeded", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"import job stuck: {status}")


def test_an_import_with_one_bad_row_writes_nothing(rpc, place, migrated):
    gen = generate(districts=("410106",), streets=1, communities=1, units=1, members=30, seed=501)
    rows = list(import_file_rows(gen))
    for r in rows[1:]:
        r[list(rows[0]).index("报到社区代码")] = place["community"]
    rows[17][list(rows[0]).index("学历")] = "大专"  # the list says 大学专科
    before = count(migrated, "select count(*) from registration.members")
    status = _import(rpc, place, rows)
    assert status["status"] == "failed" and status["error_count"] == 1
    assert status["errors"][0]["row"] == 18 and status["errors"][0]["column"] == "学历"
    assert count(migrated, "select count(*) from registration.members") == before


def test_a_good_import_writes_every_row_with_its_events(rpc, place, migrated):
    gen = generate(districts=("410106",), streets=1, communities=1, units=1, members=40, seed=502)
    rows = list(import_file_rows(gen))
    for r in rows[1:]:
        r[list(rows[0]).index("报到社区代码")] = place["community"]
    status = _import(rpc, place, rows)
    assert status["status"] == "succeeded" and status["total_rows"] == 40 and status["percent"] == 100
    source = f"import:{status['id']}"
    assert count(migrated, "select count(*) from registration.member_registrations where source=:s", s=source) == 40
    with migrated.connect() as conn:
        imported = [r[0] for r in conn.execute(text(
            "select payload from registration.outbox where event_type='member_reported' and payload->>'source' = :s"),
            {"s": source})]
    assert len(imported) == 40
    from contracts.events import validate_event
    assert all(validate_event("registration", "member_reported", e) == {} for e in imported)
    regs = {r[0] for r in migrated.connect().execute(text(
        "select id from registration.member_registrations where source=:s"), {"s": source})}
    assert {e["registration_id"] for e in imported} == regs and len({e["event_id"] for e in imported}) == 40
    again = _import(rpc, place, rows)  # the same members cannot report twice in a year
    assert again["status"] == "failed" and again["errors"][0]["code"] == "already_reported"


def test_a_report_back_to_the_old_community_does_not_fulfil_a_transfer(rpc, place):
    data = sample_report(place["community"], place["unit"], seed=next(seeds))
    reg, _ = approved_and_accepted(rpc, place, data)
    t = rpc.record_transfer(place["community"], reg["registration_id"], {
        "reason": "community_changed", "new_community_code": place["other_community"],
        "notified_on": (today() - timedelta(days=40)).isoformat(), "recorded_by": "李娜"})
    rpc.report_member(data)  # the same, old community: R7 asks for the new one
    assert t["transfer_id"] in [x["id"] for x in rpc.list_transfers("community", place["community"], True)]


def test_an_import_fulfils_pending_transfers(rpc, place, migrated):
    gen = generate(districts=("410106",), streets=1, communities=1, units=1, members=3, seed=503)
    rows = list(import_file_rows(gen))
    col = list(rows[0]).index("报到社区代码")
    first = dict(zip(rows[0], rows[1]))
    data = sample_report(place["community"], place["unit"], seed=0)
    data.update({"name": first["姓名"], "id_number": first["身份证号"], "birth_date": first["出生日期"],
                 "gender": "male" if first["性别"] == "男" else "female", "party_join_date": first["入党时间"]})
    reg, _ = approved_and_accepted(rpc, place, data)
    t = rpc.record_transfer(place["community"], reg["registration_id"], {
        "reason": "address_changed", "new_home_address": "郑州市金水区花园路8号", "recorded_by": "李娜"})
    for r in rows[1:]:
        r[col] = place["other_community"]
    assert _import(rpc, place, rows)["status"] == "succeeded"
    assert count(migrated, "select new_registration_id is not null from registration.transfers where id=:t",
                 t=t["transfer_id"]) is True


def test_the_community_list_of_who_has_not_reported_this_year(rpc, place, migrated):
    data = sample_report(place["community"], place["unit"], seed=next(seeds))
    reg = rpc.report_member(data)
    with migrated.begin() as conn:  # as if it had been last year's report
        conn.execute(text("update registration.member_registrations set year = year - 1 where id = :i"),
                     {"i": reg["registration_id"]})
    assert reg["member_id"] in [m["id"] for m in rpc.community_unreported(place["community"], today().year)]
    rpc.report_member(data)
    assert reg["member_id"] not in [m["id"] for m in rpc.community_unreported(place["community"], today().year)]



def test_a_report_does_not_rewrite_a_known_members_record_until_accepted(rpc, place, migrated):
    """Typing someone's identity number into a report must not change their phone, address or
    unit: the record follows a report only once the unit approved and the community accepted."""
    first = sample_report(place["community"], place["unit"], seed=next(seeds))
    reg, _ = approved_and_accepted(rpc, place, first)

    def record():
        return count(migrated, "select phone || '|' || unit_id from registration.members where id = :m",
                     m=reg["member_id"])
    assert record() == f"{first['phone']}|{place['unit']}"
    rpc.record_transfer(place["community"], reg["registration_id"],
                        {"reason": "community_changed", "new_community_code": place["other_community"], "recorded_by": "李娜"})
    moved = dict(first, community_code=place["other_community"], unit_id=place["other_unit"], phone="13700001111")
    again = rpc.report_member(moved)
    assert record() == f"{first['phone']}|{place['unit']}"  # a report alone changes nothing
    rpc.give_unit_opinion(place["other_unit"], again["registration_id"], {"decision": "approve", "officer": "王书记"})
    rpc.accept_registration(place["other_community"], again["registration_id"], {"officer": "李娜", "officer_phone": "0371-68901234"})
    assert record() == f"13700001111|{place['other_unit']}"


def test_a_unit_sitting_in_another_community_cannot_be_taken_over(rpc, place, migrated, city):
    other = next(u for u in city.units if u["community_code"] != place["community"])
    credit, sits = (count(migrated, f"select {col} from registration.units where id = :u", u=other["id"])
                    for col in ("credit_code", "community_code"))
    request = {"community_code": place["community"], "contact_officer": "赵敏", "contact_phone": "13912345678",
               "resources": ["会议室"], "unit": {"name": "冒名单位", "credit_code": credit, "type": "government",
                                                "party_org_name": "中共冒名单位支部", "address": "郑州市某区某路1号"}}
    with pytest.raises(errors.Conflict) as refused:
        rpc.register_unit(request)
    assert refused.value.code == "unit_in_other_community"
    assert count(migrated, "select community_code from registration.units where id = :u", u=other["id"]) == sits


def _file_for(place, n, seed):
    rows = list(import_file_rows(generate(districts=("410106",), streets=1, communities=1, units=1, members=n, seed=seed)))
    for r in rows[1:]:
        r[list(rows[0]).index("报到社区代码")] = place["community"]
    return rows


def test_a_bad_row_after_batches_went_to_the_database_leaves_nothing(rpc, place, migrated, monkeypatch):
    from registration import importer
    monkeypatch.setattr(importer, "BATCH_ROWS", 10)  # lines 2-11, 12-21, 22-31 are written before line 35 is met
    batches = []
    monkeypatch.setattr(importer._Writing, "write", lambda self, pipe, good, write=importer._Writing.write: (
        batches.append(len(good)), write(self, pipe, good)))
    rows = _file_for(place, 45, 511)
    heading = list(rows[0])
    late = dict(zip(heading, rows[34]))  # line 35, in the 4th batch: a member who reported already this year
    data = sample_report(place["community"], place["unit"], seed=0)
    data.update({"name": late["姓名"], "id_number": late["身份证号"], "birth_date": late["出生日期"],
                 "gender": "male" if late["性别"] == "男" else "female", "party_join_date": late["入党时间"]})
    approved_and_accepted(rpc, place, data)
    rows[38][heading.index("学历")] = "大专"
    # the job's own outcome (member_import_finished) is the one event a failed file sends
    tables = ("members", "member_registrations", "outbox where event_type = 'member_reported'")
    before = {t: count(migrated, f"select count(*) from registration.{t}") for t in tables}
    seq = "select last_seq from registration.certificate_counters where community_code = :c and year = :y"
    seqs = count(migrated, seq, c=place["community"], y=today().year)
    status = _import(rpc, place, rows)
    assert status["status"] == "failed"
    assert {(e["row"], e["code"]) for e in status["errors"]} == {(35, "already_reported"), (39, "bad_education")}, status["errors"]
    assert {t: count(migrated, f"select count(*) from registration.{t}") for t in tables} == before
    assert batches == [10, 10, 10]  # what was written before the bad rows is gone with the rollback
    # the file's certificate numbers were taken in a transaction of their own (the counter is not
    # held for the job): they stay taken, and the next report is numbered after them
    assert count(migrated, seq, c=place["community"], y=today().year) == seqs + 45
    assert reported(rpc, place)["certificate_no"].split("-")[2] == f"{seqs + 46:06d}"


def test_an_import_in_batches_numbers_every_row_and_keeps_each_member_as_given(rpc, place, migrated, monkeypatch):
    import psycopg2.extensions
    from registration import importer
    monkeypatch.setattr(importer, "BATCH_ROWS", 7)
    callback = psycopg2.extensions.get_wait_callback()
    rows = _file_for(place, 40, 512)
    status = _import(rpc, place, rows)
    assert status["status"] == "succeeded" and status["total_rows"] == 40
    assert psycopg2.extensions.get_wait_callback() is callback  # queries are green again
    with migrated.connect() as conn:
        written = conn.execute(text("""
            select m.id_number, r.name, m.name, r.phone, m.phone, r.birth_date, m.birth_date, r.certificate_no,
                   o.payload->>'certificate_no', (o.payload->>'member_id')::bigint = r.member_id
            from registration.member_registrations r join registration.members m on m.id = r.member_id
            left join registration.outbox o on (o.payload->>'registration_id')::bigint = r.id
            where r.source = :s order by r.id"""), {"s": f"import:{status['id']}"}).all()
    heading = list(rows[0])
    assert [w[0] for w in written] == [r[heading.index("身份证号")] for r in rows[1:]]  # in the file's order
    assert all(w[1] == w[2] and w[3] == w[4] and w[5] == w[6] and w[7] == w[8] and w[9] for w in written)
    numbers = [w[7] for w in written]
    seqs = [int(n.split("-")[2]) for n in numbers]
    assert seqs == list(range(seqs[0], seqs[0] + 40))  # one unbroken run of the community's numbers
    from registration import domain
    assert all(domain.parse_certificate_no(n) for n in numbers)


def test_form_reports_go_on_while_an_import_writes_in_the_same_community(rpc, place, migrated, monkeypatch):
    import eventlet
    from registration import importer
    monkeypatch.setattr(importer, "BATCH_ROWS", 10)
    check = importer.validate_rows

    def slow_check(*args, **kwargs):  # each batch takes a while: the job is long enough to overlap
        eventlet.sleep(0.3)
        return check(*args, **kwargs)
    monkeypatch.setattr(importer, "validate_rows", slow_check)
    rows = _file_for(place, 60, 513)
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    job = rpc.start_import({"unit_id": place["unit"], "filename": "m.csv", "submitted_by": "王书记",
                            "content_b64": base64.b64encode(buf.getvalue().encode()).decode()})
    for _ in range(100):  # until the job has written a batch (it holds its rows' locks from then on)
        if rpc.import_status(job["job_id"], place["unit"])["processed_rows"] >= 20:
            break
        time.sleep(0.05)
    started = time.monotonic()
    reg = reported(rpc, place)  # same community, same process, while the job's transaction is open
    assert time.monotonic() - started < 2, "a form report waited for the import"
    assert rpc.import_status(job["job_id"], place["unit"])["status"] in ("validating", "writing")
    for _ in range(200):
        status = rpc.import_status(job["job_id"], place["unit"])
        if status["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.05)
    assert status["status"] == "succeeded", status
    numbers = {r[0] for r in migrated.connect().execute(text(
        "select certificate_no from registration.member_registrations where source = :s or id = :r"),
        {"s": f"import:{job['job_id']}", "r": reg["registration_id"]})}
    assert len(numbers) == 61  # every number once, the form's and the file's
