"""RPC requests of the volunteering service (认岗 · 承诺 · 践诺: RULES P1–P4, C1–C4, F1–F6;
§3.2, §3.3, §3.4, §5.2). The gateway validates HTTP bodies with these schemas and the service
validates again at its RPC boundary."""
from marshmallow import RAISE, Schema, fields, validate, validates_schema

from .registration import SKILLS
from .written import named
from .rules import broken, fail_field
from .scoring import RULE_NUMBER_LIMIT

# §3.2.3: how a service team is formed
TEAM_FORMATIONS = named({"org_led": "组织领建", "profession": "专业同建", "interest": "兴趣联建"})
# §3.4.2: the festival campaigns the districts organize; lunar ones are computed for each year
FESTIVALS = named({"qiyi": "七一", "chongyang": "重阳", "duanwu": "端午", "chunjie": "春节"}, 重阳节="chongyang",
                  端午节="duanwu", 建党节="qiyi")
ACTIVITY_KINDS = named({"regular": "常态化服务活动（§3.4.3）", "festival": "节日集中服务（§3.4.2）"}, 常态化="regular",
                       常态化服务="regular", 常态化服务活动="regular", 节日="festival", 节日集中服务="festival")
# §3.5.2: 5 base points, moved by at most 3 for quality and results; a special case 0..10. These
# are version 1's numbers: the scoring rule version in force for the half year decides (S7), as
# the volunteering service heard it (rule_version_published), and these until it hears of one.
BASE_POINTS, MAX_ADJUSTMENT, OVERRIDE_RANGE = 5, 3, (0, 10)


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _text(lo, hi, what):
    return validate.Length(lo, hi, error=broken("length", "", f"{what}长度应为 {lo}–{hi} 个字"))


class PostRequest(Strict):
    """A volunteer post a community designs by category of residents' needs (§3.2.2)."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$", error=broken(
        "bad_community_code", "§3.2.2", "社区代码应为12位数字")))
    category = fields.String(required=True, validate=_text(2, 20, "需求类别"))
    title = fields.String(required=True, validate=_text(2, 60, "岗位名称"))
    description = fields.String(load_default="", validate=validate.Length(max=1000))
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 500, error=broken(
        "bad_capacity", "§3.2.2", "岗位人数应为 1–500")))
    place = fields.String(required=True, validate=_text(2, 100, "服务地点"))
    schedule = fields.String(required=True, validate=_text(2, 100, "服务时间"))
    skills = fields.List(fields.String(validate=validate.OneOf(SKILLS, error=broken(
        "bad_skill", "附录B.1", "特长应为报到证所列23项之一或“其它”"))), load_default=list)


class ClaimReview(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"], error=broken(
        "bad_decision", "§3.2.2", "审核结果应为 approve 或 reject")))
    note = fields.String(load_default="", validate=validate.Length(max=200))


class TeamRequest(Strict):
    """A service team of members who claimed the same post or share interests (§3.2.3)."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    name = fields.String(required=True, validate=_text(2, 40, "服务队名称"))
    formation = fields.String(required=True, validate=validate.OneOf(list(TEAM_FORMATIONS), error=broken(
        "bad_formation", "§3.2.3", "组建方式应为 org_led（组织领建）、profession（专业同建）或 interest（兴趣联建）")))
    post_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    leader_member_id = fields.Integer(required=True, strict=True)
    member_ids = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(
        1, 200, error=broken("bad_team_size", "§3.2.3", "服务队成员应为 1–200 人")))


