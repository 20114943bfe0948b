"""The route table: every HTTP route of the platform, as data.

Each route names its method and path, the scope its path sits under (city, district, street,
community or unit: the node of the administrative tree whose people may use it; `member` for a
member's own records, `any` for every signed-in account, `public` for no login), the roles that
may call it, the schemas of its body and query, and a handler. The gateway checks role and scope
before the handler runs (gateway.service); the OpenAPI document and the permission test
(tests/test_permissions.py) are generated from this table, so a new route is documented and
covered without anyone remembering to.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

from marshmallow import Schema, fields, validate, RAISE
from nameko.exceptions import deserialize

from contracts import registration as c
from contracts import scoring as sc
from contracts import volunteering as vc
from contracts.access import (CITY_AREA, CITY_ADMIN, COMMUNITY_STAFF, DISTRICT_OFFICER, MEMBER, ROLES, STREET_OFFICER,
                              UNIT_OFFICER)
from contracts.errors import NotFound
from contracts.rules import broken
from toolkit.config import today

from . import admin, pictures
from .paging import PageQuery

# who may read under each scope (writes name their roles); area officers read what lies below them
READERS = {
    "public": (),
    "any": ROLES,
    "city": (CITY_ADMIN,),
    "district": (CITY_ADMIN, DISTRICT_OFFICER),
    "street": (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER),
    "community": (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, COMMUNITY_STAFF),
    # a unit's own officer, and the officers above the community the unit sits in
    "unit": (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, UNIT_OFFICER),
    "member": (MEMBER,),
}
SCOPES = tuple(READERS)
# the path value that names a route's node, by scope
SCOPE_PARAMS = {"district": ("district_code", "code"), "street": ("street_code", "code"),
                "community": ("community_code", "code"), "unit": ("unit_id",)}


@dataclass
class Route:
    method: str
    path: str
    handler: Callable
    summary: str
    scope: str                      # one of SCOPES
    tag: str = "报到"
    body: Optional[type] = None     # marshmallow schema of the JSON body
    query: Optional[type] = None    # marshmallow schema of the query string
    status: int = 200
    upload: bool = False            # body is a file (CSV/XLSX), not JSON
    roles: Optional[tuple] = None   # None: READERS[scope]
    sort: tuple = ()                # a list route: these fields sort its page (the first by default)
    responses: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.roles is None:
            self.roles = READERS[self.scope]
        # a page of a list: the query takes page, page_size and sort (gateway.paging)
        if self.sort and self.query is None:
            self.query = PageQuery

    @property
    def name(self):
        return self.handler.__name__

    @property
    def public(self):
        return self.scope == "public"

    @property
    def writes(self):
        return self.method != "GET"


# --- query strings ----------------------------------------------------------------------------

def _year_field():
    return fields.Integer(load_default=lambda: today().year, validate=validate.Range(
        2000, 2100, error=broken("bad_year", "§4.2", "年度应为 2000–2100 之间的整数")))


class YearQuery(Schema):
    class Meta:
        unknown = RAISE
    year = _year_field()


class YearPageQuery(PageQuery, YearQuery):
    pass


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


# --- bodies that carry less than the service request (the path supplies the rest) -----------

class _Strict(Schema):
    class Meta:
        unknown = RAISE


UnitRegistrationBody = type("UnitRegistrationBody", (_Strict,), {k: v for k, v in c.UnitRegistrationRequest._declared_fields.items() if k != "community_code"})
InvitationBody = type("InvitationBody", (_Strict,), {k: v for k, v in c.InvitationRequest._declared_fields.items() if k != "street_code"})


def _without(schema, *names):
    """A contract schema less the fields the path supplies."""
    return type(schema.__name__ + "Body", (_Strict,), {k: v for k, v in schema._declared_fields.items() if k not in names})


PostBody = _without(vc.PostRequest, "community_code")
HouseholdBody = _without(vc.HouseholdRequest, "community_code")
CoverageBody = _without(vc.CoverageRequest, "community_code")


OrganizationLifeBody = _without(vc.OrganizationLifeRequest, "community_code")
PairingBody = _without(vc.PairingRequest, "community_code")
StudioBody = _without(vc.StudioRequest, "community_code")
ProjectBody = _without(vc.ProjectRequest, "community_code")


class UnvisitedQuery(PageQuery):
    days = fields.Integer(load_default=30, validate=validate.Range(1, 366, error=broken(
        "bad_days", "§3.4.5", "天数应为 1–366")))
TeamBody = _without(vc.TeamRequest, "community_code")


TeamActivityBody = _without(vc.ActivityRequest, "community_code", "team_id")


class ActivityBody(vc.ActivityRequest):
    """Announcement of an activity (§3.3.2); the community comes from the path."""
    community_code = fields.String(load_default=None)


class ClaimBody(_Strict):
    post_id = fields.Integer(required=True, strict=True)


class SignUpBody(_Strict):
    activity_id = fields.Integer(required=True, strict=True)


class ClaimListQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(["pending", "approved", "rejected", "left"], error=broken(
        "bad_status", "", "状态应为 pending、approved、rejected、left 之一")))


MeritBody = _without(sc.MeritRequest, "community_code")


class PeriodQuery(_Strict):
    period = fields.String(required=True, validate=validate.Regexp(r"^20\d\dH[12]$", error=broken(
        "bad_period", "§3.5.4", "半年度应写作如 2026H1（上半年）或 2026H2（下半年）")))


class BoardQuery(_Strict):
    kind = fields.String(load_default="member", validate=validate.OneOf(("member", "unit"), error=broken(
        "bad_kind", "§3.5.6", "榜单类别应为 member（党员）或 unit（党组织）")))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500, error=broken(
        "bad_limit", "", "名次数应为 1–500")))


class PictureQuery(_Strict):
    kind = BoardQuery._declared_fields["kind"]


class CandidatesQuery(PeriodQuery):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 200, error=broken(
        "bad_limit", "", "人数应为 1–200")))


class PeriodBody(_Strict):
    period = PeriodQuery._declared_fields["period"]


GoodsBody = _without(sc.GoodsRequest, "community_code")


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


# --- volunteering (认岗 · 承诺 · 践诺) ------------------------------------------------------------

def _me(call):
    return int(call.caller.scope)


def design_post(call, community_code):
    return call.volunteering.design_post({**call.body, "community_code": community_code})


def list_posts(call, community_code):
    return call.volunteering.list_posts(community_code)


def suggested_members(call, community_code, post_id):
    return call.volunteering.suggest_members(community_code, post_id)


def list_claims(call, community_code):
    return call.volunteering.list_claims(community_code, call.query["status"])


def review_claim(call, community_code, claim_id):
    return call.volunteering.review_claim(community_code, claim_id, call.body)


def form_team(call, community_code):
    return call.volunteering.form_team({**call.body, "community_code": community_code})


def announce_activity(call, community_code):
    body = dict(call.body)
    if body.get("community_code") not in (None, community_code):
        from toolkit.validation import invalid
        raise invalid("community_code", "community_mismatch", "§3.3.2", "请求体中的社区代码与地址中的社区不一致")
    return call.volunteering.announce_activity({**body, "community_code": community_code})


def list_activities(call, community_code):
    return call.volunteering.list_activities(community_code)


def check_in_code(call, community_code, activity_id):
    return call.volunteering.check_in_code(community_code, activity_id)


def assess(call, community_code, activity_id):
    return call.volunteering.assess(community_code, activity_id, call.body)


def my_suggested_posts(call):
    return call.volunteering.suggest_posts(_me(call))


def claim_post(call):
    return call.volunteering.claim_post(_me(call), call.body["post_id"])


def sign_up(call):
    return call.volunteering.sign_up(_me(call), call.body["activity_id"])


def check_in(call, activity_id):
    return call.volunteering.check_in(_me(call), activity_id, call.body)


def check_out(call, activity_id):
    return call.volunteering.check_out(_me(call), activity_id, call.body)


def add_household(call, community_code):
    return call.volunteering.add_household({**call.body, "community_code": community_code})


def list_households(call, community_code):
    return call.volunteering.list_households(community_code)


def set_coverage(call, community_code):
    return call.volunteering.set_coverage({**call.body, "community_code": community_code})


def unvisited_households(call, community_code):
    return call.volunteering.unvisited_households(community_code, call.query["days"])


def record_visit(call):
    return call.volunteering.record_visit(_me(call), call.body)


def commit(call):
    return call.volunteering.commit(_me(call), call.body)


def list_commitments(call, community_code):
    return call.volunteering.list_commitments(community_code, call.query["year"])


def record_organization_life(call, community_code):
    return call.volunteering.record_organization_life({**call.body, "community_code": community_code})


def without_organization_life(call, community_code):
    return call.volunteering.without_organization_life(community_code, call.query["year"])


def pair(call, community_code):
    return call.volunteering.pair({**call.body, "community_code": community_code})


def list_pairings(call, community_code):
    return call.volunteering.list_pairings(community_code)


def open_studio(call, community_code):
    return call.volunteering.open_studio({**call.body, "community_code": community_code})


def community_board(call, community_code):
    return call.volunteering.board(community_code, call.query["year"])


def sign_project(call, community_code):
    return call.volunteering.sign_project({**call.body, "community_code": community_code})


def community_projects(call, community_code):
    return call.volunteering.list_projects({"community_code": community_code})


def unit_projects(call, unit_id):
    return call.volunteering.list_projects({"unit_id": unit_id})


def get_project(call, community_code, project_id):
    return call.volunteering.get_project(community_code, project_id)


def change_project_status(call, community_code, project_id):
    return call.volunteering.change_project_status(community_code, project_id, call.body)


def rate_project(call, community_code, project_id):
    return call.volunteering.rate_project(community_code, project_id, call.body)


def request_late_record(call, activity_id):
    return call.volunteering.request_late_record(_me(call), activity_id, call.body)


def decide_late_record(call, community_code, activity_id, member_id):
    return call.volunteering.decide_late_record(community_code, activity_id, member_id, call.body)


def leave_post(call, claim_id):
    return call.volunteering.leave_post(_me(call), claim_id)


def join_team(call, team_id):
    return call.volunteering.join_team(_me(call), team_id)


def leave_team(call, team_id):
    return call.volunteering.leave_team(_me(call), team_id)


def announce_team_activity(call, team_id):
    return call.volunteering.announce_team_activity(_me(call), team_id, call.body)


def announce_festival_campaign(call, district_code):
    return call.volunteering.announce_festival_campaign(district_code, call.body)


# --- scoring (评星) -----------------------------------------------------------------------------

def my_points(call):
    return call.scoring.member_points(_me(call), call.query["period"])


def member_points(call, community_code, member_id):
    return call.scoring.community_member_points(community_code, member_id, call.query["period"])


def record_merit(call, community_code):
    return call.scoring.record_merit({**call.body, "community_code": community_code})


def correct_entry(call, community_code, entry_id):
    return call.scoring.correct(community_code, entry_id, call.body)


def draft_settlement(call, community_code, period):
    return call.scoring.draft_settlement(community_code, period)


def get_settlement(call, community_code, period):
    return call.scoring.get_settlement(community_code, period)


def review_settlement(call, community_code, period):
    return call.scoring.review_settlement(community_code, period, call.body)


def publish_settlement(call, community_code, period):
    return call.scoring.publish_settlement(community_code, period)


def revise_settlement(call, community_code, period):
    return call.scoring.revise_settlement(community_code, period, call.body)


def settlement_run(level):
    def handler(call, code=None):
        return call.scoring.start_settlement(code or CITY_AREA, call.body["period"])
    handler.__name__ = f"{level}_settlement_run"
    return handler


def settlement_run_status(level):
    def handler(call, run_id, code=None):
        return call.scoring.settlement_run(run_id, code or CITY_AREA)
    handler.__name__ = f"{level}_settlement_run_status"
    return handler


def board(call, area_code, period):
    return call.scoring.board(area_code, period, call.query["kind"], call.query["limit"])


def board_picture(call, area_code, period):
    return pictures.board(call.scoring.board(area_code, period, call.query["kind"], 20))


def honour_list(call, area_code, period):
    return call.scoring.honour_list(area_code, period)


def honour_certificate(call, community_code, member_id, period):
    return pictures.certificate(call.scoring.honour_certificate(community_code, member_id, period))


def award_candidates(call, code):
    return call.scoring.award_candidates(code, call.query["period"], call.query["limit"])


def assessment(level):
    def handler(call, code):
        return call.scoring.assessment(code, call.query["period"])
    handler.__name__ = f"{level}_assessment"
    return handler


def register_d1(call, community_code, member_id):
    """Register D.1 whole: the points from scoring, who the member is from registration, the posts
    from volunteering (the phone masked for roles that do not need it, by the gateway as always)."""
    d1 = call.scoring.register_d1(community_code, member_id, call.query["period"])
    return _d1_header(d1, _profile(call, member_id, community_code),
                      call.volunteering.member_posts(member_id, community_code))


def my_register_d1(call):
    d1 = call.scoring.my_register_d1(_me(call), call.query["period"])
    posts = [p for p in call.volunteering.member_posts(_me(call)) if p["community_code"] == d1["community_code"]]
    return _d1_header(d1, _profile(call, _me(call)), posts)


def _profile(call, member_id, community_code=None):
    """The personal part of D.1; None (the points still shown) if registration has no accepted report."""
    try:
        return call.registration.member_profile(member_id, community_code)
    except NotFound:
        return None


def _d1_header(d1, profile, posts):
    return {**d1, "profile": profile, "claimed_posts": posts}


def add_goods(call, community_code):
    return call.scoring.add_goods({**call.body, "community_code": community_code})


def update_goods(call, community_code, goods_id):
    return call.scoring.update_goods(community_code, goods_id, call.body)


def catalog(call, community_code):
    return call.scoring.catalog(community_code)


def community_redemptions(call, community_code):
    return call.scoring.redemptions(community_code)


def cancel_redemption(call, community_code, redemption_id):
    return call.scoring.cancel_redemption(community_code, redemption_id, call.body)


def my_supermarket(call):
    return call.scoring.my_catalog(_me(call))


def redeem(call):
    return call.scoring.redeem(_me(call), call.body)


def my_redemptions(call):
    return call.scoring.my_redemptions(_me(call))


def festivals(call, year):
    return call.volunteering.festivals(year)


V1 = "/api/v1"
AREA = (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, COMMUNITY_STAFF)
REGISTRATION_SORT = ("id", "-id", "reported_at", "-reported_at", "certificate_no", "name", "status")
ROUTES = [
    # signing in (gateway.admin)
    Route("POST", f"{V1}/auth/login", admin.login, "登录：用户名与密码换取访问令牌和刷新令牌", "public", tag="账号",
          body=admin.LoginBody),
    Route("POST", f"{V1}/auth/refresh", admin.refresh, "用刷新令牌换取新的令牌（旧刷新令牌随即失效）", "public", tag="账号",
          body=admin.RefreshBody),
    Route("POST", f"{V1}/auth/logout", admin.logout, "退出登录：结束本会话，其令牌随即失效", "any", tag="账号"),
    Route("GET", f"{V1}/me", admin.me, "当前账号：角色与管辖范围", "any", tag="账号"),
    Route("POST", f"{V1}/me/password", admin.change_password, "修改本人密码（本账号的全部会话随即结束，请重新登录）", "any", tag="账号",
          body=admin.PasswordBody),
    Route("GET", f"{V1}/me/member-registrations", my_registrations, "本人的报到记录与报到证（在职党员）", "member", tag="账号"),
    # accounts and the audit log: the city administrator
    Route("GET", f"{V1}/accounts", admin.list_accounts, "账号列表（可按角色、范围筛选）", "city", tag="账号",
          query=admin.AccountQuery, sort=("username", "id", "-id", "role", "scope")),
    Route("POST", f"{V1}/accounts", admin.create_account, "创建账号（绑定到行政区划节点、单位或党员）", "city", tag="账号",
          body=admin.AccountBody, status=201),
    Route("POST", f"{V1}/accounts/<int:account_id>/state", admin.set_state, "停用、启用或解锁账号", "city", tag="账号",
          body=admin.AccountStateBody),
    Route("POST", f"{V1}/accounts/<int:account_id>/revocation", admin.revoke, "吊销账号的全部会话与令牌", "city", tag="账号"),
    Route("GET", f"{V1}/audit", admin.search_audit, "审计日志检索：谁、何时、以何角色读取或更改了什么", "city", tag="账号",
          query=admin.AuditQuery, sort=("-at", "at")),
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
    Route("GET", f"{V1}/communities/<community_code>/member-registrations/<int:registration_id>",
          community_certificate, "报到证（附录B.1）", "community"),
    Route("POST", f"{V1}/communities/<community_code>/member-registrations/<int:registration_id>/acceptance",
          accept_registration, "社区接收报到，出具回执单（附录B.2，§3.1.3）并开设红色账户", "community", body=c.Acceptance,
          roles=(COMMUNITY_STAFF,)),
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

    # volunteering: posts and claims (§3.2.2), teams (§3.2.3), activities (§3.3.2, §3.4)
    Route("POST", f"{V1}/communities/<community_code>/posts", design_post, "社区按居民需求类别设计志愿服务岗位（§3.2.2）",
          "community", tag="认岗", body=PostBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/posts", list_posts, "社区的志愿服务岗位", "community", tag="认岗",
          sort=("id", "-id", "category", "title")),
    Route("GET", f"{V1}/communities/<community_code>/posts/<int:post_id>/suggested-members", suggested_members,
          "适合该岗位的党员（特长与需求匹配，附理由）", "community", tag="认岗", sort=("member_id", "name")),
    Route("GET", f"{V1}/communities/<community_code>/post-claims", list_claims, "认岗申请（可按状态筛选）",
          "community", tag="认岗", query=ClaimListQuery, sort=("id", "-id", "post_id", "status")),
    Route("POST", f"{V1}/communities/<community_code>/post-claims/<int:claim_id>/review", review_claim,
          "审核认岗申请（§3.2.2）", "community", tag="认岗", body=vc.ClaimReview, roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/teams", form_team,
          "组建服务队：组织领建、专业同建或兴趣联建（§3.2.3）", "community", tag="认岗", body=TeamBody, status=201,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/activities", announce_activity,
          "发布服务活动：内容、时间、地点、联系方式（§3.3.2）；节日集中服务（§3.4.2）", "community", tag="践诺",
          body=ActivityBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/activities", list_activities, "社区的服务活动", "community",
          tag="践诺", sort=("-starts_at", "starts_at", "id")),
    Route("GET", f"{V1}/communities/<community_code>/activities/<int:activity_id>/check-in-code", check_in_code,
          "组织者出示的签到码（每分钟更换）", "community", tag="践诺", roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/activities/<int:activity_id>/assessment", assess,
          "组织者评价每位参与党员的服务质量和成效（基础分5分，±3分，§3.5.2）", "community", tag="践诺",
          body=vc.AssessmentRequest, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/me/suggested-posts", my_suggested_posts, "推荐给本人的岗位（附理由）", "member", tag="认岗"),
    Route("POST", f"{V1}/me/post-claims", claim_post, "认领本人报到社区的岗位（§3.2.2）", "member", tag="认岗",
          body=ClaimBody, status=201),
    Route("POST", f"{V1}/me/activity-signups", sign_up, "报名参加活动", "member", tag="践诺", body=SignUpBody, status=201),
    Route("POST", f"{V1}/me/activities/<int:activity_id>/check-in", check_in, "凭组织者出示的签到码签到", "member",
          tag="践诺", body=vc.CheckInRequest),
    Route("POST", f"{V1}/me/activities/<int:activity_id>/check-out", check_out, "凭组织者出示的签到码签退", "member",
          tag="践诺", body=vc.CheckInRequest),
    Route("POST", f"{V1}/communities/<community_code>/households", add_household, "登记联系户（§3.4.5）", "community",
          tag="践诺", body=HouseholdBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/households", list_households, "联系户、联系的党员干部与最近走访",
          "community", tag="践诺", sort=("household_id", "head_name", "last_visit")),
    Route("POST", f"{V1}/communities/<community_code>/household-coverage", set_coverage,
          "为党员干部确定联系户：每人 10–15 户（§3.4.5）", "community", tag="践诺", body=CoverageBody,
          roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/households/unvisited", unvisited_households,
          "若干天内未走访的联系户（§3.4.5）", "community", tag="践诺", query=UnvisitedQuery, sort=("household_id", "last_visit")),
    Route("POST", f"{V1}/me/household-visits", record_visit, "登记走访：查民情、讲政策、解难题、办实事（§3.4.5）",
          "member", tag="践诺", body=vc.VisitRequest, status=201),
    Route("POST", f"{V1}/me/commitments", commit, "公开本人本年度服务承诺：项目、次数、时长、方式（§3.3.3）", "member",
          tag="承诺", body=vc.CommitmentRequest, status=201),
    Route("GET", f"{V1}/communities/<community_code>/commitments", list_commitments,
          "社区党员的年度服务承诺及践诺进度（§3.3.3）", "community", tag="承诺", query=YearPageQuery,
          sort=("id", "member_id", "progress")),
    Route("POST", f"{V1}/communities/<community_code>/organization-life", record_organization_life,
          "登记在报到社区参加组织生活或主题活动的党员（§4.2）", "community", tag="践诺", body=OrganizationLifeBody,
          status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/organization-life/missing", without_organization_life,
          "本年度尚未在本社区参加组织生活或主题活动的党员（§4.2）", "community", tag="践诺", query=YearPageQuery,
          sort=("member_id", "name")),
    Route("POST", f"{V1}/communities/<community_code>/support-pairings", pair,
          "党员与困难党员群众、残疾人、空巢老人结对帮扶：一对一或多对一（§3.4.4）", "community", tag="践诺",
          body=PairingBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/support-pairings", list_pairings, "社区的结对帮扶（§3.4.4）",
          "community", tag="践诺", sort=("id", "resident_category")),
    Route("POST", f"{V1}/communities/<community_code>/studios", open_studio,
          "以党员名字命名的特长党员工作室：照片、姓名、单位、服务项目、开放时间（§3.2.4、§3.3.4）", "community",
          tag="认岗", body=StudioBody, status=201, roles=(COMMUNITY_STAFF,)),
    # the public board: names, teams and progress only, for every signed-in account
    Route("GET", f"{V1}/communities/<community_code>/board", community_board,
          "社区公示栏：服务队、特长党员工作室、党员承诺及践诺进度、近期活动（仅公开信息）", "any", tag="承诺",
          query=YearQuery),
    Route("POST", f"{V1}/communities/<community_code>/projects", sign_project,
          "签订党建联建项目：目标、预期效果、期限、“五联”、服务次数、时长和方式（§3.3.1、§5.2.1、附录C）", "community",
          tag="承诺", body=ProjectBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/projects", community_projects, "社区的党建联建项目", "community",
          tag="承诺", sort=("id", "deadline", "status")),
    Route("GET", f"{V1}/communities/<community_code>/projects/<int:project_id>", get_project,
          "联建项目及其状态变化与评价", "community", tag="承诺"),
    Route("POST", f"{V1}/communities/<community_code>/projects/<int:project_id>/status", change_project_status,
          "项目进展：实施中、已完成或取消（§3.4.1）", "community", tag="践诺", body=vc.ProjectStatusChange,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/projects/<int:project_id>/ratings", rate_project,
          "社区或服务对象对项目的评价，每项 0–30 分（§3.5.1）", "community", tag="评星", body=vc.ProjectRating,
          status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/units/<int:unit_id>/projects", unit_projects, "本单位的党建联建项目", "unit", tag="承诺",
          sort=("id", "deadline", "status")),
    Route("POST", f"{V1}/me/activities/<int:activity_id>/late-record", request_late_record,
          "事后补录服务记录（须社区审核，审核后注明为补录）", "member", tag="践诺", body=vc.LateRecordRequest, status=201),
    Route("POST", f"{V1}/communities/<community_code>/activities/<int:activity_id>/late-records/<int:member_id>/decision",
          decide_late_record, "审核事后补录的服务记录", "community", tag="践诺", body=vc.LateRecordDecision,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/me/post-claims/<int:claim_id>/leave", leave_post, "退出已认领的岗位", "member", tag="认岗"),
    Route("POST", f"{V1}/me/teams/<int:team_id>/join", join_team, "加入本人报到社区的服务队（§3.2.3）", "member", tag="认岗"),
    Route("POST", f"{V1}/me/teams/<int:team_id>/leave", leave_team, "退出服务队", "member", tag="认岗"),
    Route("POST", f"{V1}/me/teams/<int:team_id>/activities", announce_team_activity,
          "服务队队长发布本队的服务内容、时间、地点和联系方式（§3.3.2）", "member", tag="承诺", body=TeamActivityBody,
          status=201),
    Route("POST", f"{V1}/districts/<district_code>/festival-campaigns", announce_festival_campaign,
          "县（区）组织七一、端午、重阳、春节集中服务：在所列社区各发布一场活动（§3.4.2）", "district", tag="践诺",
          body=vc.CampaignRequest, status=201, roles=(DISTRICT_OFFICER,)),
    Route("GET", f"{V1}/me/points", my_points, "本人半年度积分、星级与积分明细（§3.5）", "member", tag="评星",
          query=PeriodQuery),
    Route("GET", f"{V1}/communities/<community_code>/members/<int:member_id>/points", member_points,
          "党员在本社区的半年度积分、星级与明细（§3.5）", "community", tag="评星", query=PeriodQuery),
    Route("POST", f"{V1}/communities/<community_code>/merit-entries", record_merit,
          "一事一记：记录党员突出事迹加分（§3.5.3）", "community", tag="评星", body=MeritBody, status=201,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/ledger/<int:entry_id>/corrections", correct_entry,
          "更正积分：新增一条冲正记录并注明理由（原记录不改）", "community", tag="评星", body=sc.CorrectionRequest,
          status=201, roles=(COMMUNITY_STAFF,)),
    # settlement (§3.5.4–5): draft, the members' congress reviews, publication, revisions
    Route("POST", f"{V1}/communities/<community_code>/settlements/<period>/draft", draft_settlement,
          "生成（或重新生成）社区半年度积分评星清算草稿（§3.5.4）", "community", tag="评星", roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/settlements/<period>", get_settlement,
          "社区半年度清算：当前版本的党员与党组织积分、星级，以及各修订版（§3.5.4–5）", "community", tag="评星"),
    Route("POST", f"{V1}/communities/<community_code>/settlements/<period>/review", review_settlement,
          "登记党员群众代表大会对清算草稿的审议（§3.5.5）", "community", tag="评星", body=sc.ReviewRequest,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/settlements/<period>/publication", publish_settlement,
          "公布已审议的清算结果：上先锋榜，并向各单位反馈（§3.5.5–6，§5.3.1）", "community", tag="评星",
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/settlements/<period>/revisions", revise_settlement,
          "已公布的半年度需更正时发起修订（写明理由，重新审议、公布）", "community", tag="评星", body=sc.RevisionRequest,
          status=201, roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/city/settlement-runs", settlement_run("city"), "全市各社区半年度清算草稿（逐社区并行生成）",
          "city", tag="评星", body=PeriodBody, status=202),
    Route("POST", f"{V1}/districts/<code>/settlement-runs", settlement_run("district"),
          "县（区）内各社区半年度清算草稿（逐社区并行生成）", "district", tag="评星", body=PeriodBody, status=202),
    Route("POST", f"{V1}/streets/<code>/settlement-runs", settlement_run("street"),
          "街道内各社区半年度清算草稿（逐社区并行生成）", "street", tag="评星", body=PeriodBody, status=202),
    Route("GET", f"{V1}/city/settlement-runs/<int:run_id>", settlement_run_status("city"), "清算任务进度", "city",
          tag="评星"),
    Route("GET", f"{V1}/districts/<code>/settlement-runs/<int:run_id>", settlement_run_status("district"),
          "清算任务进度", "district", tag="评星"),
    Route("GET", f"{V1}/streets/<code>/settlement-runs/<int:run_id>", settlement_run_status("street"),
          "清算任务进度", "street", tag="评星"),
    # what published results show (§3.5.6, §3.6, §5.4)
    Route("GET", f"{V1}/boards/<area_code>/<period>", board,
          "先锋榜：社区、街道、县（区）或全市已公布的党员或党组织积分排名（§3.5.6）", "any", tag="激励", query=BoardQuery),
    Route("GET", f"{V1}/boards/<area_code>/<period>/picture", board_picture, "先锋榜图片（SVG，前 20 名）",
          "any", tag="激励", query=PictureQuery, responses={200: ("image/svg+xml", "先锋榜图片")}),
    Route("GET", f"{V1}/honour-list/<area_code>/<period>", honour_list, "十星级党员志愿者名单（§3.6.2）",
          "any", tag="激励"),
    Route("GET", f"{V1}/communities/<community_code>/honour-certificates/<int:member_id>/<period>",
          honour_certificate, "十星级党员志愿者荣誉证书（SVG，§3.6.2）", "any", tag="激励",
          responses={200: ("image/svg+xml", "荣誉证书")}),
    Route("GET", f"{V1}/districts/<code>/award-candidates", award_candidates,
          "评选“最美党员”“荣誉居民”“志愿服务先进集体”的候选名单（§5.4.2，星级优先 §3.6.1）", "district", tag="激励",
          query=CandidatesQuery),
    Route("GET", f"{V1}/districts/<code>/assessment", assessment("district"),
          "社区党建考核：各单位参与、各社区组织志愿服务情况（§5.4.1）", "district", tag="激励", query=PeriodQuery),
    Route("GET", f"{V1}/streets/<code>/assessment", assessment("street"),
          "社区党建考核：各单位参与、各社区组织志愿服务情况（§5.4.1）", "street", tag="激励", query=PeriodQuery),
    Route("GET", f"{V1}/communities/<code>/assessment", assessment("community"),
          "社区党建考核：各单位参与、本社区组织志愿服务情况（§5.4.1）", "community", tag="激励", query=PeriodQuery),
    Route("GET", f"{V1}/communities/<community_code>/members/<int:member_id>/register-d1", register_d1,
          "登记表 D.1：党员半年度服务记录、积分与星级（§3.5.4）", "community", tag="评星", query=PeriodQuery),
    Route("GET", f"{V1}/me/register-d1", my_register_d1, "本人的登记表 D.1（§3.5.4）", "member", tag="评星",
          query=PeriodQuery),
    # the supermarket (§3.6.3)
    Route("POST", f"{V1}/communities/<community_code>/supermarket/goods", add_goods,
          "党员志愿服务超市上架物品或服务（标明所需积分与库存，§3.6.3）", "community", tag="激励", body=GoodsBody,
          status=201, roles=(COMMUNITY_STAFF,)),
    Route("PATCH", f"{V1}/communities/<community_code>/supermarket/goods/<int:goods_id>", update_goods,
          "调整所需积分、库存或上下架", "community", tag="激励", body=sc.GoodsUpdate, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/supermarket/goods", catalog, "超市的物品与服务（含已下架）",
          "community", tag="激励"),
    Route("GET", f"{V1}/communities/<community_code>/supermarket/redemptions", community_redemptions,
          "本社区超市的兑换记录", "community", tag="激励"),
    Route("POST", f"{V1}/communities/<community_code>/supermarket/redemptions/<int:redemption_id>/cancellation",
          cancel_redemption, "撤销兑换：积分与库存退回", "community", tag="激励", body=sc.CancellationRequest,
          roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/me/supermarket", my_supermarket, "本人报到社区的志愿服务超市与本人积分余额（§3.6.3）", "member",
          tag="激励"),
    Route("POST", f"{V1}/me/redemptions", redeem, "用积分兑换物品或服务（余额、库存不足则不兑换）", "member", tag="激励",
          body=sc.RedemptionRequest, status=201),
    Route("GET", f"{V1}/me/redemptions", my_redemptions, "本人的兑换记录与积分余额", "member", tag="激励"),
    Route("GET", f"{V1}/festivals/<int:year>", festivals, "某年的节日集中服务日期（七一、端午、重阳、春节，农历自动换算）",
          "any", tag="践诺"),
]
