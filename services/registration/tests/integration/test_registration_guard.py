"""The registration service's own wall (registration.guard): called over RPC without the gateway,
every method refuses a message with no caller, and every method that names a community, unit,
registration or member refuses callers from elsewhere, with valid arguments (a missing check
would succeed, not fail on validation). The table must name every @rpc method of the service."""
import base64
import itertools
import random
import time

import pytest
from nameko.exceptions import deserialize
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import text

from contracts import errors
from contracts.access import Caller
from registration.city import credit_code, import_csv, sample_report
from registration.service import RegistrationService
from toolkit.caller import SignedAtEachCall
from toolkit.config import today

pytestmark = pytest.mark.integration
seeds = itertools.count(70_000)
PORT = 18105


@pytest.fixture(scope="module")
def runner(city, database_url, amqp):
    from nameko.runners import ServiceRunner
    config = {"AMQP_URI": amqp, "DATABASE_URL": database_url, "WEB_SERVER_ADDRESS": f"127.0.0.1:{PORT}"}
    r = ServiceRunner(config)
    r.add_service(RegistrationService)
    r.start()
    yield config
    r.stop()


def proxy(config, caller):
    return ClusterRpcProxy(config, context_data=SignedAtEachCall(caller), timeout=30)  # signed at each call


@pytest.fixture(scope="module")
def place(runner, city, migrated):
    by_community = {}
    for u in city.units:
        by_community.setdefault(u["community_code"], []).append(u["id"])
    a = next(c["code"] for c in city.communities if c["code"] in by_community)
    b = next(c["code"] for c in city.communities if c["code"] in by_community and c["code"][:6] != a[:6])
    unit, other_unit = by_community[a][0], by_community[b][0]
    with proxy(runner, Caller(1, "admin", "city_admin")) as p:
        reg = p.registration.report_member(sample_report(a, unit, seed=next(seeds)))
        job = p.registration.start_import(_import_request(a, unit))["job_id"]
        # the job writes in the background; done, it cannot be mistaken for a stranger's write
        deadline = time.time() + 60
        while p.registration.import_status(job, unit)["status"] not in ("succeeded", "failed"):
            assert time.time() < deadline, "the import job did not finish"
            time.sleep(0.2)
    with migrated.connect() as conn:
        member = conn.execute(text("select member_id from registration.member_registrations where id = :i"),
                              {"i": reg["registration_id"]}).scalar()
        other_member = conn.execute(text("select id from registration.members where id <> :m limit 1"), {"m": member}).scalar()
    return {"a": a, "b": b, "unit": unit, "other_unit": other_unit, "registration_id": reg["registration_id"],
            "certificate_no": reg["certificate_no"], "job_id": job, "member": member, "other_member": other_member}


def _import_request(community, unit):
    return {"unit_id": unit, "filename": "m.csv", "content_b64": base64.b64encode(import_csv(community, seed=next(seeds))).decode(),
            "submitted_by": "测试"}


def calls(p):
    """method -> (args, whether any signed-in caller may): valid arguments at community A."""
    a, year = p["a"], today().year
    return {
        "list_districts": ((), True),
        "list_streets": ((a[:6],), True),
        "list_communities": ((a[:9],), True),
        "node_codes": ((), True),
        "verify_certificate": ((p["certificate_no"],), False),  # outside one's scope: not found
        "unit_scope": ((p["unit"],), True),
        "member_scope": ((p["member"],), False),  # for binding an account: the administrator's only
        "accepted_members": ((today().year,), False),  # the whole city's list: the administrator's only
        "register_unit": (({"community_code": a, "unit": {
            "name": "守卫测试单位", "credit_code": credit_code(random.Random(next(seeds)), a[:6], "government"),
            "type": "government", "party_org_name": "中共守卫测试单位支部委员会", "address": "郑州市测试路2号"},
            "contact_officer": "周华", "contact_phone": "0371-68112233", "resources": ["义诊"]},), False),
        "list_unit_registrations": ((a, year), False),
        "get_unit": ((p["unit"],), False),
        "send_invitation": (({"street_code": a[:9], "unit_name": "受邀单位", "credit_code": credit_code(
            random.Random(next(seeds)), a[:6], "government"), "letter": "诚邀贵单位党组织到社区报到。",
            "sent_by": "街道党工委"},), False),
        "list_invitations": ((a[:9], year), False),
        "report_member": ((sample_report(a, p["unit"], seed=next(seeds)),), False),
        # each report carries its own caller (invoke() gives it the proxy's)
        "report_members": (([{"caller": None, "report": sample_report(a, p["unit"], seed=next(seeds))}],), False),
        "give_unit_opinion": ((p["unit"], p["registration_id"], {"decision": "approve", "officer": "王书记"}), False),
        "accept_registration": ((a, p["registration_id"], {"officer": "李娜", "officer_phone": "0371-68901234"}), False),
        "accept_registrations": ((a, {"registration_ids": [p["registration_id"]], "officer": "李娜",
                                      "officer_phone": "0371-68901234"}), False),
        "give_unit_opinions": ((p["unit"], {"registration_ids": [p["registration_id"]], "decision": "approve",
                                            "officer": "王书记"}), False),
        "get_certificate": ((p["registration_id"], {"community_code": a}), False),
        "get_receipt": ((a, p["registration_id"]), False),
        "community_certificates": ((a, year), False),
        "community_profiles": ((a,), False),
        "list_registrations": (({"community_code": a}, year), False),
        "member_registrations": ((p["member"],), False),
        "member_profile": ((p["member"], a), False),
        "record_transfer": ((a, p["registration_id"], {"reason": "address_changed", "new_home_address": "郑州市测试路9号",
                                                        "recorded_by": "李娜"}), False),
        "list_transfers": (("community", a), False),
        "community_database": (("community", a, year), False),
        "community_unreported": ((a, year), False),
        "unreported_members": ((p["unit"], year), False),
        "start_import": ((_import_request(a, p["unit"]),), False),
        "import_status": ((p["job_id"], p["unit"]), False),
        "feedback_rosters": (([p["unit"]], [a], f"{year}H1"), False),
        "member_current": ((p["member"],), False),
        "apply_member_details": ((a, p["member"], {"phone": "13800000000"}), False),
        "community_roster": ((a, year), False),
        # a unit's name is public and a member may work anywhere in the city: any officer may look
        "find_units": (("守卫测试",), True),
    }


