"""A fast path for loading many rows with a flat marshmallow schema (bulk imports).

marshmallow's per-field machinery costs ~65 µs a row for certificate B.1, most of the time of a
100,000-row import. `FastLoader` walks the same schema once, keeps each field's type, default and
validators, and loads a row by calling those same validators and the schema's own
@validates_schema hooks directly. It only ever accepts: a row it is not sure of (a type it does
not handle, a validator that fails, an unknown field) returns None, and the caller loads that row
with the schema itself, which produces the error messages. So the rules live in one place, the
schema, and the fast path can be no more lenient than it (a property test compares the two).
"""
import re
from datetime import date

from marshmallow import ValidationError, fields, missing

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NO = object()


def _string(value):
    return value if isinstance(value, str) else _NO


def _strict_int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else _NO


def _date(value):
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return _NO
    return _NO


def _converter(field):
    kind = type(field)
    if kind is fields.String:
        return _string
    if kind is fields.Integer and field.strict:
        return _strict_int
    if kind is fields.Date and field.format in (None, "iso"):
        return _date
    raise TypeError(f"FastLoader does not handle {kind.__name__}")


def _run(validators, value):
    for validator in validators:
        if validator(value) is False:
            raise ValidationError("invalid")


class FastLoader:
    def __init__(self, schema_cls):
        self.schema = schema_cls()
        self.plan = []
        for name, field in self.schema.load_fields.items():
            if type(field) is fields.List:
                inner = field.inner
                item = (_converter(inner), tuple(inner.validators))
                convert = None
            else:
                item, convert = None, _converter(field)
            self.plan.append((name, field.data_key or name, convert, item, field.required, field.allow_none,
                              field.load_default, tuple(field.validators)))
        self.keys = {key for _, key, *_ in self.plan}
        self.hooks = [getattr(self.schema, attr) for attr, many, _ in self.schema._hooks["validates_schema"]]

    def load(self, data):
        """The loaded row, exactly as schema.load() would give it; None if unsure."""
        if not data.keys() <= self.keys:
            return None
        out = {}
        try:
            for name, key, convert, item, required, allow_none, default, validators in self.plan:
                if key not in data:
                    if required:
                        return None
                    if default is not missing:
                        out[name] = default() if callable(default) else default
                    continue
                value = data[key]
                if value is None:
                    if not allow_none:
                        return None
                    out[name] = None
                    continue
                if item is None:
                    value = convert(value)
                    if value is _NO:
                        return None
                else:
                    if not isinstance(value, list):
                        return None
                    item_convert, item_validators = item
                    value = [item_convert(v) for v in value]
                    if _NO in value:
                        return None
                    for v in value:
                        _run(item_validators, v)
                _run(validators, value)
                out[name] = value
            for hook in self.hooks:
                hook(out, partial=None, many=False)
        except ValidationError:
            return None
        return out
