"""RegistrationService: reporting (报到) over nameko RPC. Thin: load, call the use case, return.

Every RPC validates its request with the contract schema (the gateway did too) and raises only
contracts.errors types, which the gateway maps to HTTP in one table.
"""
import logging

from nameko.exceptions import serialize
from nameko.timer import timer
from nameko.web.handlers import http
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from contracts import registration as c
from contracts.access import AREA_ROLES, Caller
from contracts.errors import DomainError
from toolkit import logcontext
from toolkit.caller import CallerOf
from toolkit.logcontext import RequestLog
from toolkit.errors import rpc
from toolkit.db import Database
from toolkit.metrics import Metrics
from toolkit.validation import half_year, invalid, load

from . import guard, handlers, importer, roster, unit_search
from .models import metadata

log = logging.getLogger(__name__)

LEVELS = ("community", "street", "district", "city")


def _error_outcome(exc):
    """The outcome of a report that failed; logged without the report's data."""
    if isinstance(exc, DomainError):  # a refusal, logged as nameko logs those of report_member
        log.warning("report refused: %s", exc)
    elif isinstance(exc, DBAPIError):  # its message can quote a row: the SQLSTATE and constraint only
        log.error("report failed: %s (SQLSTATE %s, constraint %s)", type(exc).__name__,
                  getattr(exc.orig, "pgcode", None), _constraint(exc))
    else:
        log.error("report failed", exc_info=True)
    return {"error": serialize(exc)}


def _constraint(exc):
    return getattr(getattr(getattr(exc, "orig", None), "diag", None), "constraint_name", None)