class ActivityRequest(Strict):
    """An activity announced before serving: content, time, place and contact (§3.3.2)."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    kind = fields.String(required=True, validate=validate.OneOf(list(ACTIVITY_KINDS), error=broken(
        "bad_kind", "§3.4", "活动类型应为 regular（常态化）或 festival（节日集中服务）")))
    festival = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(FESTIVALS), error=broken(
        "bad_festival", "§3.4.2", "节日应为 qiyi（七一）、chongyang（重阳）、duanwu（端午）或 chunjie（春节）")))
    title = fields.String(required=True, validate=_text(2, 60, "活动名称"))
    content = fields.String(required=True, validate=_text(2, 1000, "服务内容"))
    place = fields.String(required=True, validate=_text(2, 100, "服务地点"))
    contact = fields.String(required=True, validate=_text(2, 60, "联系方式"))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2000))
    team_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    post_id = fields.Integer(load_default=None, allow_none=True, strict=True)

    @validates_schema
    def _times(self, data, **kwargs):
        if data.get("starts_at") and data.get("ends_at"):
            if data["ends_at"] <= data["starts_at"]:
                fail_field("ends_at", "ends_before_start", "§3.3.2", "结束时间应晚于开始时间")
            elif (data["ends_at"] - data["starts_at"]).total_seconds() > 24 * 3600:
                fail_field("ends_at", "too_long", "§3.3.2", "一次活动不超过24小时")
        if data.get("kind") == "festival" and not data.get("festival"):
            fail_field("festival", "festival_missing", "§3.4.2", "节日集中服务须注明节日")


# F5, §3.4.5: what a home visit does, and how many households a member cadre covers
VISIT_KINDS = ("查民情", "讲政策", "解难题", "办实事")
HOUSEHOLDS_PER_CADRE = (10, 15)


class HouseholdRequest(Strict):
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    head_name = fields.String(required=True, validate=_text(1, 30, "户主姓名"))
    home_address = fields.String(required=True, validate=_text(5, 200, "住址"))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    tags = fields.List(fields.String(validate=_text(1, 20, "标签")), load_default=list)


class CoverageRequest(Strict):
    """The households a member cadre covers: 10 to 15 (§3.4.5)."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    member_id = fields.Integer(required=True, strict=True)
    household_ids = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(
        *HOUSEHOLDS_PER_CADRE, error=broken("households_per_cadre", "§3.4.5",
                                            "每名党员干部联系 10–15 户，请调整联系户数量")))


class VisitRequest(Strict):
    household_id = fields.Integer(required=True, strict=True)
    visited_on = fields.Date(required=True)
    kinds = fields.List(fields.String(validate=validate.OneOf(VISIT_KINDS, error=broken(
        "bad_visit_kind", "§3.4.5", "走访内容应为 查民情、讲政策、解难题、办实事 之一"))), required=True,
        validate=validate.Length(min=1, error=broken("visit_kind_missing", "§3.4.5", "请至少选择一项走访内容")))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class CommitmentRequest(Strict):
    """A member's commitment for the year: service items, number of services, hours, mode (§3.3.3)."""
    year = fields.Integer(required=True, strict=True, validate=validate.Range(2000, 2100))
    items = fields.List(fields.String(validate=_text(2, 40, "服务项目")), required=True, validate=validate.Length(
        1, 10, error=broken("bad_items", "§3.3.3", "承诺的服务项目应为 1–10 项")))
    services = fields.Integer(required=True, strict=True, validate=validate.Range(1, 365, error=broken(
        "bad_services", "§3.3.3", "承诺服务次数应为 1–365")))
    hours = fields.Float(required=True, validate=validate.Range(1, 2000, error=broken(
        "bad_hours", "§3.3.3", "承诺服务时长应为 1–2000 小时")))
    mode = fields.String(required=True, validate=_text(2, 40, "服务方式"))


ORGANIZATION_LIFE_KINDS = named({"organization_life": "组织生活", "theme_activity": "主题活动"})


