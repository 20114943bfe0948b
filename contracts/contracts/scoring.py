"""RPC requests of the scoring service (评星 · 激励: RULES S1–S6, I1–I4; §3.5, §3.6, §5.4)."""
from marshmallow import RAISE, Schema, fields, validate

from .rules import broken

# S3, §3.5.3: what 一事一记 records
MERIT_CATEGORIES = ("长期帮扶残疾人和困难群众", "承担急难险重任务", "见义勇为", "其他突出事迹")
MERIT_RANGE = (1, 20)


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
    points = fields.Integer(required=True, strict=True, validate=validate.Range(*MERIT_RANGE, error=broken(
        "merit_out_of_range", "§3.5.3", "一事一记的加分应为 1–20 分")))
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


GOODS_KINDS = ("goods", "service")


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
