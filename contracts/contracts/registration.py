"""RPC requests of the registration service (报到: RULES R1–R9, §3.1, §4.2, §4.3, §5.1).

The gateway validates HTTP bodies with these schemas and the service validates again at its
RPC boundary: the same rules on both sides of the wire.
"""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from .written import named
from .rules import (WHITESPACE, broken, fail, fail_field, parse_id_number, stated, validate_credit_code, validate_id_number,
                    validate_phone, community_code, street_code)

CITY_TZ = ZoneInfo("Asia/Shanghai")

# R3 (Annex B.1): the skills, in the order of the form. 其它 needs `other_skill`.
SKILLS = ("写作", "主持", "外语", "教育", "曲艺", "舞蹈", "音乐", "美术", "雕刻", "园艺", "烹饪",
          "摄影", "财会", "礼仪", "法律", "家电维修", "医疗保健", "电脑操作", "心理辅导", "扶贫帮困",
          "便民服务", "养老托幼", "体育健身", "其它")
OTHER_SKILL = "其它"

# §3.1.1: the five kinds of unit Party organization, code name → Chinese.
UNIT_TYPES = named({
    "government": "机关",
    "public_institution": "事业单位",
    "research_institute": "科研院所",
    "private_enterprise": "非公企业",
    "social_organization": "社会组织",
}, 非公企业="private_enterprise", 非公有制企业="private_enterprise", 机关单位="government", 科研单位="research_institute")

EDUCATION = ("博士研究生", "硕士研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下")

# R6 (§4.2): where a member chooses to report.
COMMUNITY_CHOICES = named({"residence": "居住地社区", "work": "工作所在地社区", "other": "其他社区党群服务中心"},
                          居住地="residence", 工作地="work", 工作地社区="work", 工作所在地="work", 其他="other",
                          其它="other", 其他社区="other")

# R7 (§4.2): what changed so that the old community no longer fits.
TRANSFER_REASONS = named({"unit_changed": "工作单位变动", "address_changed": "家庭住址变动",
                          "community_changed": "所属社区变动"}, 单位变动="unit_changed", 住址变动="address_changed",
                         社区变动="community_changed")

GENDERS = named({"male": "男", "female": "女"}, 男性="male", 女性="female")
# the opinion of a unit, a community or a reviewer, as people write it (同意 / 不同意)
DECISIONS = named({"approve": "同意", "reject": "不同意"}, 批准="approve", 通过="approve", 驳回="reject", 不通过="reject")

MIN_INTENTIONS = 2          # §3.1.2, Annex B.1: 服务意向至少填报2个
MIN_AGE, MAX_AGE = 18, 70   # in-service members: of Party age, not past working age with margin
PARTY_MIN_AGE = 18          # Party constitution art. 1: 年满十八岁


def today():
    return datetime.now(CITY_TZ).date()


def age_on(born, day):
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _one_of(choices, code, rule, what):
    # in people's words (男、女), each with the platform's code a program may send instead
    shown = "、".join(f"{name}（{key}）" for key, name in choices.items()) if isinstance(choices, dict) else "、".join(choices)
    return validate.OneOf(list(choices), error=broken(code, rule, f"{what}应为以下之一：{shown}"))


def _text(lo, hi, what):
    """Text of lo..hi characters, not counting surrounding blanks, and no control characters
    (a NUL cannot even be stored; a blank name or address would print an empty form)."""
    @stated(maxLength=hi, pattern=_text_pattern(lo))
    def check(value):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            fail("control_character", "附录B.1", f"{what}含有不可见的控制字符")
        if not lo <= len(value.strip()) <= hi or len(value) > hi:  # stored as written: blanks count there
            fail("length", "附录B.1", f"{what}长度应为{lo}–{hi}个字（不计首尾空格，含空格不超过{hi}个字）")
    return check


