"""RPC requests of the scoring service (评星 · 激励: RULES S1–S6, I1–I4; §3.5, §3.6, §5.4)."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .written import named
from .rules import broken

# S3, §3.5.3: what 一事一记 records
MERIT_CATEGORIES = ("长期帮扶残疾人和困难群众", "承担急难险重任务", "见义勇为", "其他突出事迹")
MERIT_RANGE = (1, 20)  # version 1's; the version in force for the deed's half year decides (scoring.domain)
# no rule version may give one service, deed or rating more than this, nor ask more per star: the
# outer bound of every number of the rules, so that a slip of the keyboard (500 for 5) is refused
RULE_NUMBER_LIMIT = 100


class Strict(Schema):
    class Meta:
        unknown = RAISE


class MeritRequest(Strict):
    """An outstanding deed, recorded one by one (一事一记, §3.5.3)."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    member_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    unit_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    category = fields.String(required=True, validate=validate.OneOf(MERIT_CATEGORIES, error=broken(
        "bad_category", "§3.5.3", "事迹类别应为：" + "、".join(MERIT_CATEGORIES))))
    reason = fields.String(required=True, validate=validate.Length(5, 200, error=broken(
        "length", "§3.5.3", "事迹说明应为 5–200 个字")))
    # the range is the rule version's (1–20 under version 1), checked by the service for the
    # deed's half year; only what no version allows is refused here
    points = fields.Integer(required=True, strict=True, validate=validate.Range(1, RULE_NUMBER_LIMIT, error=broken(
        "merit_out_of_range", "§3.5.3", "一事一记的加分应为正整数，且不超过当期积分规则的上限")))
    occurred_on = fields.Date(required=True)


class CorrectionRequest(Strict):
    """A compensating entry for one that was wrong: never an edit of history (rule 3)."""
    points = fields.Integer(required=True, strict=True, validate=validate.Range(-100, 100, error=broken(
        "bad_points", "", "更正分值应在 -100 到 100 之间")))
    reason = fields.String(required=True, validate=validate.Length(5, 200, error=broken(
        "length", "", "更正理由应为 5–200 个字")))


PERIOD = validate.Regexp(r"^20\d\dH[12]$", error=broken(
    "bad_period", "§3.5.4", "半年度应写作如 2026H1（上半年）或 2026H2（下半年）"))


class ReviewRequest(Strict):
    """The members' congress reviewed a community's draft settlement (§3.5.5)."""
    congress_date = fields.Date(required=True)
    attendees = fields.Integer(required=True, strict=True, validate=validate.Range(3, 10000, error=broken(
        "bad_attendees", "§3.5.5", "党员群众代表大会出席人数应为 3–10000 人")))
    minutes = fields.String(required=True, validate=validate.Length(5, 500, error=broken(
        "length", "§3.5.5", "审议意见应为 5–500 个字")))


class RevisionRequest(Strict):
    """Why a published half year is revised (§3.5.5): it is never changed silently."""
    reason = fields.String(required=True, validate=validate.Length(5, 200, error=broken(
        "length", "§3.5.5", "修订理由应为 5–200 个字")))


class SettlementRunRequest(Strict):
    """Settle every community of an area (a district, a street or the city) as drafts."""
    area_code = fields.String(required=True, validate=validate.Regexp(r"^\d{4}(\d{2}(\d{3}(\d{3})?)?)?$", error=broken(
        "bad_area", "", "区域编码应为 4 位（市）、6 位（县区）、9 位（街道）或 12 位（社区）")))
    period = fields.String(required=True, validate=PERIOD)


GOODS_KINDS = tuple(named({"goods": "物品", "service": "服务"}, 实物="goods", 服务项目="service"))


class GoodsRequest(Strict):
    """Goods or a service on a community's supermarket shelf, priced in points (§3.6.3)."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    name = fields.String(required=True, validate=validate.Length(2, 60, error=broken(
        "length", "§3.6.3", "名称应为 2–60 个字")))
    kind = fields.String(required=True, validate=validate.OneOf(GOODS_KINDS, error=broken(
        "bad_kind", "§3.6.3", "类别应为 goods（物品）或 service（服务）")))
    description = fields.String(load_default="", validate=validate.Length(0, 300))
    price_points = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10000, error=broken(
        "bad_price", "§3.6.3", "兑换所需积分应为 1–10000 分")))
    stock = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100000, error=broken(
        "bad_stock", "§3.6.3", "库存应为 0–100000")))


class GoodsUpdate(Strict):
    price_points = fields.Integer(strict=True, validate=validate.Range(1, 10000, error=broken(
        "bad_price", "§3.6.3", "兑换所需积分应为 1–10000 分")))
    stock = fields.Integer(strict=True, validate=validate.Range(0, 100000, error=broken(
        "bad_stock", "§3.6.3", "库存应为 0–100000")))
    active = fields.Boolean()


class RedemptionRequest(Strict):
    """A member spends points on goods of the community's supermarket (I3, §3.6.3)."""
    goods_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    quantity = fields.Integer(load_default=1, strict=True, validate=validate.Range(1, 100, error=broken(
        "bad_quantity", "§3.6.3", "兑换数量应为 1–100")))