class OrganizationLifeRequest(Strict):
    """Attendance at Party organization life or a theme activity in the community (§4.2)."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    kind = fields.String(required=True, validate=validate.OneOf(list(ORGANIZATION_LIFE_KINDS), error=broken(
        "bad_kind", "§4.2", "类型应为 organization_life（组织生活）或 theme_activity（主题活动）")))
    title = fields.String(required=True, validate=_text(2, 60, "名称"))
    held_on = fields.Date(required=True)
    attendee_ids = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(1, 2000))


# F4, §3.4.4: who members pair with, and how
RESIDENT_CATEGORIES = ("困难党员群众", "残疾人", "空巢老人")
PAIRING_MODES = named({"one_to_one": "一对一", "many_to_one": "多对一"})


class PairingRequest(Strict):
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    resident_name = fields.String(required=True, validate=_text(1, 30, "帮扶对象姓名"))
    resident_category = fields.String(required=True, validate=validate.OneOf(RESIDENT_CATEGORIES, error=broken(
        "bad_category", "§3.4.4", "帮扶对象应为 困难党员群众、残疾人、空巢老人 之一")))
    mode = fields.String(required=True, validate=validate.OneOf(list(PAIRING_MODES), error=broken(
        "bad_mode", "§3.4.4", "结对方式应为 one_to_one（一对一）或 many_to_one（多对一）")))
    member_ids = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(1, 20))
    note = fields.String(load_default="", validate=validate.Length(max=200))

    @validates_schema
    def _count_fits_mode(self, data, **kwargs):
        n = len(set(data.get("member_ids") or []))
        if data.get("mode") == "one_to_one" and n != 1:
            fail_field("member_ids", "one_to_one_needs_one", "§3.4.4", "一对一结对只能有一名党员")
        if data.get("mode") == "many_to_one" and n < 2:
            fail_field("member_ids", "many_to_one_needs_several", "§3.4.4", "多对一结对至少两名党员")


class StudioRequest(Strict):
    """A specialist member studio named after one member (§3.2.4): photo, name, unit, service
    items and opening hours on display (§3.3.4)."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    member_id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True, validate=_text(2, 40, "工作室名称"))
    photo_url = fields.Url(load_default=None, allow_none=True, require_tld=False)
    unit_name = fields.String(required=True, validate=_text(2, 100, "所在单位"))
    service_items = fields.List(fields.String(validate=_text(2, 40, "服务项目")), required=True,
                                validate=validate.Length(1, 10))
    opening_hours = fields.String(required=True, validate=_text(2, 100, "开放时间"))


# C1, Annex C: the five 联 of a co-building agreement
FIVE_LINKS = {"organization": "组织联建", "members": "党员联管", "activities": "活动联搞", "resources": "资源联用",
              "services": "服务联做"}
PROJECT_STATUSES = ("signed", "in_progress", "completed", "cancelled")
RATERS = named({"community": "社区评价", "residents": "服务对象评价"})
MAX_PROJECT_SCORE = 30     # §3.5.1: each project at most 30 points (rule version 1's)


