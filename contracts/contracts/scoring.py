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
