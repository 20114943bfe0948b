"""Loading requests at an RPC boundary: bad input becomes a ValidationFailed naming each field,
rule and clause, before anything is written."""
from marshmallow import ValidationError

from contracts.errors import ValidationFailed
from contracts.rules import field_errors
from contracts.written import normalize

from .fastload import FastLoader

_SCHEMAS = {}
_FAST = {}
# hooks FastLoader does not run: a schema that has one is always loaded by marshmallow itself
_UNRUN_HOOKS = ("pre_load", "post_load", "validates")


def _fast_loader(schema_cls, schema):
    """FastLoader of a flat schema (certificate B.1, opinions, acceptances), else None."""
    if any(schema._hooks.get(kind) for kind in _UNRUN_HOOKS):
        return None
    try:
        return FastLoader(schema_cls)
    except TypeError:  # a field it does not handle (nested, dict, loose integers of a query...)
        return None


def load(schema_cls, data):
    if not isinstance(data, dict):
        raise ValidationFailed(fields=[{"field": "_", "code": "type", "rule": "", "message": "请求体应为 JSON 对象"}])
    # a schema instance copies all its fields when made: make each once, loading is reentrant
    schema = _SCHEMAS.get(schema_cls) or _SCHEMAS.setdefault(schema_cls, schema_cls())
    data = normalize(schema_cls, data)   # 男, 1985/4/3, 138 1234 5678: as people write them
    if schema_cls not in _FAST:
        _FAST[schema_cls] = _fast_loader(schema_cls, schema)
    fast = _FAST[schema_cls]
    if fast is not None:  # what it accepts the schema accepts alike; what it is unsure of goes on
        loaded = fast.load(data)
        if loaded is not None:
            return loaded
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(fields=field_errors(exc.messages)) from None


def invalid(field, code, rule, message):
    """A ValidationFailed for one field (rules that need the database: the community must exist...)."""
    return ValidationFailed(fields=[{"field": field, "code": code, "rule": rule, "message": message}])


def half_year(period):
    """A half year as an RPC takes it (S4, §3.5.4): 2026H1 or 2026H2, or a clear error."""
    import re
    if not isinstance(period, str) or not re.fullmatch(r"20\d\dH[12]", period):
        raise invalid("period", "bad_period", "§3.5.4", "半年度应写作如 2026H1（上半年）或 2026H2（下半年）")
    return period
