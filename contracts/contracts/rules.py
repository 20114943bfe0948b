"""Field rules shared by every schema, and how their failures are reported.

A broken rule is raised as a marshmallow ValidationError whose message is made by `broken()`:
it carries a stable English code, the clause of the standard (or the annex/form) and the
Chinese text. `field_errors()` turns marshmallow's nested messages into the flat list the API
returns: [{"field": "service_intentions", "code": "too_few_intentions", "rule": "§3.1.2",
"message": "服务意向至少填报2个"}].
"""
import re
from datetime import date

from marshmallow import ValidationError

_SEP = "\x1f"  # unit separator: never typed by a person, so it cannot clash with a message


# What Python's str.strip() and str.isspace() take for blank, spelled out for a pattern: a JSON
# Schema reader's \s (ECMA-262) is another set (no \x1c-\x1f, no \x85), and the document must
# say what the server does
WHITESPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def stated(**schema):
    """Attach to a validator function the JSON Schema keywords that say what it checks, so that
    the OpenAPI document states the rule (gateway/openapi.py reads `validator.openapi`)."""
    def attach(check):
        check.openapi = schema
        return check
    return attach


def broken(code, rule, message):
    """The message of a ValidationError for one broken rule."""
    return _SEP.join((code, rule, message))


def fail(code, rule, message):
    raise ValidationError(broken(code, rule, message))


def fail_field(field, code, rule, message):
    from marshmallow import ValidationError
    raise ValidationError({field: [broken(code, rule, message)]})


# marshmallow's own messages, in Chinese with a code (checked by the unit tests, so a
# marshmallow upgrade that rewords them shows up as a failing test, not as English text).
_BUILTIN = {
    "Missing data for required field.": ("required", "必填项，未填写"),
    "Field may not be null.": ("required", "不能为空"),
    "Unknown field.": ("unknown_field", "不接受的字段"),
    "Not a valid string.": ("type", "应为文本"),
    "Not a valid integer.": ("type", "应为整数"),
    "Not a valid number.": ("type", "应为数字"),
    "Not a valid boolean.": ("type", "应为是或否"),
    "Not a valid date.": ("bad_date", "应为日期，如 1985-04-03、1985/4/3 或 1985年4月3日"),
    "Not a valid datetime.": ("bad_datetime", "应为日期和时间，如 2026-05-01 09:00 或 2026/5/1 9:00（北京时间）"),
    "Not a valid aware datetime.": ("bad_datetime", "应为日期和时间，如 2026-05-01 09:00 或 2026/5/1 9:00（北京时间）"),
    "Not a valid naive datetime.": ("bad_datetime", "应为日期和时间，如 2026-05-01 09:00"),
    "Not a valid time.": ("bad_time", "应为时间，如 09:00"),
    "Not a valid list.": ("type", "应为列表"),
    "Invalid input type.": ("type", "类型不正确"),
    "Invalid input.": ("type", "类型不正确"),
}


def _one(field, text):
    if _SEP in text:
        code, rule, message = text.split(_SEP, 2)
        return {"field": field, "code": code, "rule": rule, "message": message}
    if text in _BUILTIN:
        code, message = _BUILTIN[text]
        return {"field": field, "code": code, "rule": "", "message": message}
    if text.startswith("Must be one of"):
        return {"field": field, "code": "not_allowed", "rule": "", "message": "取值不在允许范围内：" + text.split(":", 1)[-1].strip().rstrip(".")}
    if text.startswith("Length must be") or text.startswith("Shorter than") or text.startswith("Longer than"):
        return {"field": field, "code": "length", "rule": "", "message": "长度不符合要求（" + text + "）"}
    if text.startswith("Must be greater") or text.startswith("Must be less"):
        return {"field": field, "code": "range", "rule": "", "message": "数值超出范围（" + text + "）"}
    return {"field": field, "code": "invalid", "rule": "", "message": text}


def field_errors(messages, prefix=""):
    """Flatten marshmallow's error messages into [{field, code, rule, message}]."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "" if key == "_schema" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            out.extend(field_errors(value, path))
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            out.extend(field_errors(item, prefix))
    else:
        out.append(_one(prefix or "_", str(messages)))
    return out


# --- identity numbers -------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_number_check_char(first17):
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def parse_id_number(value):
    """Birth date and gender of a valid 18-digit resident identity number (GB 11643), else None."""
    value = (value or "").upper()
    if not _ID_RE.match(value) or id_number_check_char(value[:17]) != value[17]:
        return None
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None
    return born, ("male" if int(value[16]) % 2 else "female")


# the check character and the birth date cannot be a pattern: a format of our own, which the
# document describes and the API's fuzzing is taught to generate (tests/schemathesis_hooks.py)
@stated(format="gb11643", description="居民身份证号码（18 位，末位为 GB 11643 校验码，出生日期须存在）")
def validate_id_number(value):
    if parse_id_number(value) is None:
        fail("bad_id_number", "GB 11643", "身份证号码无效（18位，末位校验码不符或出生日期不存在）")


# --- unified social credit code (units) ---------------------------------------------------

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17):
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31]


@stated(format="gb32100", description="统一社会信用代码（18 位，末位为 GB 32100 校验码）")
def validate_credit_code(value):
    value = value or ""
    if len(value) != 18 or any(c not in _USCC_CHARS for c in value) \
            or credit_code_check_char(value[:17]) != value[17]:
        fail("bad_credit_code", "GB 32100", "统一社会信用代码无效（18位，末位校验码不符）")


# --- phones -------------------------------------------------------------------------------

_MOBILE_FORM = r"1[3-9]\d{9}"
# area codes: 010 and 02x have 3 digits and 8-digit numbers, the others 4 digits and 7 or 8
# (contracts.written.as_phone cuts a landline the same way)
_LANDLINE_FORM = r"0(?:10|2\d)-?[2-9]\d{7}|0[3-9]\d{2}-?[2-9]\d{6,7}"
_MOBILE = re.compile(f"^{_MOBILE_FORM}$")
_LANDLINE = re.compile(f"^(?:{_LANDLINE_FORM})$")


@stated(pattern=f"^(?:{_MOBILE_FORM}|{_LANDLINE_FORM})$",
        description="大陆手机号（11 位）或带区号的固定电话（如 0371-67181234）；写作 138 1234 5678、+86… 亦可")
def validate_phone(value):
    if not (_MOBILE.match(value or "") or _LANDLINE.match(value or "")):
        fail("bad_phone", "附录B.1", "联系方式应为大陆手机号（11位，1开头）或带区号的固定电话（如 0371-67181234）")


# --- administrative codes (GB/T 2260 and its street/community extension) -----------------

def code_validator(length, what):
    pattern = re.compile(r"^\d{%d}$" % length)

    @stated(pattern=r"^\d{%d}$" % length)
    def check(value):
        if not pattern.match(value or ""):
            fail("bad_code", "GB/T 2260", f"{what}代码应为{length}位数字")
    return check


district_code = code_validator(6, "县（区）")
street_code = code_validator(9, "街道")
community_code = code_validator(12, "社区")
