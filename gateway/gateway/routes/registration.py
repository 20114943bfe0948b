"""Routes of the registration service (报到): the administrative tree, the community database,
units, members' reports, transfers and certificates."""
from marshmallow import Schema, fields, validate, RAISE
from nameko.exceptions import deserialize

from contracts import registration as c
from contracts.access import COMMUNITY_STAFF, STREET_OFFICER, UNIT_OFFICER
from contracts.rules import broken

from ..paging import PageQuery
from .common import AREA, Route, V1, YearPageQuery, YearQuery, _Strict


class UnitSearchQuery(_Strict):
    q = fields.String(required=True, validate=validate.Length(2, 100, error=broken(
        "bad_search", "", "查找内容应为 2–100 个字：单位名称的一部分或统一社会信用代码")))


class RegistrationListQuery(YearPageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["submitted", "unit_approved", "accepted", "unit_rejected", "transferred"],
        error=broken("bad_status", "", "状态应为 submitted、unit_approved、accepted、unit_rejected、transferred 之一")))


class TransferQuery(PageQuery):
    overdue = fields.Boolean(load_default=False)


class ImportQuery(Schema):
    class Meta:
        unknown = RAISE
    filename = fields.String(load_default=None)
    submitted_by = fields.String(load_default=None)



UnitRegistrationBody = type("UnitRegistrationBody", (_Strict,), {k: v for k, v in c.UnitRegistrationRequest._declared_fields.items() if k != "community_code"})
InvitationBody = type("InvitationBody", (_Strict,), {k: v for k, v in c.InvitationRequest._declared_fields.items() if k != "street_code"})


class MemberReportBody(c.MemberReport):
    """Certificate B.1; the community comes from the path."""
    community_code = fields.String(load_default=None)



# --- handlers ---------------------------------------------------------------------------------
# `call` carries the validated body and query, the path values, the caller and the services.

def list_districts(call):
    return call.registration.list_districts()


def list_streets(call, district_code):
    return call.registration.list_streets(district_code)


def list_communities(call, street_code):
    return call.registration.list_communities(street_code)


def database(level):
    def handler(call, code=None):
        return call.registration.community_database(level, code, call.query["year"])
    handler.__name__ = f"{level}_database"
    return handler


def register_unit(call, community_code):
    return call.registration.register_unit({**call.body, "community_code": community_code})


def list_unit_registrations(call, community_code):
    return call.registration.list_unit_registrations(community_code, call.query["year"])


def get_unit(call, unit_id):
    return call.registration.get_unit(unit_id)


def unreported_members(call, unit_id):
    return call.registration.unreported_members(unit_id, call.query["year"])


def community_unreported(call, community_code):
    return call.registration.community_unreported(community_code, call.query["year"])


def send_invitation(call, street_code):
    return call.registration.send_invitation({**call.body, "street_code": street_code})


def list_invitations(call, street_code):
    return call.registration.list_invitations(street_code, call.query["year"])


def report_member(call, community_code):
    body = dict(call.body)
    if body.get("community_code") not in (None, community_code):
        from toolkit.validation import invalid
        raise invalid("community_code", "community_mismatch", "§4.2", "请求体中的社区代码与地址中的社区不一致")
    body["community_code"] = community_code
    # with the reports of other requests under way at the same moment, in one call (gateway.coalesce)
    outcome = call.gateway.reports.submit(
        {"caller": call.caller.to_context(), "request_id": call.service.request_id, "report": body},
        call.registration.report_members)
    if "error" in outcome:
        raise deserialize(outcome["error"])
    return outcome["result"]


def _registrations(call, owner):
    q = call.query
    return call.registration.list_registrations(owner, q["year"], q["status"], q["page_size"],
                                                (q["page"] - 1) * q["page_size"], call.sort)


def list_community_registrations(call, community_code):
    return _registrations(call, {"community_code": community_code})


def find_units(call):
    return call.registration.find_units(call.query["q"])


def community_roster(call, community_code):
    return call.registration.community_roster(community_code, call.query["year"])


def list_unit_member_registrations(call, unit_id):
    return _registrations(call, {"unit_id": unit_id})


def community_certificate(call, community_code, registration_id):
    return call.registration.get_certificate(registration_id, {"community_code": community_code})