_CONTROL = r"\x00-\x1f\x7f"
_BLANKS = r"[ \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _text_pattern(lo):
    """_text's rule as a pattern: no control character, and at least lo characters between the
    first and the last that are not blank (the length as written is maxLength)."""
    # blanks that are not control characters; a mark is neither
    blank, mark, any_ = _BLANKS, f"[^{WHITESPACE}{_CONTROL}]", f"[^{_CONTROL}]"
    if lo <= 0:
        return f"^{any_}*$"
    if lo == 1:
        return f"^{blank}*{mark}{any_}*$"
    return f"^{blank}*{mark}{any_}{{{lo - 2},}}{mark}{blank}*$"


class Strict(Schema):
    class Meta:
        unknown = RAISE


class UnitInfo(Strict):
    name = fields.String(required=True, validate=_text(2, 100, "单位名称"))
    credit_code = fields.String(required=True, validate=validate_credit_code)
    type = fields.String(required=True, validate=_one_of(UNIT_TYPES, "bad_unit_type", "§3.1.1", "单位党组织类型"))
    party_org_name = fields.String(required=True, validate=_text(2, 100, "单位党组织名称"))
    address = fields.String(required=True, validate=_text(5, 200, "单位地址"))


class UnitRegistrationRequest(Strict):
    """A unit reports to the community where it sits (§3.1.1) and forms a co-building pair."""
    community_code = fields.String(required=True, validate=community_code)
    unit = fields.Nested(UnitInfo, required=True)
    contact_officer = fields.String(required=True, validate=_text(2, 30, "联系人"))
    contact_phone = fields.String(required=True, validate=validate_phone)
    resources = fields.List(fields.String(validate=_text(1, 100, "可提供资源")), load_default=list,
                            validate=validate.Length(max=30))


class InvitationRequest(Strict):
    """A street committee invites a unit with a letter (邀请函, §4.3.1)."""
    street_code = fields.String(required=True, validate=street_code)
    unit_name = fields.String(required=True, validate=_text(2, 100, "单位名称"))
    credit_code = fields.String(required=True, validate=validate_credit_code)
    letter = fields.String(required=True, validate=_text(10, 4000, "邀请函正文"))
    sent_by = fields.String(required=True, validate=_text(2, 30, "发函人"))


