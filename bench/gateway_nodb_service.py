"""A step of the gateway benchmark's decomposition (`gateway_bench.py --decompose`): the real
gateway and the real registration service, except that a member report writes nothing.

    cd services/registration && PYTHONPATH=../../bench ... ../../.venv/bin/nameko run \
        --config config.yaml gateway_nodb_service:RegistrationWithoutDatabase

Everything of a registration but its database work runs: the gateway's token, role and scope
check, its validation, the audit line, the coalesced RPC (gateway.coalesce) with each report's
signed caller, the service's own validation and guard, and an answer of the same shape; the pool
still lends a connection (no statement is sent on it). Its rate against the full registration is
what the database work (PostgreSQL, the outbox and its relay) costs. Against the floor (HTTP + one
RPC per request) it is no longer the checks alone: here the calls carry several requests each.
Not a service: a bench instrument.
"""
from registration import handlers
from registration.service import RegistrationService


def _answer_without_writing(uow, req, source="form", caller=None):
    code = req["community_code"]
    return {"registration_id": 1, "certificate_no": f"2026-{code}-000001-0", "member_id": 1, "year": 2026,
            "status": "submitted", "late": True, "community_name": "-", "district_code": code[:6],
            "street_code": code[:9], "community_code": code}


def _answers_without_writing(uow, reqs, callers, source="form"):
    return [_answer_without_writing(uow, req, source) for req in reqs]


# report_member and report_members (the gateway's coalesced calls) end here: all their checks run,
# the pool lends a connection, and no statement is sent
handlers.report_member = _answer_without_writing
handlers.report_members = _answers_without_writing


class RegistrationWithoutDatabase(RegistrationService):
    pass
