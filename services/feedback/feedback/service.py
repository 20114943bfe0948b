"""FeedbackService: the two-way feedback between the community and the member's work unit (双向
反馈, §5.3): notices to units (Annexes E, F) and objections (Annex G).

Notices are prepared from scoring's `settlement_published`, a batch of publications at a time
(toolkit.batches), by any number of processes; every other step is an RPC from the gateway,
checked again here (guard), and each step others must hear of goes through the outbox."""
import re

from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from sqlalchemy import text

from contracts import feedback as f
from toolkit.batches import BatchConsumer
from toolkit.caller import CallerOf
from toolkit.db import Database
from toolkit.errors import rpc
from toolkit.logcontext import RequestLog
from toolkit.metrics import Metrics
from toolkit.remote import REMOTE_TIMEOUT, Bounded
from toolkit.validation import half_year, invalid, load

from . import archive, changes, guard, notices, objections
from .models import metadata


class FeedbackService:
    name = "feedback"

    db = Database(metadata)
    metrics = Metrics()
    request_log = RequestLog()
    caller = CallerOf()
    # bounded (toolkit.remote): a service that is down fails the call, not the worker for ever
    scoring_proxy = RpcProxy("scoring", expiration=REMOTE_TIMEOUT)
    registration_proxy = RpcProxy("registration", expiration=REMOTE_TIMEOUT)

    @property
    def scoring(self):
        return Bounded(self.scoring_proxy)

    @property
    def registration(self):
        return Bounded(self.registration_proxy)
    # a city's publication is thousands of communities: a batch of them at a time (each batch is
    # one question to registration and a few statements)
    publications = BatchConsumer("scoring", "settlement_published", notices.prepare_batch, batch_size=100, raw=True)

    # --- notices (B1, §5.3.1, §5.3.3) -----------------------------------------------------------

    @rpc
    def district_notices(self, district_code, period):
        """Every unit the district's communities have lines for, and where its notice stands."""
        guard.area(self.caller, district_code)
        _period(period)
        _code(district_code, 6)
        with self.db.unit_of_work() as uow:
            return notices.district_notices(uow.conn, self.registration, district_code, period)

    @rpc
    def notice_preview(self, district_code, period, unit_id):
        """The notice the district would release now for one unit: E's text, F's rows, changes."""
        guard.area(self.caller, district_code)
        _period(period)
        _code(district_code, 6)
        with self.db.unit_of_work() as uow:
            return notices.preview(uow.conn, self.registration, district_code, period, unit_id)

    @rpc
    def release_notices(self, district_code, period, unit_id=None):
        """Release one unit's notice (unit_id) or every ready one of the district."""
        guard.district(self.caller, district_code)
        _period(period)
        _code(district_code, 6)
        return notices.release(self.db, self.registration, district_code, period, self.caller.username, unit_id)

    @rpc
    def released_notice_units(self, district_code, period):
        """The units the district has released the half year's notice to (for a batch of them)."""
        guard.district(self.caller, district_code)
        _period(period)
        _code(district_code, 6)
        with self.db.unit_of_work() as uow:
            return notices.released_units(uow.conn, district_code, period)

    @rpc
    def released_notices(self, district_code, period, unit_ids):
        """The latest notice the district released to each of these units, E and F as sent."""
        guard.district(self.caller, district_code)
        _period(period)
        _code(district_code, 6)
        if not isinstance(unit_ids, list) or not all(isinstance(u, int) for u in unit_ids) or len(unit_ids) > 1000:
            raise invalid("unit_ids", "bad_units", "§5.3.3", "单位编号应为整数列表（至多 1000 个）")
        with self.db.unit_of_work() as uow:
            return notices.released(uow.conn, district_code, period, unit_ids)

    @rpc
    def community_feedback(self, community_code, period):
        """The community's members in its published half year, with their 社区评语 so far."""
        guard.area(self.caller, community_code)
        _period(period)
        with self.db.unit_of_work() as uow:
            return notices.community_lines(uow.conn, community_code, period, self.registration)

    @rpc
    def write_comments(self, community_code, period, request):
        """CommentsRequest: the community's 社区评语 for members of its published half year."""
        req = load(f.CommentsRequest, request)
        guard.community_staff(self.caller, community_code)
        _period(period)
        with self.db.unit_of_work() as uow:
            return notices.write_comments(uow, community_code, period, req["comments"], self.caller.username)

    @rpc
    def unit_notices(self, unit_id, period=None):
        guard.unit(self.caller, unit_id)
        if period is not None:
            _period(period)
        with self.db.unit_of_work() as uow:
            return notices.unit_notices(uow.conn, unit_id, period)

    @rpc
    @guard.objects(notice_id="notice")
    def read_notice(self, unit_id, notice_id):
        """A released notice; the unit's own officer reading it is recorded (notice_read)."""
        guard.unit(self.caller, unit_id)
        with self.db.unit_of_work() as uow:
            return notices.read(uow, unit_id, notice_id, self.caller)

    @rpc
    @guard.objects(notice_id="notice")
    def acknowledge_notice(self, unit_id, notice_id):
        guard.unit_officer(self.caller, unit_id)
        with self.db.unit_of_work() as uow:
            return notices.acknowledge(uow, unit_id, notice_id, self.caller.username)

    # --- objections (B3–B4, §5.3.4–§5.3.5, Annex G) --------------------------------------------

    @rpc
    def raise_objection(self, request):
        """ObjectionRequest, from a member (their own record) or a unit officer (an entry of one of
        the unit's members)."""
        req = load(f.ObjectionRequest, request)
        guard.objector(self.caller)
        return objections.raise_objection(self.db, self.scoring, self.registration, self.caller, req)

    @rpc
    def my_objections(self, member_id):
        """The member's own objections, and those their unit raised about their record."""
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return objections.of_member(uow.conn, member_id)

    @rpc
    @guard.objects(objection_id="objection")
    def my_objection(self, member_id, objection_id):
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return objections.get(uow.conn, objection_id)

    @rpc
    def unit_objections(self, unit_id):
        guard.unit(self.caller, unit_id)
        with self.db.unit_of_work() as uow:
            return objections.of_objector(uow.conn, "unit", unit_id)

    @rpc
    def community_objections(self, community_code, status=None):
        guard.area(self.caller, community_code)
        if status is not None and status not in objections.STATUS_CN:
            raise invalid("status", "bad_status", "§5.3.5", "状态应为：" + "、".join(objections.STATUS_CN))
        with self.db.unit_of_work() as uow:
            return objections.of_community(uow.conn, community_code, status)

    @rpc
    @guard.objects(objection_id="objection")
    def community_objection(self, community_code, objection_id):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return objections.get(uow.conn, objection_id)

    @rpc
    @guard.objects(objection_id="objection")
    def assign_objection(self, community_code, objection_id, request):
        req = load(f.AssignmentRequest, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return objections.assign(uow, objection_id, req, self.caller.username)

    @rpc
    @guard.objects(objection_id="objection")
    def record_findings(self, community_code, objection_id, request):
        req = load(f.FindingsRequest, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return objections.record_findings(uow, objection_id, req, self.caller.username)

    @rpc
    @guard.objects(objection_id="objection")
    def decide_objection(self, community_code, objection_id, request):
        req = load(f.DecisionRequest, request)
        guard.community_staff(self.caller, community_code)
        return objections.decide(self.db, self.scoring, objection_id, req, self.caller.username)

    @rpc
    def overdue_objections(self, area_code):
        """Open longer than OBJECTION_OVERDUE_DAYS (default 15): for the street and the district."""
        guard.area(self.caller, area_code)
        with self.db.unit_of_work() as uow:
            return objections.overdue(uow.conn, area_code)

    # --- changes of a member's details (B2, §5.3.2) ---------------------------------------------

    @rpc
    def report_detail_change(self, request):
        """DetailChangeRequest: a member for themself, or a unit's officer for one of its members."""
        req = load(f.DetailChangeRequest, request)
        guard.objector(self.caller)
        member_id = int(self.caller.scope) if self.caller.role == "member" else req["member_id"]
        if member_id is None:
            raise invalid("member_id", "required", "§5.3.2", "请填写党员编号（member_id）")
        if self.caller.role == "member" and req["member_id"] not in (None, member_id):
            raise invalid("member_id", "not_yourself", "§5.3.2", "党员本人只能报告自己的信息变更，可不填 member_id")
        changed = {k: req[k] for k in ("position", "phone", "service_intentions") if k in req}
        return changes.report(self.db, self.registration, self.caller, member_id, changed, req.get("note"))

    @rpc
    def my_detail_changes(self, member_id):
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return changes.of_reporter(uow.conn, "member_id", member_id)

    @rpc
    def unit_detail_changes(self, unit_id):
        guard.unit(self.caller, unit_id)
        with self.db.unit_of_work() as uow:
            return changes.of_reporter(uow.conn, "unit_id", unit_id)

    @rpc
    def community_detail_changes(self, community_code, status=None):
        guard.area(self.caller, community_code)
        if status is not None and status not in changes.STATUS_CN:
            raise invalid("status", "bad_status", "§5.3.2", "状态应为：" + "、".join(changes.STATUS_CN))
        with self.db.unit_of_work() as uow:
            return changes.of_community(uow.conn, community_code, status)

    @rpc
    @guard.objects(change_id="detail_change")
    def decide_detail_change(self, community_code, change_id, request):
        req = load(f.ChangeDecision, request)
        guard.community_staff(self.caller, community_code)
        return changes.decide(self.db, self.registration, change_id, req["decision"], req.get("reason"),
                              self.caller.username)

    # --- the unit's archive and the community's opinion (§4.1) ---------------------------------

    @rpc
    def request_opinion(self, unit_id, request):
        """OpinionRequest: the unit asks the community where the member reports, before rating them."""
        req = load(f.OpinionRequest, request)
        guard.unit_officer(self.caller, unit_id)
        return archive.request_opinion(self.db, self.registration, self.caller, unit_id, req)

    @rpc
    def unit_opinions(self, unit_id):
        guard.unit(self.caller, unit_id)
        with self.db.unit_of_work() as uow:
            return archive.of_unit(uow.conn, unit_id)

    @rpc
    def community_opinions(self, community_code, status=None):
        guard.area(self.caller, community_code)
        if status is not None and status not in archive.STATUS_CN:
            raise invalid("status", "bad_status", "§4.1", "状态应为：" + "、".join(archive.STATUS_CN))
        with self.db.unit_of_work() as uow:
            return archive.of_community(uow.conn, community_code, status)

    @rpc
    @guard.objects(opinion_id="opinion")
    def answer_opinion(self, community_code, opinion_id, request):
        """OpinionAnswer: the member's record here and the community's opinion (§4.1)."""
        req = load(f.OpinionAnswer, request)
        guard.community_staff(self.caller, community_code)
        return archive.answer(self.db, self.scoring, opinion_id, req, self.caller.username)

    @rpc
    def unit_archive(self, unit_id):
        guard.unit(self.caller, unit_id)
        with self.db.unit_of_work() as uow:
            return archive.unit_archive(uow.conn, unit_id)

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


def _code(code, length):
    if not isinstance(code, str) or not re.fullmatch(rf"\d{{{length}}}", code):
        raise invalid("code", "bad_area", "GB/T 2260", f"区域编码应为 {length} 位数字")
