"""Loading requests at an RPC boundary: bad input becomes a ValidationFailed naming each field,
rule and clause, before anything is written."""
from marshmallow import ValidationError

from contracts.errors import ValidationFailed
from contracts.rules import field_errors


_SCHEMAS = {}


def load(schema_cls, data):
    if not isinstance(data, dict):
        raise ValidationFailed(fields=[{"field": "_", "code": "type", "rule": "", "message": "请求体应为 JSON 对象"}])
    # a schema instance copies all its fields when made: make each once, loading is reentrant
    schema = _SCHEMAS.get(schema_cls) or _SCHEMAS.setdefault(schema_cls, schema_cls())
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(fields=field_errors(exc.messages)) from None


def invalid(field, code, rule, message):
    """A ValidationFailed for one field (rules that need the database: the community must exist...)."""
    return ValidationFailed(fields=[{"field": field, "code": code, "rule": rule, "message": message}])
