"""Routes of the feedback service (双向反馈, §5.3): notices to units (Annexes E and F) with the
community's comments and the district's release, and objections (Annex G)."""
from marshmallow import fields, validate

from contracts import feedback as fb
from contracts.access import CITY_ADMIN, COMMUNITY_STAFF, DISTRICT_OFFICER, STREET_OFFICER, UNIT_OFFICER
from contracts.rules import broken

from .common import Route, V1, YearQuery, _Strict, _me
from .scoring import PeriodQuery


class OptionalPeriodQuery(_Strict):
    period = fields.String(load_default=None, validate=validate.Regexp(r"^20\d\dH[12]$", error=broken(
        "bad_period", "§3.5.4", "半年度应写作如 2026H1（上半年）或 2026H2（下半年）")))


class StatusQuery(_Strict):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ("submitted", "investigating", "investigated", "deciding", "upheld", "rejected"), error=broken(
            "bad_status", "§5.3.5", "状态应为 submitted、investigating、investigated、deciding、upheld 或 rejected")))


# --- notices (B1, §5.3.1, §5.3.3) ---------------------------------------------------------------

def district_notices(call, code, period):
    return call.feedback.district_notices(code, period)


def notice_preview(call, code, period, unit_id):
    return call.feedback.notice_preview(code, period, unit_id)


def release_notice(call, code, period, unit_id):
    return call.feedback.release_notices(code, period, unit_id)


def release_district_notices(call, code, period):
    return call.feedback.release_notices(code, period, None)


def community_feedback(call, community_code, period):
    return call.feedback.community_feedback(community_code, period)


def write_comments(call, community_code, period):
    return call.feedback.write_comments(community_code, period, call.body)


def unit_notices(call, unit_id):
    return call.feedback.unit_notices(unit_id, call.query["period"])


def read_notice(call, unit_id, notice_id):
    return call.feedback.read_notice(unit_id, notice_id)


def acknowledge_notice(call, unit_id, notice_id):
    return call.feedback.acknowledge_notice(unit_id, notice_id)


# --- objections (B3–B4, §5.3.4–§5.3.5, Annex G) ------------------------------------------------

def raise_my_objection(call):
    return call.feedback.raise_objection(call.body)


def my_objections(call):
    return call.feedback.my_objections(_me(call))


def my_objection(call, objection_id):
    return call.feedback.my_objection(_me(call), objection_id)


def raise_unit_objection(call, unit_id):
    return call.feedback.raise_objection(call.body)


def unit_objections(call, unit_id):
    return call.feedback.unit_objections(unit_id)


def community_objections(call, community_code):
    return call.feedback.community_objections(community_code, call.query["status"])


def community_objection(call, community_code, objection_id):
    return call.feedback.community_objection(community_code, objection_id)


def assign_objection(call, community_code, objection_id):
    return call.feedback.assign_objection(community_code, objection_id, call.body)


def record_findings(call, community_code, objection_id):
    return call.feedback.record_findings(community_code, objection_id, call.body)


def decide_objection(call, community_code, objection_id):
    return call.feedback.decide_objection(community_code, objection_id, call.body)


def overdue_objections(level):
    def handler(call, code):
        return call.feedback.overdue_objections(code)
    handler.__name__ = f"{level}_overdue_objections"
    return handler


# --- changes of details (B2, §5.3.2) and the unit's archive (§4.1) ------------------------------

def report_my_detail_change(call):
    return call.feedback.report_detail_change(call.body)


def my_detail_changes(call):
    return call.feedback.my_detail_changes(_me(call))


def report_unit_detail_change(call, unit_id):
    return call.feedback.report_detail_change(call.body)


def unit_detail_changes(call, unit_id):
    return call.feedback.unit_detail_changes(unit_id)


def community_detail_changes(call, community_code):
    return call.feedback.community_detail_changes(community_code, call.query["status"])


def decide_detail_change(call, community_code, change_id):
    return call.feedback.decide_detail_change(community_code, change_id, call.body)


def request_opinion(call, unit_id):
    return call.feedback.request_opinion(unit_id, call.body)


def unit_opinions(call, unit_id):
    return call.feedback.unit_opinions(unit_id)


def community_opinions(call, community_code):
    return call.feedback.community_opinions(community_code, call.query["status"])


def answer_opinion(call, community_code, opinion_id):
    return call.feedback.answer_opinion(community_code, opinion_id, call.body)


