"""RPC requests of the feedback service (双向反馈: RULES B1–B4, §5.3; Annexes E, F, G; §4.1)."""
from marshmallow import RAISE, Schema, fields, validate, validates_schema

from .registration import DetailChanges
from .rules import broken, fail_field
from .written import named

PERIOD = validate.Regexp(r"^20\d\dH[12]$", error=broken(
    "bad_period", "§3.5.4", "半年度应写作如 2026H1（上半年）或 2026H2（下半年）"))
OBJECTION_TARGETS = ("entry", "missing_service", "result")
named({"entry": "积分记录", "missing_service": "漏记服务", "result": "半年结果"}, 积分="entry", 漏记="missing_service",
      结果="result", 评星结果="result")
named({"upheld": "成立", "rejected": "不成立"}, 异议成立="upheld", 异议不成立="rejected", 维持="rejected")
named({"apply": "采纳", "decline": "不采纳"}, 同意="apply", 不同意="decline", 应用="apply")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class Comment(Strict):
    member_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    comment = fields.String(required=True, validate=validate.Length(2, 300, error=broken(
        "length", "§5.3.3", "社区评语应为 2–300 个字")))


class CommentsRequest(Strict):
    """社区评语 of Annex F, for members of the community's published half year (§5.3.3)."""
    comments = fields.List(fields.Nested(Comment), required=True, validate=validate.Length(1, 1000, error=broken(
        "length", "§5.3.3", "一次可填写 1–1000 名党员的社区评语")))

    @validates_schema
    def _each_member_once(self, data, **kwargs):
        ids = [c["member_id"] for c in data.get("comments", ())]
        if len(ids) != len(set(ids)):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            fail_field("comments", "member_twice", "§5.3.3", f"党员 {'、'.join(map(str, twice))} 的评语填写了不止一次")


class ObjectionRequest(Strict):
    """Annex G: what is disputed and 提出意见及建议内容 (§5.3.4)."""
    target = fields.String(required=True, validate=validate.OneOf(OBJECTION_TARGETS, error=broken(
        "bad_target", "§5.3.4", "异议对象应为 entry（某条积分记录）、missing_service（漏记的服务）或 result（半年度结果）")))
    entry_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1))
    community_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{12}$", error=broken(
        "bad_community", "", "社区编码应为 12 位数字")))
    period = fields.String(load_default=None, allow_none=True, validate=PERIOD)
    content = fields.String(required=True, validate=validate.Length(5, 500, error=broken(
        "length", "§5.3.4", "提出意见及建议内容应为 5–500 个字")))
    objector_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100))

    @validates_schema
    def _entry_named(self, data, **kwargs):
        if data.get("target") == "entry" and data.get("entry_id") is None:
            fail_field("entry_id", "required", "§5.3.4", "对积分记录提出异议时须填写积分记录编号（entry_id）")


class AssignmentRequest(Strict):
    """执行部门: who investigates (§5.3.5)."""
    department = fields.String(required=True, validate=validate.Length(2, 60, error=broken(
        "length", "§5.3.5", "执行部门应为 2–60 个字")))
    assignee = fields.String(load_default=None, allow_none=True, validate=validate.Length(2, 30, error=broken(
        "length", "§5.3.5", "承办人应为 2–30 个字")))


class FindingsRequest(Strict):
    findings = fields.String(required=True, validate=validate.Length(5, 1000, error=broken(
        "length", "§5.3.5", "调查核实情况应为 5–1000 个字")))


class DecisionRequest(Strict):
    """处理结果: upheld (with the points to add or take away) or rejected, with the reason."""
    decision = fields.String(required=True, validate=validate.OneOf(("upheld", "rejected"), error=broken(
        "bad_decision", "§5.3.5", "处理决定应为 upheld（异议成立）或 rejected（异议不成立）")))
    reason = fields.String(required=True, validate=validate.Length(5, 500, error=broken(
        "length", "§5.3.5", "处理结果说明应为 5–500 个字")))
    points = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(-100, 100, error=broken(
        "bad_points", "§5.3.5", "补记或冲减的分值应在 -100 到 100 之间")))


class DetailChangeRequest(DetailChanges):
    """A change of a member's details reported to the community (B2, §5.3.2): by the member for
    themself, or by the unit's officer naming the member."""
    member_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200, error=broken(
        "length", "§5.3.2", "说明不超过 200 个字")))

    @validates_schema(skip_on_field_errors=False)
    def _something(self, data, **kwargs):
        changed = {k: v for k, v in data.items() if k in ("position", "phone", "service_intentions")}
        super()._something(changed, **kwargs)


class ChangeDecision(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("apply", "decline"), error=broken(
        "bad_decision", "§5.3.2", "处理决定应为 apply（更新）或 decline（不采纳）")))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(2, 200, error=broken(
        "length", "§5.3.2", "不采纳的理由应为 2–200 个字")))

    @validates_schema
    def _reason_when_declined(self, data, **kwargs):
        if data.get("decision") == "decline" and not data.get("reason"):
            fail_field("reason", "required", "§5.3.2", "不采纳时请写明理由")


class OpinionRequest(Strict):
    """A unit asks the community's opinion on a member before rating them (§4.1 评先评优)."""
    member_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    purpose = fields.String(required=True, validate=validate.Length(2, 200, error=broken(
        "length", "§4.1", "征求意见的事由应为 2–200 个字（如：2026 年度优秀共产党员评选）")))


class OpinionAnswer(Strict):
    opinion = fields.String(required=True, validate=validate.Length(5, 1000, error=broken(
        "length", "§4.1", "社区意见应为 5–1000 个字")))
