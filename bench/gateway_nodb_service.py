"""A step of the gateway benchmark's decomposition (`gateway_bench.py --decompose`): the real
gateway and the real registration service, except that report_member writes nothing.

    cd services/registration && PYTHONPATH=../../bench ... ../../.venv/bin/nameko run \
        --config config.yaml gateway_nodb_service:RegistrationWithoutDatabase

Everything of a registration but its database work runs: the gateway's token, role and scope
check, its validation, the audit line, the RPC with the signed caller, the service's own
validation and guard, and an answer of the same shape. Its rate against the floor (HTTP + RPC)
is what the gateway's and the service's checks cost; against the full registration, what the
database work (PostgreSQL, the outbox and its relay) costs. Not a service: a bench instrument.
"""
from contracts import registration as c
from registration import guard
from registration.service import RegistrationService
from toolkit.errors import rpc
from toolkit.validation import load


class RegistrationWithoutDatabase(RegistrationService):

    @rpc
    def report_member(self, request):
        req = load(c.MemberReport, request)
        guard.community_staff(self.caller, req["community_code"])
        code = req["community_code"]
        return {"registration_id": 1, "certificate_no": f"2026-{code}-000001-0", "member_id": 1, "year": 2026,
                "status": "submitted", "late": True, "community_name": "-", "district_code": code[:6],
                "street_code": code[:9], "community_code": code}