def invoke(p, caller, method, args):
    """Calls `method`; report_members answers report by report: its one report is made by the
    proxy's caller, and what it answers for that report is raised or returned."""
    if method != "report_members":
        return getattr(p.registration, method)(*args)
    items = [dict(item, caller=caller.to_context() if caller else None) for item in args[0]]
    (outcome,) = p.registration.report_members(items)
    if "error" in outcome:
        raise deserialize(outcome["error"])
    return outcome["result"]


def test_the_table_names_every_rpc_method(place):
    from nameko.rpc import Rpc
    methods = {name for name, fn in vars(RegistrationService).items()
               if any(isinstance(e, Rpc) for e in getattr(fn, "nameko_entrypoints", ()))}
    assert methods == set(calls(place)), methods ^ set(calls(place))


def test_a_message_without_a_caller_is_refused_by_every_method(runner, place):
    with proxy(runner, None) as p:
        for method, (args, _) in calls(place).items():
            with pytest.raises(errors.Forbidden) as refused:
                invoke(p, None, method, args)
            assert refused.value.code == "no_caller", method


def test_callers_from_elsewhere_are_refused(runner, place, migrated):
    b = place["b"]
    strangers = [Caller(11, "staff.b", "community_staff", b), Caller(12, "street.b", "street_officer", b[:9]),
                 Caller(13, "district.b", "district_officer", b[:6]), Caller(14, "unit.b", "unit_officer", str(place["other_unit"])),
                 Caller(15, "member.b", "member", str(place["other_member"]))]
    with migrated.connect() as conn:
        before = conn.execute(text("select coalesce(max(id), 0) from registration.outbox")).scalar()
    tried = 0
    for stranger in strangers:
        with proxy(runner, stranger) as p:
            for method, (args, anyone) in calls(place).items():
                if anyone:
                    continue
                with pytest.raises((errors.Forbidden, errors.NotFound)):
                    invoke(p, stranger, method, args)
                tried += 1
    with migrated.connect() as conn:
        after = conn.execute(text("select coalesce(max(id), 0) from registration.outbox")).scalar()
    assert tried == len(strangers) * sum(1 for _, anyone in calls(place).values() if not anyone) and after == before


def test_officers_above_may_read_but_not_act_for_the_community_or_the_unit(runner, place):
    a = place["a"]
    writes = ("register_unit", "report_member", "report_members", "give_unit_opinion", "accept_registration", "record_transfer",
              "accept_registrations", "give_unit_opinions",
              "start_import")
    for above in (Caller(21, "district.a", "district_officer", a[:6]), Caller(22, "street.a", "street_officer", a[:9])):
        with proxy(runner, above) as p:
            table = calls(place)
            assert p.registration.get_certificate(*table["get_certificate"][0])["id"] == place["registration_id"]
            for method in writes:
                with pytest.raises(errors.Forbidden):
                    invoke(p, above, method, table[method][0])
    with proxy(runner, Caller(23, "staff.a", "community_staff", a)) as p:  # nor staff for a unit's act
        with pytest.raises(errors.Forbidden):
            p.registration.give_unit_opinion(*calls(place)["give_unit_opinion"][0])


def test_units_are_found_by_name_or_credit_code_by_officers_but_not_by_members(runner, place, migrated):
    with migrated.connect() as conn:
        name, code = conn.execute(text("select name, credit_code from registration.units where id = :u"),
                                  {"u": place["unit"]}).one()
    elsewhere = Caller(21, "staff.b", "community_staff", place["b"])
    with proxy(runner, elsewhere) as p:
        assert place["unit"] in [u["unit_id"] for u in p.registration.find_units(name[1:5])]
        by_code = p.registration.find_units(code.lower())
        assert by_code[0]["unit_id"] == place["unit"] and "contact_phone" not in by_code[0]
        assert p.registration.find_units("x") == []   # one character finds nothing
    for who in (Caller(22, "m", "member", str(place["member"])), Caller(23, "u", "unit_officer", str(place["unit"]))):
        with proxy(runner, who) as p, pytest.raises(errors.Forbidden):
            p.registration.find_units(name[1:5])