class RegistrationService:
    name = "registration"

    db = Database(metadata)
    metrics = Metrics()
    request_log = RequestLog()
    caller = CallerOf()  # who asks (from the gateway): every RPC checks it (registration.guard)

    # -- the administrative tree ---------------------------------------------------------

    @rpc
    def list_districts(self):
        guard.signed_in(self.caller)
        with self.db.unit_of_work() as uow:
            return handlers.list_districts(uow.conn)

    @rpc
    def list_streets(self, district_code):
        guard.signed_in(self.caller)
        with self.db.unit_of_work() as uow:
            return handlers.list_streets(uow.conn, district_code)

    @rpc
    def list_communities(self, street_code):
        guard.signed_in(self.caller)
        with self.db.unit_of_work() as uow:
            return handlers.list_communities(uow.conn, street_code)

    @rpc
    def node_codes(self):
        """{"districts": [6-digit codes], "streets": [9-digit], "communities": [12-digit]}, each
        sorted: every node of the administrative tree, for any signed-in caller (the codes are no
        secret). The gateway keeps them to check that the node a path names exists
        (gateway.nodes), and asks again when a path names one it does not know, at most every
        few seconds. Codes only: for the city about 2,700 of them, some 40 KB."""
        guard.signed_in(self.caller)
        with self.db.unit_of_work() as uow:
            return handlers.node_codes(uow.conn)

    # -- units (§3.1.1, §4.3.1) -------------------------------------------------------------

    @rpc
    def register_unit(self, request):
        """UnitRegistrationRequest -> {unit_registration_id, co_building_pair_id, unit_id, ...}.
        Emits unit_registered and, for a unit's first report, red_account_opened."""
        req = load(c.UnitRegistrationRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.register_unit(uow, req)

    @rpc
    def list_unit_registrations(self, community_code, year):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.list_unit_registrations(uow.conn, community_code, year)

    @rpc
    def get_unit(self, unit_id):
        with self.db.unit_of_work() as uow:
            guard.unit(self.caller, uow.conn, unit_id)
            return handlers.get_unit(uow.conn, unit_id)

    @rpc
    def send_invitation(self, request):
        """InvitationRequest -> {invitation_id, ...}. Emits invitation_sent."""
        req = load(c.InvitationRequest, request)
        guard.street_officer(self.caller, req["street_code"])
        with self.db.unit_of_work() as uow:
            return handlers.send_invitation(uow, req)

    @rpc
    def list_invitations(self, street_code, year):
        guard.area(self.caller, street_code)
        with self.db.unit_of_work() as uow:
            return handlers.list_invitations(uow.conn, street_code, year)

    # -- members (§3.1.2, §3.1.3, §4.2) -----------------------------------------------------

    @rpc
    def report_member(self, request):
        """MemberReport (certificate B.1) -> {registration_id, certificate_no, late, ...}.
        Emits member_reported. Raises ValidationFailed, Conflict (already reported this year)."""
        req = load(c.MemberReport, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work(one_statement=True) as uow:
            return handlers.report_member(uow, req, caller=self.caller)

    @rpc
    def report_members(self, reports):
        """[ReportOfCaller] -> [{"result": as report_member} | {"error": a serialized remote error}],
        in order. Each report is loaded and checked against its own caller, as by report_member, and
        a refused report refuses only itself; those allowed are written in one statement
        (handlers.report_members). The gateway sends in one call the reports that reach it while its
        previous call is under way (gateway.coalesce): under load, one message, one worker and one
        statement serve many requests."""
        guard.signed_in(self.caller)  # a signed caller sends it; each report is checked for its own
        if not isinstance(reports, list) or not 1 <= len(reports) <= c.MAX_REPORTS_PER_CALL:
            raise invalid("reports", "bad_batch", "-", f"应为 1–{c.MAX_REPORTS_PER_CALL} 份报到的列表")
        own_id = logcontext.current_request_id()
        outcomes, allowed = [None] * len(reports), []
        try:
            for index, item in enumerate(reports):
                outcomes[index] = self._allowed(item, allowed, index)
            if allowed:
                self._write_together(allowed, outcomes)
        finally:
            logcontext.bind(own_id)  # the call's own id again, for what the worker logs next
        return outcomes

    @staticmethod
    def _allowed(item, allowed, index):
        """None, with (index, request id, report, caller) added to `allowed`; or the error outcome."""
        logcontext.bind(None)
        try:
            item = load(c.ReportOfCaller, item)
            logcontext.bind(item["request_id"])
            caller = Caller.from_context(item["caller"])
            req = load(c.MemberReport, item["report"])
            guard.community_staff(caller, req["community_code"])
        except Exception as exc:
            return _error_outcome(exc)
        allowed.append((index, item["request_id"], req, caller))
        return None

    def _write_together(self, allowed, outcomes):
        own_id = logcontext.current_request_id()
        try:
            with self.db.unit_of_work(one_statement=True) as uow:
                written = handlers.report_members(uow, [req for _, _, req, _ in allowed],
                                                  [caller for _, _, _, caller in allowed])
        except Exception as exc:  # nothing was written: each report is made alone, and fails alone
            logcontext.bind(own_id)
            if _constraint(exc) == "one_active_registration_per_year":
                log.info("a report of one of %d members committed meanwhile: one by one", len(allowed))
            else:  # a deadlock with an import, a value the database refuses, the database away...
                log.warning("%d reports not written together (%s): one by one", len(allowed), type(exc).__name__)
            written = [handlers.AGAIN] * len(allowed)
        for (index, request_id, req, caller), outcome in zip(allowed, written, strict=True):
            logcontext.bind(request_id)
            if outcome is handlers.AGAIN:
                try:
                    with self.db.unit_of_work(one_statement=True) as uow:
                        outcome = handlers.report_member(uow, req, caller=caller)
                except Exception as exc:
                    outcomes[index] = _error_outcome(exc)
                    continue
            outcomes[index] = _error_outcome(outcome) if isinstance(outcome, DomainError) else {"result": outcome}

    @rpc
    @guard.objects(registration_id="registration")
    def give_unit_opinion(self, unit_id, registration_id, request):
        """UnitOpinion -> {registration_id, status}. Emits unit_opinion_given."""
        req = load(c.UnitOpinion, request)
        with self.db.unit_of_work() as uow:
            guard.unit_officer(self.caller, uow.conn, unit_id)
            return handlers.give_unit_opinion(uow, unit_id, registration_id, req)

    @rpc
    @guard.objects(registration_id="registration")
    def accept_registration(self, community_code, registration_id, request):
        """Acceptance -> receipt B.2. Emits member_registration_accepted (and red_account_opened)."""
        req = load(c.Acceptance, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.accept_registration(uow, community_code, registration_id, req)

    @rpc
    def accept_registrations(self, community_code, request):
        """BulkAcceptance -> {done, failed, results: [{registration_id, status} or {registration_id,
        error}]}: each report accepted on its own (as accept_registration), so one that cannot be
        (not this community's, awaiting its unit, accepted already) is told and the rest go on."""
        req = load(c.BulkAcceptance, request)
        guard.community_staff(self.caller, community_code)
        one = {"officer": req["officer"], "officer_phone": req["officer_phone"]}
        return self._each(req["registration_ids"], lambda uow, rid: handlers.accept_registration(
            uow, community_code, rid, one), "accepted")

    @rpc
    def give_unit_opinions(self, unit_id, request):
        """BulkOpinion -> {done, failed, results}: the unit's opinion on each report, each on its own."""
        req = load(c.BulkOpinion, request)
        with self.db.unit_of_work() as uow:
            guard.unit_officer(self.caller, uow.conn, unit_id)
        opinion = {k: req.get(k) for k in ("decision", "officer", "opinion_date", "comment")}
        return self._each(req["registration_ids"], lambda uow, rid: handlers.give_unit_opinion(
            uow, unit_id, rid, opinion), None)

    def _each(self, ids, step, status):
        results = []
        for rid in dict.fromkeys(ids):   # each once, in the order given
            try:
                with self.db.unit_of_work() as uow:
                    done = step(uow, rid)
                results.append({"registration_id": rid, "status": status or done["status"]})
            except DomainError as exc:
                results.append({"registration_id": rid, "error": exc.to_dict()})
            except Exception:   # a deadlock, the database away: this one is not done, the rest go on
                log.exception("bulk step for registration %s failed", rid)
                results.append({"registration_id": rid, "error": {"code": "failed", "message": "处理失败，请稍后重试该条"}})
        return {"done": sum(1 for r in results if "status" in r), "failed": sum(1 for r in results if "error" in r),
                "results": results}

    @rpc
    @guard.objects(registration_id="registration")
    def get_certificate(self, registration_id, owner):
        """Certificate B.1; `owner` is {"community_code": ...} or {"unit_id": ...}."""
        owner = _owner(owner)
        with self.db.unit_of_work() as uow:
            guard.owner(self.caller, uow.conn, owner)
            return handlers.certificate(uow.conn, registration_id, **owner)

    @rpc
    def community_profiles(self, community_code):
        """{member_id: member_profile} of the community's members with an accepted registration."""
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.community_profiles(uow.conn, community_code)

    @rpc
    def community_certificates(self, community_code, year, after_id=0, limit=500):
        """{items: [certificate B.1 ...], total (on the first page)}: a page of the community's
        certificates of `year` after registration `after_id` (the documents service prints them)."""
        guard.area(self.caller, community_code)
        if not isinstance(year, int) or not isinstance(after_id, int) or not isinstance(limit, int) \
                or not 1 <= limit <= 1000:
            raise invalid("limit", "bad_page", "-", "year、after_id 应为整数，limit 应为 1–1000")
        with self.db.unit_of_work() as uow:
            return handlers.community_certificates(uow.conn, community_code, year, after_id, limit)

    @rpc
    @guard.objects(registration_id="registration")
    def get_receipt(self, community_code, registration_id):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.receipt(uow.conn, community_code, registration_id)

    @rpc
    def verify_certificate(self, number):
        guard.signed_in(self.caller)
        with self.db.unit_of_work() as uow:
            return handlers.verify_certificate(uow.conn, number, self.caller)

    @rpc
    def list_registrations(self, owner, year, status=None, limit=50, offset=0, sort="id"):
        owner = _owner(owner)
        with self.db.unit_of_work() as uow:
            guard.owner(self.caller, uow.conn, owner)
            return handlers.list_registrations(uow.conn, year, status, limit, offset, sort, **owner)

    @rpc
    def find_units(self, words):
        """Units whose name holds `words`, or whose credit code it is (at most 20), for officers."""
        guard.require(self.caller, self.caller is not None and self.caller.role in AREA_ROLES)
        with self.db.unit_of_work() as uow:
            return unit_search.find_units(uow.conn, words)

    @rpc
    def community_roster(self, community_code, year):
        """The community's roster of a year (党员名册): every registration at once, for its desk."""
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return roster.community_roster(uow.conn, community_code, year)

    @rpc
    def member_registrations(self, member_id):
        """A member's own registrations, each as its certificate B.1 (newest first)."""
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.member_registrations(uow.conn, member_id)

    @rpc
    @guard.objects(member_id="member")
    def member_profile(self, member_id, community_code=None):
        """The personal part of register D.1: the member themself, or the officers over the community."""
        if community_code is None:
            guard.member(self.caller, member_id)
        else:
            guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.member_profile(uow.conn, member_id, community_code)

    # -- transfers (R7) -----------------------------------------------------------------------

    @rpc
    @guard.objects(registration_id="registration")
    def record_transfer(self, community_code, registration_id, request):
        """TransferRequest -> {transfer_id, deadline}. Emits member_transferred."""
        req = load(c.TransferRequest, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.record_transfer(uow, community_code, registration_id, req)

    @rpc
    def list_transfers(self, level, code, overdue_only=False):
        guard.area(self.caller, code)
        with self.db.unit_of_work() as uow:
            return handlers.list_transfers(uow.conn, handlers.SCOPE_COLUMNS[level], code, overdue_only)

    # -- the community database (R8) ----------------------------------------------------------

    @rpc
    def community_database(self, level, code, year):
        guard.city(self.caller) if level == "city" else guard.area(self.caller, code)
        with self.db.unit_of_work() as uow:
            return handlers.community_database(uow.conn, level, code, year)

    @rpc
    def community_unreported(self, community_code, year):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.community_unreported(uow.conn, community_code, year)

    @rpc
    def unreported_members(self, unit_id, year):
        with self.db.unit_of_work() as uow:
            guard.unit(self.caller, uow.conn, unit_id)
            return handlers.unreported_members(uow.conn, unit_id, year)

    @rpc
    def accepted_members(self, year, after_registration_id=0, limit=1000):
        """The year's accepted registrations, a page at a time (for a late subscriber's backfill).
        The city's administrator only: it is the whole city's list."""
        guard.city(self.caller)
        with self.db.unit_of_work() as uow:
            return handlers.accepted_members(uow.conn, year, after_registration_id, min(int(limit), 5000))

    @rpc
    def feedback_rosters(self, unit_ids, community_codes, period):
        """Units by id (their names and where they sit), and those sitting in `community_codes` with
        their members who had not reported by the end of the half year `period` ([[member_id,
        name], ...]): the feedback service's notices (§5.3.3), read by the officers over those
        communities."""
        guard.signed_in(self.caller)
        for code in community_codes:
            guard.area(self.caller, code)
        with self.db.unit_of_work() as uow:
            return handlers.feedback_rosters(uow.conn, unit_ids, community_codes, half_year(period))

    @rpc
    @guard.objects(member_id="member")
    def member_current(self, member_id):
        """The member's current report (community, unit, position, phone, service intentions): the
        member, their unit's officer, the officers over its community (B2, §4.1)."""
        with self.db.unit_of_work() as uow:
            current = handlers.member_current(uow.conn, member_id)
        guard.require_any(self.caller, self.caller is not None and (
            self.caller.is_member(member_id) or (self.caller.role == "unit_officer"
                                                 and self.caller.scope == str(current["unit_id"]))
            or (self.caller.role != "unit_officer" and self.caller.covers_area(current["community_code"]))),
            f"党员 {member_id} 不存在")
        return current

    @rpc
    @guard.objects(member_id="member")
    def apply_member_details(self, community_code, member_id, changes):
        """A change of position, phone or service intentions the community accepted (B2, §5.3.2):
        community staff, through the feedback service. Emits member_details_changed."""
        req = load(c.DetailChanges, changes)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.apply_member_details(uow, community_code, member_id, req)

    @rpc
    def unit_scope(self, unit_id):
        """{unit_id, community_code, street_code, district_code} of a unit: where it sits, for the
        gateway's scope check of unit routes."""
        guard.signed_in(self.caller)
        with self.db.unit_of_work() as uow:
            return handlers.unit_scope(uow.conn, unit_id)

    @rpc
    def member_scope(self, member_id):
        """{member_id, communities: [...]}: where a member has reported (any year, any status), for
        the city administrator binding an account to them. NotFound if nowhere."""
        guard.city(self.caller)
        with self.db.unit_of_work() as uow:
            return handlers.member_scope(uow.conn, member_id)

    # -- bulk import --------------------------------------------------------------------------

    @rpc
    def start_import(self, request):
        """ImportRequest -> {job_id, status: queued}; the work runs in the background."""
        req = load(c.ImportRequest, request)
        with self.db.unit_of_work() as uow:
            guard.unit_officer(self.caller, uow.conn, req["unit_id"])
            return importer.create_job(uow, req)

    @rpc
    @guard.objects(job_id="import_job")
    def import_status(self, job_id, unit_id):
        with self.db.unit_of_work() as uow:
            guard.unit(self.caller, uow.conn, unit_id)
            return importer.job_status(uow.conn, job_id, unit_id)

    @timer(interval=1)
    def run_imports(self):
        """Run queued import jobs; any replica may take one."""
        while (job_id := importer.claim_next_job(self.db.engine)) is not None:
            log.info("import job %s started", job_id)
            importer.run_job(self.db, job_id)

    # -- operations ---------------------------------------------------------------------------

    @http("GET", "/metrics")
    def metrics_endpoint(self, request):
        return self.metrics.response()

    @http("GET", "/health")
    def health(self, request):
        with self.db.unit_of_work() as uow:
            uow.conn.execute(text("SELECT 1"))
        return 200, "ok"


def _owner(owner):
    allowed = {"community_code", "unit_id", "street_code", "district_code"}
    return {k: v for k, v in (owner or {}).items() if k in allowed}