class CancellationRequest(Strict):
    reason = fields.String(required=True, validate=validate.Length(2, 200, error=broken(
        "length", "§3.6.3", "撤销原因应为 2–200 个字")))


class CompensationRequest(Strict):
    """An upheld objection's compensating entry (B4, §5.3.5), asked by the feedback service."""
    community_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$"))
    objection_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    member_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    entry_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    period = fields.String(required=True, validate=PERIOD)
    points = fields.Integer(required=True, strict=True, validate=validate.Range(-100, 100, error=broken(
        "bad_points", "§5.3.5", "补记或冲减的分值应在 -100 到 100 之间")))
    reason = fields.String(required=True, validate=validate.Length(2, 180))


# --- the rules as data (S1–S5 as a rule version, S7) ------------------------------------------

def _number(lo, code, rule, what):
    return fields.Integer(required=True, strict=True, validate=validate.Range(lo, RULE_NUMBER_LIMIT, error=broken(
        code, rule, f"{what}应为 {lo}–{RULE_NUMBER_LIMIT} 之间的整数")))


class RuleVersionRequest(Strict):
    """A new version of the scoring rules, every number of S1–S5, in force from a half year that
    has not started yet (S7): the half years before it keep the version they were settled under."""
    base_points = _number(0, "bad_base_points", "§3.5.2", "每次服务活动的基础分")
    max_adjustment = _number(0, "bad_max_adjustment", "§3.5.2", "按质量和成效上下调整的最大分值")
    override_min = _number(0, "bad_override_range", "§3.5.2", "特殊情况分值的下限")
    override_max = _number(0, "bad_override_range", "§3.5.2", "特殊情况分值的上限")
    merit_min = _number(1, "bad_merit_range", "§3.5.3", "一事一记加分的下限")
    merit_max = _number(1, "bad_merit_range", "§3.5.3", "一事一记加分的上限")
    max_project_score = _number(1, "bad_max_project_score", "§3.5.1", "每个联建项目的最高分")
    points_per_star = _number(1, "bad_points_per_star", "§3.5.5", "每颗星所需积分")
    max_stars = _number(1, "bad_max_stars", "§3.5.5", "最高星级")
    effective_from = fields.String(required=True, validate=PERIOD)
    reason = fields.String(required=True, validate=validate.Length(5, 200, error=broken(
        "length", "§3.5", "修订规则的理由应为 5–200 个字")))

    @validates_schema
    def _consistent(self, data, **kwargs):
        """The numbers must make one rule: each range in order, and the ordinary points (the base
        moved by the adjustment) inside what a special case may give (so never below zero)."""
        problems = {}
        numbers = {k: data.get(k) for k in ("base_points", "max_adjustment", "override_min", "override_max",
                                             "merit_min", "merit_max")}
        if None in numbers.values():
            return  # a number missing or wrong is reported on its own field
        base, adjustment = numbers["base_points"], numbers["max_adjustment"]
        lo, hi = numbers["override_min"], numbers["override_max"]
        if lo > hi:
            problems["override_max"] = [broken("override_range_reversed", "§3.5.2",
                                               f"特殊情况分值的上限（{hi}）不能小于下限（{lo}）")]
        elif not lo <= base - adjustment <= base + adjustment <= hi:
            problems["base_points"] = [broken("base_outside_override_range", "§3.5.2", (
                f"基础分上下调整后为 {base - adjustment}–{base + adjustment} 分，应在特殊情况分值 {lo}–{hi} 分之内"))]
        if numbers["merit_min"] > numbers["merit_max"]:
            problems["merit_max"] = [broken("merit_range_reversed", "§3.5.3", (
                f"一事一记加分的上限（{numbers['merit_max']}）不能小于下限（{numbers['merit_min']}）"))]
        if problems:
            raise ValidationError(problems)