class MemberReport(Strict):
    """Every field of the registration certificate, Annex B.1 (R2, R3, R6)."""
    community_code = fields.String(required=True, validate=community_code)
    community_choice = fields.String(required=True, validate=_one_of(COMMUNITY_CHOICES, "bad_choice", "§4.2", "报到社区类别"))
    name = fields.String(required=True, validate=_text(2, 30, "姓名"))
    gender = fields.String(required=True, validate=_one_of(GENDERS, "bad_gender", "附录B.1", "性别"))
    birth_date = fields.Date(required=True)
    id_number = fields.String(required=True, validate=validate_id_number)
    education = fields.String(required=True, validate=_one_of(EDUCATION, "bad_education", "附录B.1", "学历"))
    party_join_date = fields.Date(required=True)
    unit_id = fields.Integer(required=True, strict=True,
                             validate=validate.Range(min=1, max=2**63 - 1, error=broken("bad_unit", "附录B.1", "工作单位编号无效")))
    position = fields.String(required=True, validate=_text(1, 50, "职务"))
    phone = fields.String(required=True, validate=validate_phone)
    home_address = fields.String(required=True, validate=_text(5, 200, "家庭住址"))
    skills = fields.List(fields.String(validate=_one_of(SKILLS, "bad_skill", "附录B.1", "技能特长")), required=True)
    other_skill = fields.String(load_default=None, allow_none=True, validate=_text(1, 50, "其它技能"))
    service_intentions = fields.List(fields.String(validate=_text(1, 50, "服务意向")), required=True,
                                     metadata={"minItems": 2, "uniqueItems": True})   # §3.1.2, checked below

    @validates_schema(skip_on_field_errors=False)
    def _certificate_rules(self, data, **kwargs):
        errors = {}
        intentions = data.get("service_intentions")
        if intentions is not None:
            distinct = {i.strip() for i in intentions if isinstance(i, str) and i.strip()}
            if len(distinct) < MIN_INTENTIONS:
                errors["service_intentions"] = [broken("too_few_intentions", "§3.1.2",
                                                       f"服务意向至少填报{MIN_INTENTIONS}个（不得重复）")]
        skills = data.get("skills")
        if skills is not None:
            if len(set(skills)) != len(skills):
                errors["skills"] = [broken("duplicate_skill", "附录B.1", "技能特长不得重复勾选")]
            if OTHER_SKILL in skills and not data.get("other_skill"):
                errors["other_skill"] = [broken("other_skill_missing", "附录B.1", "勾选“其它”时须填写具体技能")]
            if OTHER_SKILL not in skills and data.get("other_skill"):
                errors["other_skill"] = [broken("other_skill_unticked", "附录B.1", "填写了其它技能，但未勾选“其它”")]
        born = data.get("birth_date")
        day = today()
        if born is not None:
            age = age_on(born, day)
            if not MIN_AGE <= age <= MAX_AGE:
                errors["birth_date"] = [broken("implausible_age", "附录B.1",
                                               f"年龄{age}岁不合理：在职党员应为{MIN_AGE}–{MAX_AGE}岁")]
            parsed = parse_id_number(data.get("id_number"))
            if parsed and parsed[0] != born:
                errors.setdefault("birth_date", []).append(
                    broken("id_number_mismatch", "GB 11643", "出生日期与身份证号码不一致"))
            if parsed and data.get("gender") and parsed[1] != data["gender"]:
                errors["gender"] = [broken("id_number_mismatch", "GB 11643", "性别与身份证号码不一致")]
        joined = data.get("party_join_date")
        if joined is not None:
            if joined > day:
                errors["party_join_date"] = [broken("join_date_in_future", "附录B.1", "入党时间不能晚于今天")]
            elif born is not None and age_on(born, joined) < PARTY_MIN_AGE:
                errors["party_join_date"] = [broken("joined_under_18", "党章第一条",
                                                    "入党时间早于年满十八岁之日")]
        if errors:
            from marshmallow import ValidationError
            raise ValidationError(errors)


# at most this many reports in one report_members call (the gateway sends fewer: GATEWAY_REPORTS_BATCH)
MAX_REPORTS_PER_CALL = 200


class ReportOfCaller(Strict):
    """One report in a report_members call: the report, who made it (the caller context the
    gateway signed for its request, contracts.access) and its request's id (for the logs)."""
    caller = fields.String(required=True, allow_none=True)
    request_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    report = fields.Dict(required=True)


class UnitOpinion(Strict):
    """The unit Party organization's opinion on a member's certificate (Annex B.1, 单位党组织意见)."""
    decision = fields.String(required=True, validate=_one_of(("approve", "reject"), "bad_decision", "附录B.1", "意见"))
    officer = fields.String(required=True, validate=_text(2, 30, "审核人"))
    opinion_date = fields.Date(load_default=None)
    comment = fields.String(load_default="", validate=validate.Length(max=500))

    @validates_schema
    def _date_not_future(self, data, **kwargs):
        if data.get("opinion_date") and data["opinion_date"] > today():
            fail_field("opinion_date", "date_in_future", "附录B.1", "盖章日期不能晚于今天")


class Acceptance(Strict):
    """The community accepts a report; its officer is the 经办人 of receipt B.2 (§3.1.3)."""
    officer = fields.String(required=True, validate=_text(2, 30, "经办人"))
    officer_phone = fields.String(required=True, validate=validate_phone)


MAX_AT_ONCE = 500   # registrations one bulk acceptance or opinion names (the console's page of a list)


def _ids(what):
    return fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=2**63 - 1)), required=True,
                       validate=validate.Length(1, MAX_AT_ONCE, error=broken(
                           "bad_count", "", f"一次可处理 1–{MAX_AT_ONCE} 条{what}")))


class BulkAcceptance(Acceptance):
    """Many reports accepted at once (an imported list): each on its own, each with its receipt."""
    registration_ids = _ids("报到")


