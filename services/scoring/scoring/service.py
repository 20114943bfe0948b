"""ScoringService: the points ledger, half-year settlement, boards and the supermarket (评星 · 激励).

Every event becomes at most one ledger entry (the event id is unique in the ledger, and the
inbox records it in the same transaction), so any number of processes may consume the same
queues (competing consumers) and a redelivery adds nothing. A settlement of many communities is
one `settlement_requested` message per community, shared by whichever processes run
(docs/operations/scoring.md says how to scale it)."""
import re

from toolkit.deadletters import event_handler   # bounded tries, then a dead-letter queue
from nameko.web.handlers import http
from sqlalchemy import text

from contracts import scoring as s
from toolkit.batches import BatchConsumer
from toolkit.caller import CallerOf
from toolkit.errors import rpc
from toolkit.inbox import handle_once
from toolkit.logcontext import RequestLog
from toolkit.metrics import Metrics
from toolkit.validation import half_year, invalid, load

from . import boards, compensation, guard, handlers, rulebook, settlement, supermarket
from .models import metadata


class ScoringService:
    name = "scoring"

    db = rulebook.Database(metadata)
    metrics = Metrics(gauges=settlement.run_gauges)   # and a settlement run that does not finish
    request_log = RequestLog()
    caller = CallerOf()
    # one message per community of a settlement run; each process takes them a batch at a time
    # (100 a batch: the city's run was faster than with 30 or 50, no slower than with 150 or 200,
    # and a large city still splits into tens of batches for the processes to share)
    settlement_requests = BatchConsumer("scoring", "settlement_requested", settlement.settle_batch, batch_size=100)

    @event_handler("volunteering", "service_completed")
    def on_service_completed(self, event):
        handle_once(self.db, "volunteering", event, handlers.service_completed)

    @event_handler("volunteering", "project_rated")
    def on_project_rated(self, event):
        handle_once(self.db, "volunteering", event, handlers.project_rated)

    @event_handler("registration", "red_account_opened")
    def on_red_account_opened(self, event):
        handle_once(self.db, "registration", event, handlers.red_account_opened)

    @event_handler("registration", "member_registration_accepted")
    def on_member_accepted(self, event):
        handle_once(self.db, "registration", event, handlers.member_registration_accepted)

    @event_handler("registration", "unit_registered")
    def on_unit_registered(self, event):
        handle_once(self.db, "registration", event, handlers.unit_registered)

    # --- points -------------------------------------------------------------------------------

    @rpc
    def member_points(self, member_id, period):
        """A member's own points, stars and entries in a half year (e.g. 2026H2)."""
        guard.member_or_city(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.member_points(uow.conn, member_id, period)

    @rpc
    @guard.objects(member_id="member_of_record")
    def community_member_points(self, community_code, member_id, period):
        """A member's points in one community's ledger: its staff and the officers above."""
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.member_points(uow.conn, member_id, period, community_code)

    @rpc
    @guard.objects(member_id="member")
    def record_merit(self, request):
        """MeritRequest (一事一记, §3.5.3) -> the entry."""
        req = load(s.MeritRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.record_merit(uow.conn, req, self.caller.username)

    @rpc
    @guard.objects(entry_id="ledger_entry")
    def correct(self, community_code, entry_id, request):
        """CorrectionRequest -> a compensating entry naming the one corrected."""
        req = load(s.CorrectionRequest, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.correct(uow.conn, community_code, entry_id, req, self.caller.username)

    @rpc
    @guard.objects(entry_id="ledger_entry")
    def ledger_entry(self, entry_id, community_code=None):
        """One entry, to whoever may dispute it (§5.3.4): the member, their unit's officer, the
        officers of its area. For a member or unit officer the community need not be named."""
        guard.signed_in(self.caller)
        with self.db.unit_of_work() as uow:
            return compensation.entry_of_record(uow.conn, entry_id, self.caller)

    @rpc
    @guard.objects(member_id="member_of_record", entry_id="ledger_entry")
    def compensate(self, request):
        """CompensationRequest: an upheld objection's compensating entry, and the revision of a
        published half year it opens (B4, §5.3.5). Community staff, through the feedback service."""
        req = load(s.CompensationRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        return compensation.compensate(self.db, req, self.caller.username)

    # --- the rules as data (S1–S5 as versions, S7) ------------------------------------------------

    @rpc
    def rule_versions(self):
        """Every version of the scoring rules, the newest first, and which is in force today: for
        every signed-in account, like the rules on the community's wall."""
        guard.signed_in(self.caller)
        with self.db.unit_of_work() as uow:
            return rulebook.versions(uow.conn)

    @rpc
    def publish_rules(self, request):
        """RuleVersionRequest -> the new version, in force from a half year not yet begun (city
        administrator only). Emits rule_version_published."""
        guard.city_admin(self.caller)
        req = load(s.RuleVersionRequest, request)
        with self.db.unit_of_work() as uow:
            return rulebook.publish(uow, req, self.caller.username)

    # --- settlement (§3.5.4–5) ------------------------------------------------------------------

    @rpc
    def draft_settlement(self, community_code, period):
        """Compute (or compute again) the community's half year as a draft."""
        guard.community_staff(self.caller, community_code)
        _period(period)
        with self.db.unit_of_work() as uow:
            settlement.draft(uow.conn, community_code, period, self.caller.username)
            return settlement.get(uow.conn, community_code, period)

    @rpc
    def review_settlement(self, community_code, period, request):
        """ReviewRequest: the members' congress reviewed the draft."""
        req = load(s.ReviewRequest, request)
        guard.community_staff(self.caller, community_code)
        _period(period)
        with self.db.unit_of_work() as uow:
            return settlement.review(uow.conn, community_code, period, req, self.caller.username)

    @rpc
    def publish_settlement(self, community_code, period):
        """Publish the reviewed half year: board, honour list, feedback events to units."""
        guard.community_staff(self.caller, community_code)
        _period(period)
        with self.db.unit_of_work() as uow:
            return settlement.publish(uow, community_code, period, self.caller.username)

    @rpc
    def revise_settlement(self, community_code, period, request):
        """RevisionRequest: a published half year's next revision, as a draft with its reason."""
        req = load(s.RevisionRequest, request)
        guard.community_staff(self.caller, community_code)
        _period(period)
        with self.db.unit_of_work() as uow:
            return settlement.revise(uow.conn, community_code, period, req["reason"], self.caller.username)

    @rpc
    def get_settlement(self, community_code, period):
        guard.area(self.caller, community_code)
        _period(period)
        with self.db.unit_of_work() as uow:
            return settlement.get(uow.conn, community_code, period)

    @rpc
    def start_settlement(self, area_code, period):
        """Draft every community of an area: one message per community; returns the run's status."""
        req = load(s.SettlementRunRequest, {"area_code": area_code, "period": period})
        guard.area(self.caller, req["area_code"])
        with self.db.unit_of_work() as uow:
            return settlement.start_run(uow, req["area_code"], req["period"], self.caller.username)

    @rpc
    @guard.objects(run_id="settlement_run")
    def settlement_run(self, run_id, area_code=None):
        """A run's progress; `area_code`, when given, must be the area it was started for or one
        above it."""
        with self.db.unit_of_work() as uow:
            status = settlement.run_status(uow.conn, run_id, area_code)
        guard.area(self.caller, status["area_code"])
        return status

    # --- what published results show (§3.5.6, §3.6.2, §5.4) -----------------------------------

    @rpc
    def board(self, area_code, period, kind="member", limit=50):
        """The vanguard board, open to every account like the one on the community's wall (§3.5.6)."""
        guard.signed_in(self.caller)
        _period(period)
        _area(area_code)
        if kind not in ("member", "unit"):
            raise invalid("kind", "bad_kind", "§3.5.6", "榜单类别应为 member（党员）或 unit（党组织）")
        if not isinstance(limit, int) or not 1 <= limit <= 500:
            raise invalid("limit", "bad_limit", "", "名次数应为 1–500")
        with self.db.unit_of_work() as uow:
            return boards.board(uow.conn, area_code, period, kind, limit)

    @rpc
    def honour_list(self, area_code, period):
        guard.signed_in(self.caller)
        _period(period)
        _area(area_code)
        with self.db.unit_of_work() as uow:
            return boards.honour_list(uow.conn, area_code, period)

    @rpc
    def public_board(self, area_code, period, kind="member"):
        """The board as the service center's screen shows it, to anyone (no login, §3.5.6): rank,
        name, points and stars of the first 50 in a published half year; no ids. The gateway asks as
        its public reader: still not a message without a caller."""
        guard.signed_in(self.caller)
        _period(period)
        _area(area_code)
        if kind not in ("member", "unit"):
            raise invalid("kind", "bad_kind", "§3.5.6", "榜单类别应为 member（党员）或 unit（党组织）")
        with self.db.unit_of_work() as uow:
            board = boards.board(uow.conn, area_code, period, kind, 50)
        return {**board, "items": [{k: r[k] for k in ("rank", "name", "points", "stars", "community_code")}
                                   for r in board["items"]]}

    @rpc
    def public_honour_list(self, area_code, period):
        """The ten-star members of a published half year, to anyone (§3.6.2): names and places."""
        guard.signed_in(self.caller)
        _period(period)
        _area(area_code)
        with self.db.unit_of_work() as uow:
            found = boards.honour_list(uow.conn, area_code, period)
        return {**found, "items": [{k: r[k] for k in ("name", "points", "stars", "community_code", "published_at")}
                                   for r in found["items"]]}

    @rpc
    def honour_certificate(self, community_code, member_id, period):
        guard.signed_in(self.caller)
        _period(period)
        _area(community_code, community=True)
        with self.db.unit_of_work() as uow:
            return boards.certificate(uow.conn, community_code, member_id, period)

    @rpc
    def award_candidates(self, district_code, period, limit=20):
        guard.area(self.caller, district_code)
        _period(period)
        _area(district_code)
        with self.db.unit_of_work() as uow:
            return boards.award_candidates(uow.conn, district_code, period, limit)

    @rpc
    def assessment(self, area_code, period):
        guard.area(self.caller, area_code)
        _period(period)
        _area(area_code)
        with self.db.unit_of_work() as uow:
            return boards.assessment(uow.conn, area_code, period)

    @rpc
    @guard.objects(member_id="member_of_record")
    def register_d1(self, community_code, member_id, period):
        guard.area(self.caller, community_code)
        _period(period)
        with self.db.unit_of_work() as uow:
            return boards.register_d1(uow.conn, community_code, member_id, period)

    @rpc
    def community_registers_d1(self, community_code, period):
        """Register D.1 of every member of the community's half year (the documents service's batches)."""
        guard.area(self.caller, community_code)
        _period(period)
        with self.db.unit_of_work() as uow:
            return boards.community_registers_d1(uow.conn, community_code, period)

    @rpc
    def my_register_d1(self, member_id, period):
        """The member's own D.1, in the community of the red account."""
        guard.member(self.caller, member_id)
        _period(period)
        with self.db.unit_of_work() as uow:
            code = supermarket.member_community(uow.conn, member_id)
            return boards.register_d1(uow.conn, code, member_id, period)

    # --- the supermarket (§3.6.3) ---------------------------------------------------------------

    @rpc
    def add_goods(self, request):
        req = load(s.GoodsRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return supermarket.add_goods(uow.conn, req, self.caller.username)

    @rpc
    @guard.objects(goods_id="goods")
    def update_goods(self, community_code, goods_id, request):
        req = load(s.GoodsUpdate, request)
        guard.community_staff(self.caller, community_code)
        if not req:
            raise invalid("body", "empty", "§3.6.3", "请至少修改价格、库存或上下架中的一项")
        with self.db.unit_of_work() as uow:
            return supermarket.update_goods(uow.conn, community_code, goods_id, req)

    @rpc
    def catalog(self, community_code):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return supermarket.catalog(uow.conn, community_code, offered_only=False)

    @rpc
    def my_catalog(self, member_id):
        """What the member's community offers, and the member's balance."""
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            code = supermarket.member_community(uow.conn, member_id)
            return {"community_code": code, "balance": supermarket.balance(uow.conn, member_id),
                    "items": supermarket.catalog(uow.conn, code, offered_only=True)}

    @rpc
    @guard.objects(goods_id="goods")
    def redeem(self, member_id, request):
        """RedemptionRequest: the member spends points (never below zero, never beyond stock)."""
        req = load(s.RedemptionRequest, request)
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return supermarket.redeem(uow, member_id, req, self.caller.username)

    @rpc
    @guard.objects(member_id="member", goods_id="goods")
    def redeem_for(self, community_code, member_id, request):
        """At the supermarket's desk: the community's staff redeem for a member of the community who
        is there (the same rules as the member's own redemption, §3.6.3)."""
        req = load(s.RedemptionRequest, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return supermarket.redeem(uow, member_id, req, self.caller.username)

    @rpc
    @guard.objects(redemption_id="redemption")
    def cancel_redemption(self, community_code, redemption_id, request):
        req = load(s.CancellationRequest, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return supermarket.cancel(uow, community_code, redemption_id, req["reason"], self.caller.username)

    @rpc
    def redemptions(self, community_code):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return supermarket.list_redemptions(uow.conn, community_code=community_code)

    @rpc
    def my_redemptions(self, member_id):
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return {"balance": supermarket.balance(uow.conn, member_id),
                    "items": supermarket.list_redemptions(uow.conn, member_id=member_id)}

    @http("GET", "/metrics")
    def metrics_endpoint(self, request):
        return self.metrics.response()

    @http("GET", "/health")
    def health(self, request):
        with self.db.unit_of_work() as uow:
            uow.conn.execute(text("SELECT 1"))
        return 200, "ok"


def _period(period):
    half_year(period)


def _area(code, community=False):
    if not isinstance(code, str) or not re.fullmatch(r"\d{12}" if community else r"\d{4}(\d{2}(\d{3}(\d{3})?)?)?", code):
        raise invalid("area_code", "bad_area", "", "社区编码应为 12 位数字" if community else
                      "区域编码应为 4 位（市）、6 位（县区）、9 位（街道）或 12 位（社区）数字")