def unit_archive(call, unit_id):
    """The unit's archive: what it received and sent through the feedback service, and the reports
    of its members it made this year (registration's)."""
    archive = call.feedback.unit_archive(unit_id)
    reports = call.registration.list_registrations({"unit_id": unit_id}, call.query["year"], None, 500, 0, "id")
    return {**archive, "member_reports": reports}


class ChangeStatusQuery(_Strict):
    status = fields.String(load_default=None, validate=validate.OneOf(("pending", "applying", "applied", "declined"),
                                                                      error=broken(
        "bad_status", "§5.3.2", "状态应为 pending（待处理）、applying（正在更新）、applied（已更新）或 declined（未采纳）")))


class OpinionStatusQuery(_Strict):
    status = fields.String(load_default=None, validate=validate.OneOf(("requested", "answered"), error=broken(
        "bad_status", "§4.1", "状态应为 requested（待答复）或 answered（已答复）")))


UNIT_OWN = (CITY_ADMIN, UNIT_OFFICER)
ROUTES = [
    Route("GET", f"{V1}/districts/<code>/notices/<period>", district_notices,
          "本区各单位的反馈通知：待发布、有更新、已发布、单位已阅与已确认（§5.3.1）", "district", tag="反馈"),
    Route("GET", f"{V1}/districts/<code>/notices/<period>/units/<int:unit_id>", notice_preview,
          "某单位的反馈通知单（附录E）与汇总表（附录F），发布前预览", "district", tag="反馈"),
    Route("POST", f"{V1}/districts/<code>/notices/<period>/units/<int:unit_id>/release", release_notice,
          "发布某单位的反馈通知（经县（区）级组织部门，§5.3.1）", "district", tag="反馈",
          roles=(CITY_ADMIN, DISTRICT_OFFICER)),
    Route("POST", f"{V1}/districts/<code>/notices/<period>/release", release_district_notices,
          "一次发布本区全部已就绪的反馈通知，列出尚缺社区评语的单位", "district", tag="反馈",
          roles=(CITY_ADMIN, DISTRICT_OFFICER)),
    Route("GET", f"{V1}/communities/<community_code>/feedback/<period>", community_feedback,
          "本社区已公布半年度的党员积分、星级与社区评语（附录F）", "community", tag="反馈"),
    Route("PUT", f"{V1}/communities/<community_code>/feedback/<period>/comments", write_comments,
          "填写社区评语（附录F，§5.3.3）", "community", tag="反馈", body=fb.CommentsRequest,
          roles=(CITY_ADMIN, COMMUNITY_STAFF)),
    Route("GET", f"{V1}/units/<int:unit_id>/notices", unit_notices, "本单位收到的反馈通知（附录E、F）", "unit", tag="反馈",
          query=OptionalPeriodQuery, roles=UNIT_OWN),
    Route("GET", f"{V1}/units/<int:unit_id>/notices/<int:notice_id>", read_notice,
          "阅读反馈通知单与汇总表（单位阅读即记为已阅）", "unit", tag="反馈", roles=UNIT_OWN),
    Route("POST", f"{V1}/units/<int:unit_id>/notices/<int:notice_id>/acknowledgement", acknowledge_notice,
          "确认已收到反馈通知", "unit", tag="反馈", roles=(UNIT_OFFICER,)),
    Route("POST", f"{V1}/me/objections", raise_my_objection,
          "对本人的积分记录、漏记的服务或半年度结果提出异议（附录G，§5.3.4）", "member", tag="反馈",
          body=fb.ObjectionRequest, status=201),
    Route("GET", f"{V1}/me/objections", my_objections, "本人提出的异议及处理结果", "member", tag="反馈"),
    Route("GET", f"{V1}/me/objections/<int:objection_id>", my_objection, "本人某条异议的处理进度与结果", "member",
          tag="反馈"),
    Route("POST", f"{V1}/units/<int:unit_id>/objections", raise_unit_objection,
          "单位对本单位党员的积分记录提出异议（附录G）", "unit", tag="反馈", body=fb.ObjectionRequest, status=201,
          roles=(UNIT_OFFICER,)),
    Route("GET", f"{V1}/units/<int:unit_id>/objections", unit_objections, "本单位提出的异议及处理结果", "unit", tag="反馈",
          roles=UNIT_OWN),
    Route("GET", f"{V1}/communities/<community_code>/objections", community_objections,
          "本社区收到的异议（附录G），可按状态筛选", "community", tag="反馈", query=StatusQuery),
    Route("GET", f"{V1}/communities/<community_code>/objections/<int:objection_id>", community_objection,
          "某条异议的全部处理环节", "community", tag="反馈"),
    Route("POST", f"{V1}/communities/<community_code>/objections/<int:objection_id>/assignment", assign_objection,
          "分派执行部门调查核实（§5.3.5）", "community", tag="反馈", body=fb.AssignmentRequest,
          roles=(CITY_ADMIN, COMMUNITY_STAFF)),
    Route("POST", f"{V1}/communities/<community_code>/objections/<int:objection_id>/findings", record_findings,
          "记录实地调查核实情况（§5.3.5）", "community", tag="反馈", body=fb.FindingsRequest,
          roles=(CITY_ADMIN, COMMUNITY_STAFF)),
    Route("POST", f"{V1}/communities/<community_code>/objections/<int:objection_id>/decision", decide_objection,
          "作出处理决定：异议成立（补记冲正并修订已公布结果）或不成立（§5.3.5）", "community", tag="反馈",
          body=fb.DecisionRequest, roles=(CITY_ADMIN, COMMUNITY_STAFF)),
    Route("GET", f"{V1}/streets/<code>/objections/overdue", overdue_objections("street"),
          "本街道超期未办结的异议", "street", tag="反馈", roles=(CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER)),
    Route("GET", f"{V1}/districts/<code>/objections/overdue", overdue_objections("district"),
          "本区超期未办结的异议", "district", tag="反馈"),
    Route("POST", f"{V1}/me/detail-changes", report_my_detail_change,
          "向报到社区报告本人职务、联系方式或服务项目的变化（§5.3.2）", "member", tag="反馈",
          body=fb.DetailChangeRequest, status=201),
    Route("GET", f"{V1}/me/detail-changes", my_detail_changes, "本人报告的信息变更及处理情况", "member", tag="反馈"),
    Route("POST", f"{V1}/units/<int:unit_id>/detail-changes", report_unit_detail_change,
          "单位向党员报到社区报告党员信息变化（§5.3.2）", "unit", tag="反馈", body=fb.DetailChangeRequest, status=201,
          roles=(UNIT_OFFICER,)),
    Route("GET", f"{V1}/units/<int:unit_id>/detail-changes", unit_detail_changes, "本单位党员的信息变更及处理情况",
          "unit", tag="反馈", roles=UNIT_OWN),
    Route("GET", f"{V1}/communities/<community_code>/detail-changes", community_detail_changes,
          "待处理与已处理的党员信息变更", "community", tag="反馈", query=ChangeStatusQuery),
    Route("POST", f"{V1}/communities/<community_code>/detail-changes/<int:change_id>/decision", decide_detail_change,
          "更新或不采纳党员信息变更（§5.3.2）", "community", tag="反馈", body=fb.ChangeDecision,
          roles=(CITY_ADMIN, COMMUNITY_STAFF)),
    Route("POST", f"{V1}/units/<int:unit_id>/opinion-requests", request_opinion,
          "评先评优前征求党员报到社区的意见（§4.1）", "unit", tag="反馈", body=fb.OpinionRequest, status=201,
          roles=(UNIT_OFFICER,)),
    Route("GET", f"{V1}/units/<int:unit_id>/opinion-requests", unit_opinions, "本单位征求社区意见及答复", "unit",
          tag="反馈", roles=UNIT_OWN),
    Route("GET", f"{V1}/communities/<community_code>/opinion-requests", community_opinions,
          "单位征求本社区意见的请求", "community", tag="反馈", query=OpinionStatusQuery),
    Route("POST", f"{V1}/communities/<community_code>/opinion-requests/<int:opinion_id>/answer", answer_opinion,
          "答复单位的征求意见：附党员在本社区的表现记录（§4.1）", "community", tag="反馈", body=fb.OpinionAnswer,
          roles=(CITY_ADMIN, COMMUNITY_STAFF)),
    Route("GET", f"{V1}/units/<int:unit_id>/archive", unit_archive,
          "本单位“双报到”工作档案：报到、反馈通知、征求意见、异议、信息变更（§4.1）", "unit", tag="反馈",
          query=YearQuery, roles=UNIT_OWN),
]