def unit_certificate(call, unit_id, registration_id):
    return call.registration.get_certificate(registration_id, {"unit_id": unit_id})


def give_unit_opinion(call, unit_id, registration_id):
    return call.registration.give_unit_opinion(unit_id, registration_id, call.body)


def accept_registration(call, community_code, registration_id):
    return call.registration.accept_registration(community_code, registration_id, call.body)


def accept_registrations(call, community_code):
    return call.registration.accept_registrations(community_code, call.body)


def give_unit_opinions(call, unit_id):
    return call.registration.give_unit_opinions(unit_id, call.body)


def get_receipt(call, community_code, registration_id):
    return call.registration.get_receipt(community_code, registration_id)


def record_transfer(call, community_code, registration_id):
    return call.registration.record_transfer(community_code, registration_id, call.body)


def transfers(level):
    def handler(call, code):
        return call.registration.list_transfers(level, code, call.query["overdue"])
    handler.__name__ = f"{level}_transfers"
    return handler


def verify_certificate(call, number):
    return call.registration.verify_certificate(number)


def start_import(call, unit_id):
    import base64
    filename, content = call.upload
    return call.registration.start_import({
        "unit_id": unit_id, "filename": filename, "content_b64": base64.b64encode(content).decode(),
        "submitted_by": call.query.get("submitted_by") or call.caller.username[:30]})


def import_status(call, unit_id, job_id):
    return call.registration.import_status(job_id, unit_id)


def my_registrations(call):
    return call.registration.member_registrations(int(call.caller.scope))