class ProjectRequest(Strict):
    """A co-building project between a unit and the community (§3.3.1, §5.2.1, Annex C)."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    unit_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = fields.String(required=True, validate=_text(2, 60, "项目名称"))
    goals = fields.String(required=True, validate=_text(2, 1000, "项目目标"))
    expected_effects = fields.String(required=True, validate=_text(2, 1000, "预期效果"))
    deadline = fields.Date(required=True)
    links = fields.Dict(keys=fields.String(validate=validate.OneOf(list(FIVE_LINKS), error=broken(
        "bad_link", "附录C", "“五联”应为 organization、members、activities、resources、services"))),
        values=fields.String(validate=_text(2, 500, "“五联”内容")), required=True,
        validate=validate.Length(min=1, error=broken("links_missing", "附录C", "请至少填写“五联”中的一项")))
    service_count = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10000))
    service_hours = fields.Float(required=True, validate=validate.Range(1, 100000))
    service_mode = fields.String(required=True, validate=_text(2, 60, "服务方式"))


class ProjectStatusChange(Strict):
    status = fields.String(required=True, validate=validate.OneOf(PROJECT_STATUSES, error=broken(
        "bad_status", "§3.4.1", "状态应为 signed、in_progress、completed、cancelled 之一")))
    note = fields.String(load_default="", validate=validate.Length(max=200))


class ProjectRating(Strict):
    """A rating by the community or by the people served: 0..30 each under rule version 1 (§3.5.1;
    the version in force for the half year decides)."""
    rater = fields.String(required=True, validate=validate.OneOf(list(RATERS), error=broken(
        "bad_rater", "§3.5.1", "评价方应为 community（社区）或 residents（服务对象）")))
    # at most the rule version's maximum (30 under version 1), checked by the service
    score = fields.Integer(required=True, strict=True, validate=validate.Range(0, RULE_NUMBER_LIMIT, error=broken(
        "score_out_of_range", "§3.5.1", "项目评分不能为负，且不超过当期积分规则的最高分")))
    rated_by = fields.String(required=True, validate=_text(2, 60, "评价人"))
    note = fields.String(load_default="", validate=validate.Length(max=200))


class LateRecordRequest(Strict):
    """A service recorded after the fact, for community staff to approve (§3.4)."""
    served_from = fields.AwareDateTime(required=True)
    served_until = fields.AwareDateTime(required=True)
    note = fields.String(required=True, validate=_text(2, 200, "补录说明"))

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("served_from") and data.get("served_until") and data["served_until"] <= data["served_from"]:
            fail_field("served_until", "ends_before_start", "§3.4", "结束时间应晚于开始时间")


class LateRecordDecision(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"], error=broken(
        "bad_decision", "§3.4", "审核结果应为 approve 或 reject")))


class CampaignRequest(Strict):
    """A district's festival campaign (§3.4.2): the same service in several of its communities."""
    festival = fields.String(required=True, validate=validate.OneOf(list(FESTIVALS), error=broken(
        "bad_festival", "§3.4.2", "节日应为 qiyi（七一）、chongyang（重阳）、duanwu（端午）或 chunjie（春节）")))
    community_codes = fields.List(fields.String(validate=validate.Regexp(r"^\d{12}$")), required=True,
                                  validate=validate.Length(1, 500))
    title = fields.String(required=True, validate=_text(2, 60, "活动名称"))
    content = fields.String(required=True, validate=_text(2, 1000, "服务内容"))
    place = fields.String(required=True, validate=_text(2, 100, "服务地点"))
    contact = fields.String(required=True, validate=_text(2, 60, "联系方式"))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2000))

    @validates_schema
    def _times(self, data, **kwargs):
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            fail_field("ends_at", "ends_before_start", "§3.3.2", "结束时间应晚于开始时间")


class CheckInRequest(Strict):
    """What a volunteer sends to check in or out: the code the organizer shows (§3.4)."""
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error=broken(
        "bad_code", "§3.4", "签到码应为6位数字")))


class Assessment(Strict):
    member_id = fields.Integer(required=True, strict=True)
    # the ranges are those of the rule version in force for the service's half year, which the
    # service checks (naming that version's numbers); only what no version allows is refused here
    adjustment = fields.Integer(required=True, strict=True, validate=validate.Range(
        -RULE_NUMBER_LIMIT, RULE_NUMBER_LIMIT, error=broken("adjustment_out_of_range", "§3.5.2", (
            "质量和成效调整超出积分规则允许的范围（以服务所在半年度适用的积分规则为准）"))))
    override_points = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(
        0, RULE_NUMBER_LIMIT, error=broken("override_out_of_range", "§3.5.2", (
            "特殊情况的分值不能为负，且不超过服务所在半年度适用的积分规则的上限"))))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def _override_needs_reason(self, data, **kwargs):
        if data.get("override_points") is not None and not (data.get("reason") or "").strip():
            fail_field("reason", "override_reason_missing", "§3.5.2", "特殊情况调整分值须写明理由")


class AssessmentRequest(Strict):
    """The organizer's assessment of each participant's quality and results (§3.5.2)."""
    participants = fields.List(fields.Nested(Assessment), required=True, validate=validate.Length(1, 2000))
