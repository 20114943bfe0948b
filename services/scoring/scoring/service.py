"""ScoringService (first part): the points ledger fed by the volunteering service's events.

Every event becomes at most one ledger entry (the event id is unique in the ledger, and the
inbox records it in the same transaction), so any number of processes may consume the same
queue (competing consumers) and a redelivery adds nothing."""
from nameko.events import event_handler
from nameko.web.handlers import http
from sqlalchemy import text

from contracts import scoring as s
from toolkit.caller import CallerOf
from toolkit.db import Database
from toolkit.errors import rpc
from toolkit.inbox import handle_once
from toolkit.logcontext import RequestLog
from toolkit.metrics import Metrics
from toolkit.validation import load

from . import guard, handlers
from .models import metadata


class ScoringService:
    name = "scoring"

    db = Database(metadata)
    metrics = Metrics()
    request_log = RequestLog()
    caller = CallerOf()

    @event_handler("volunteering", "service_completed")
    def on_service_completed(self, event):
        handle_once(self.db, "volunteering", event, handlers.service_completed)

    @event_handler("volunteering", "project_rated")
    def on_project_rated(self, event):
        handle_once(self.db, "volunteering", event, handlers.project_rated)

    @rpc
    def member_points(self, member_id, period):
        """A member's own points, stars and entries in a half year (e.g. 2026H2)."""
        guard.member_or_city(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.member_points(uow.conn, member_id, period)

    @rpc
    def community_member_points(self, community_code, member_id, period):
        """A member's points in one community's ledger: its staff and the officers above."""
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.member_points(uow.conn, member_id, period, community_code)

    @rpc
    def record_merit(self, request):
        """MeritRequest (一事一记, §3.5.3) -> the entry."""
        req = load(s.MeritRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.record_merit(uow.conn, req, self.caller.username)

    @rpc
    def correct(self, community_code, entry_id, request):
        """CorrectionRequest -> a compensating entry naming the one corrected."""
        req = load(s.CorrectionRequest, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.correct(uow.conn, community_code, entry_id, req, self.caller.username)

    @http("GET", "/metrics")
    def metrics_endpoint(self, request):
        return self.metrics.response()

    @http("GET", "/health")
    def health(self, request):
        with self.db.unit_of_work() as uow:
            uow.conn.execute(text("SELECT 1"))
        return 200, "ok"
