"""Values as people write them, turned into the platform's own before a request is checked: the
API and the member-list import take the same (issue 16). 男/女, 居住地社区/工作地社区/其他, 同意, a phone
written 138 1234 5678 or +86 138-1234-5678, a date 1985/4/3 or 1985年4月3日, a time 2026/5/1 9:00
(Beijing time), a list written as one line 写作、摄影. A value not recognised is left as written,
and the schema then says what is wrong with it (with the field's label, contracts.labels).

Which conversion a field gets follows from the field itself (its type, its validators, the
choices it allows), so a new field of a known kind needs nothing here."""
import re
from datetime import date, datetime

from marshmallow import fields, validate

_NAMED = []   # [(code -> 中文 mapping, {alias: code})]


def named(mapping, **aliases):
    """Declare a mapping code -> Chinese name whose names (and aliases) a request may use for the
    codes. Returns the mapping, so a module writes GENDERS = named({...})."""
    _NAMED.append((mapping, aliases))
    return mapping


# --- the conversions --------------------------------------------------------------------------

SEPARATORS = "、,，;；"
_SPLIT = re.compile("[" + re.escape(SEPARATORS) + r"\n]")
_DATE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*)(\d{1,2})\s*(?:[-/.月]\s*)(\d{1,2})\s*日?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_DATETIME = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[T\s]\s*"
                       r"(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*(?:[:：分]\s*(\d{1,2})(\.\d+)?\s*秒?)?\s*"
                       r"(Z|[+-]\d{2}:?\d{2})?\s*$")
_SPACES = re.compile(r"[\s\-－—()（）]")


def as_date(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return value
    m = _DATE.match(value) or _COMPACT_DATE.match(value)
    if m:
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return value.strip()


def as_datetime(value):
    """A time as written, in Beijing time unless it says otherwise."""
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo else value.isoformat() + "+08:00"
    if not isinstance(value, str):
        return value
    m = _DATETIME.match(value)
    if not m:
        return value.strip()
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    zone = zone or "+08:00"
    if zone != "Z" and ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    return (f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{int(minute or 0):02d}:"
            f"{int(second or 0):02d}{fraction or ''}{zone}")


def as_phone(value):
    """A mobile as its 11 digits (spaces, dashes, a +86 / 0086 / 86 prefix dropped); a landline
    as 0371-67181234."""
    if not isinstance(value, str):
        return value
    digits = _SPACES.sub("", value.strip())
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and re.fullmatch(r"1\d{10}", digits[len(prefix):]):
            digits = digits[len(prefix):]
            break
    if re.fullmatch(r"1\d{10}", digits):
        return digits
    if re.fullmatch(r"0\d{9,11}", digits):  # a landline: its area code (3 or 4 digits, 010 and 02x short)
        cut = 3 if digits[1] in "12" else 4
        return f"{digits[:cut]}-{digits[cut:]}"
    return value.strip()


def as_code(value):
    """An identity number or credit code: letters in capitals, no spaces."""
    return re.sub(r"\s", "", value).upper() if isinstance(value, str) else value


def as_list(value):
    """A list written as one line (写作、摄影；主持)."""
    if isinstance(value, str):
        return [p for p in (p.strip() for p in _SPLIT.split(value)) if p]
    return value


_YES = {"是", "对", "有", "同意", "真", "yes", "y", "true", "1"}
_NO = {"否", "不", "无", "不同意", "假", "no", "n", "false", "0"}


def as_boolean(value):
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    return value


def _choice(codes):
    """Chinese names (and aliases) of these codes, if a declared mapping covers them."""
    names = {}
    for mapping, aliases in _NAMED:
        if set(codes) <= set(mapping):
            names.update({v: k for k, v in mapping.items() if k in codes})
            names.update({a: c for a, c in aliases.items() if c in codes})
    if not names:
        return None

    def convert(value):
        if isinstance(value, str):
            word = value.strip()
            return names.get(word, word if word in codes else value)
        return value
    return convert


# --- which conversion a field gets ------------------------------------------------------------

def _validators(field):
    out = []
    for v in field.validators:
        out.append(v)
        out.extend(getattr(v, "validators", ()) or ())   # validate.And
    return out


def _for_field(field):
    from .rules import validate_credit_code, validate_id_number, validate_phone
    if isinstance(field, fields.Nested):
        inner = _plan(field.schema)
        if not inner:
            return None
        return (lambda v: [normalize_with(inner, i) for i in v] if isinstance(v, list) else normalize_with(inner, v)) \
            if field.many else (lambda v: normalize_with(inner, v))
    if isinstance(field, fields.List):
        item = _for_field(field.inner)
        if item is None:
            return as_list
        return lambda v: [item(i) for i in as_list(v)] if isinstance(as_list(v), list) else v
    if isinstance(field, fields.AwareDateTime) or type(field) is fields.DateTime:
        return as_datetime
    if isinstance(field, fields.Date):
        return as_date
    if isinstance(field, fields.Boolean):
        return as_boolean
    if isinstance(field, fields.String):
        checks = _validators(field)
        if validate_phone in checks:
            return as_phone
        if validate_id_number in checks or validate_credit_code in checks:
            return as_code
        for v in checks:
            if isinstance(v, validate.OneOf):
                return _choice([c for c in v.choices if isinstance(c, str)])
    return None


_PLANS = {}


def _plan(schema):
    """[(key, conversion)] of the schema's fields that have one (made once per schema class)."""
    cls = schema if isinstance(schema, type) else type(schema)
    if cls not in _PLANS:
        instance = schema() if isinstance(schema, type) else schema
        _PLANS[cls] = [(f.data_key or name, conv) for name, f in instance.load_fields.items()
                       if (conv := _for_field(f)) is not None]
    return _PLANS[cls]


def normalize_with(plan, data):
    if not isinstance(data, dict):
        return data
    out = None
    for key, convert in plan:
        if key in data and data[key] is not None:
            value = convert(data[key])
            if value is not data[key]:
                if out is None:
                    out = dict(data)
                out[key] = value
    return data if out is None else out


def normalize(schema_cls, data):
    """The request with each value as the platform writes it, where it was written as people do."""
    return normalize_with(_plan(schema_cls), data)