REGISTRATION_SORT = ("id", "-id", "reported_at", "-reported_at", "certificate_no", "name", "status")
ROUTES = [
    Route("GET", f"{V1}/me/member-registrations", my_registrations, "本人的报到记录与报到证（在职党员）", "member", tag="账号"),
    # the administrative tree: names and codes are no secret to any signed-in account
    Route("GET", f"{V1}/districts", list_districts, "县（区）列表（含开发区）", "any", tag="行政区划", sort=("code", "name")),
    Route("GET", f"{V1}/districts/<district_code>/streets", list_streets, "某县（区）的街道", "any", tag="行政区划",
          sort=("code", "name")),
    Route("GET", f"{V1}/streets/<street_code>/communities", list_communities, "某街道的社区", "any", tag="行政区划",
          sort=("code", "name")),
    # the community database (R8), rolled up
    Route("GET", f"{V1}/city/database", database("city"), "全市报到信息库汇总（§4.3.2）", "city", tag="信息库", query=YearQuery),
    Route("GET", f"{V1}/districts/<code>/database", database("district"), "县（区）报到信息库汇总（§4.3.2）", "district", tag="信息库", query=YearQuery),
    Route("GET", f"{V1}/streets/<code>/database", database("street"), "街道报到信息库汇总（§4.3.2）", "street", tag="信息库", query=YearQuery),
    Route("GET", f"{V1}/communities/<code>/database", database("community"), "社区报到信息库（§4.3.2）", "community", tag="信息库", query=YearQuery),
    # units (§3.1.1) and invitations (§4.3.1)
    Route("POST", f"{V1}/communities/<community_code>/unit-registrations", register_unit,
          "驻地单位党组织到社区报到，结成党建联建对子（§3.1.1）", "community", body=UnitRegistrationBody, status=201,
          roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/unit-registrations", list_unit_registrations,
          "社区本年度报到单位", "community", query=YearPageQuery, sort=("unit_name", "unit_id", "unit_type", "registered_at")),
    Route("GET", f"{V1}/communities/<community_code>/unreported-members", community_unreported,
          "上年度在本社区报到、本年度尚未报到的党员（§4.2）", "community", query=YearPageQuery, sort=("id", "name", "unit_name")),
    Route("GET", f"{V1}/units", find_units, "按名称或统一社会信用代码查找单位（全市，最多 20 个）", "any",
          query=UnitSearchQuery, roles=AREA),
    Route("GET", f"{V1}/units/<int:unit_id>", get_unit, "单位信息", "unit"),
    Route("GET", f"{V1}/units/<int:unit_id>/unreported-members", unreported_members,
          "本单位本年度尚未报到的在职党员（§4.2）", "unit", query=YearPageQuery, sort=("id", "name")),
    Route("POST", f"{V1}/streets/<street_code>/invitations", send_invitation,
          "街道向驻地单位发出邀请函（§4.3.1）", "street", body=InvitationBody, status=201, roles=(STREET_OFFICER,)),
    Route("GET", f"{V1}/streets/<street_code>/invitations", list_invitations,
          "邀请函及单位是否已报到", "street", query=YearPageQuery, sort=("id", "-id", "unit_name", "sent_at")),
    # members (§3.1.2, §3.1.3, §4.2)
    Route("POST", f"{V1}/communities/<community_code>/member-registrations", report_member,
          "在职党员持报到证到社区报到（附录B.1）", "community", body=MemberReportBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/member-registrations", list_community_registrations,
          "社区报到党员列表", "community", query=RegistrationListQuery, sort=REGISTRATION_SORT),
    Route("GET", f"{V1}/communities/<community_code>/roster", community_roster,
          "社区党员名册：本年度全部报到党员，一次返回 {columns, rows}（不含电话、住址）", "community", query=YearQuery),
    Route("GET", f"{V1}/communities/<community_code>/member-registrations/<int:registration_id>",
          community_certificate, "报到证（附录B.1）", "community"),
    Route("POST", f"{V1}/communities/<community_code>/member-registrations/<int:registration_id>/acceptance",
          accept_registration, "社区接收报到，出具回执单（附录B.2，§3.1.3）并开设红色账户", "community", body=c.Acceptance,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/member-registrations/acceptances", accept_registrations,
          "批量接收报到（如导入的名单，每次至多 500 条）：逐条接收并出具回执单，不能接收的逐条说明原因（§3.1.3）",
          "community", body=c.BulkAcceptance, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/member-registrations/<int:registration_id>/receipt",
          get_receipt, "报到回执单（附录B.2）", "community"),
    Route("POST", f"{V1}/communities/<community_code>/member-registrations/<int:registration_id>/transfer",
          record_transfer, "登记单位、住址或社区变动，一个月内到新社区报到（§4.2）", "community", body=c.TransferRequest,
          status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/units/<int:unit_id>/member-registrations", list_unit_member_registrations,
          "本单位党员的报到", "unit", query=RegistrationListQuery, sort=REGISTRATION_SORT),
    Route("GET", f"{V1}/units/<int:unit_id>/member-registrations/<int:registration_id>", unit_certificate,
          "本单位党员的报到证（附录B.1）", "unit"),
    Route("POST", f"{V1}/units/<int:unit_id>/member-registrations/<int:registration_id>/opinion", give_unit_opinion,
          "单位党组织意见（同意或不同意）", "unit", body=c.UnitOpinion, roles=(UNIT_OFFICER,)),
    Route("POST", f"{V1}/units/<int:unit_id>/member-registrations/opinions", give_unit_opinions,
          "批量签署单位党组织意见（同意或不同意，每次至多 500 条）：逐条处理，不能处理的逐条说明原因", "unit",
          body=c.BulkOpinion, roles=(UNIT_OFFICER,)),
    Route("POST", f"{V1}/units/<int:unit_id>/member-imports", start_import,
          "批量导入本单位党员报到（CSV 或 XLSX，全部成功或全部不写入）", "unit", query=ImportQuery, status=202, upload=True,
          roles=(UNIT_OFFICER,)),
    Route("GET", f"{V1}/units/<int:unit_id>/member-imports/<int:job_id>", import_status,
          "批量导入进度与逐行错误报告", "unit"),
    # transfers (R7)
    Route("GET", f"{V1}/communities/<code>/transfers", transfers("community"), "社区的转移登记（可只看逾期）", "community",
          query=TransferQuery, sort=("deadline", "-deadline", "id")),
    Route("GET", f"{V1}/streets/<code>/transfers", transfers("street"), "街道的转移登记（可只看逾期）", "street",
          query=TransferQuery, sort=("deadline", "-deadline", "id")),
    Route("GET", f"{V1}/districts/<code>/transfers", transfers("district"), "县（区）的转移登记（可只看逾期）", "district",
          query=TransferQuery, sort=("deadline", "-deadline", "id")),
    # any signed-in account holding a certificate number can check it
    Route("GET", f"{V1}/certificates/<number>", verify_certificate, "核验报到证编号", "any"),
]