class BulkOpinion(UnitOpinion):
    """The unit's one opinion on many of its members' reports at once."""
    registration_ids = _ids("报到")


class TransferRequest(Strict):
    """A change that makes the old community unfit (R7, §4.2)."""
    reason = fields.String(required=True, validate=_one_of(TRANSFER_REASONS, "bad_reason", "§4.2", "变动原因"))
    notified_on = fields.Date(load_default=None)
    new_unit_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=1, error=broken("bad_unit", "§4.2", "新工作单位编号无效")))
    new_home_address = fields.String(load_default=None, allow_none=True, validate=_text(5, 200, "新家庭住址"))
    new_community_code = fields.String(load_default=None, allow_none=True, validate=community_code)
    recorded_by = fields.String(required=True, validate=_text(2, 30, "登记人"))

    @validates_schema
    def _what_changed(self, data, **kwargs):
        needed = {"unit_changed": "new_unit_id", "address_changed": "new_home_address",
                  "community_changed": "new_community_code"}.get(data.get("reason"))
        if needed and not data.get(needed):
            fail_field(needed, "transfer_target_missing", "§4.2", "请填写变动后的信息")
        if data.get("notified_on") and data["notified_on"] > today():
            fail_field("notified_on", "date_in_future", "§4.2", "告知日期不能晚于今天")


class ImportRequest(Strict):
    """A unit hands over its members as a CSV or XLSX file (bulk 报到)."""
    unit_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    filename = fields.String(required=True, validate=validate.Regexp(
        r"(?i).+\.(csv|xlsx)$", error=broken("bad_file_type", "", "只接受 .csv 或 .xlsx 文件")))
    content_b64 = fields.String(required=True)
    submitted_by = fields.String(required=True, validate=_text(2, 30, "提交人"))



# Column headings of the import file, in the words of form B.1, and the request field each fills.
IMPORT_COLUMNS = {
    "姓名": "name", "性别": "gender", "出生日期": "birth_date", "身份证号": "id_number",
    "学历": "education", "入党时间": "party_join_date", "职务": "position", "联系方式": "phone",
    "家庭住址": "home_address", "报到社区代码": "community_code", "报到社区类别": "community_choice",
    "技能特长": "skills", "其它技能": "other_skill", "服务意向": "service_intentions",
}


def _as_typed_phone(value):
    """A mobile as people write it (138 1234 5678, 138-1234-5678) as the 11 digits; a landline
    (0371-67181234) as it is."""
    if isinstance(value, str):
        digits = re.sub(r"[\s\-－—]", "", value.strip())
        if re.fullmatch(r"1\d{10}", digits):
            return digits
        return value.strip()
    return value


class DetailChanges(Strict):
    """What changed of a member since their report (B2, §5.3.2): position, phone, service items.
    At least one."""
    position = fields.String(validate=_text(1, 50, "职务"))
    phone = fields.String(validate=validate_phone)
    service_intentions = fields.List(fields.String(validate=_text(1, 50, "服务意向")),
                                     metadata={"minItems": MIN_INTENTIONS, "uniqueItems": True})   # checked below

    @pre_load
    def _phone_as_typed(self, data, **kwargs):
        if isinstance(data, dict) and "phone" in data:
            data = {**data, "phone": _as_typed_phone(data["phone"])}
        return data

    @validates_schema(skip_on_field_errors=False)
    def _something(self, data, **kwargs):
        intentions = data.get("service_intentions")
        if intentions is not None and len({i.strip() for i in intentions if i.strip()}) < MIN_INTENTIONS:
            raise ValidationError({"service_intentions": [broken("too_few_intentions", "§3.1.2",
                                                                 f"服务意向至少填报{MIN_INTENTIONS}个（不得重复）")]})
        if not data:
            raise ValidationError({"position": [broken("nothing_changed", "§5.3.2",
                                                       "请至少填写职务、联系方式或服务意向中的一项变化")]})
