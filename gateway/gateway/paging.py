"""Every list route answers a page: {items, total, page, page_size, sort}.

A route with `sort=(...)` takes page, page_size (1..200) and sort (one of its fields, '-' first
for descending; the first is the default) in its query string."""
from marshmallow import RAISE, Schema, fields, validate

from contracts.rules import broken


class PageQuery(Schema):
    class Meta:
        unknown = RAISE
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000, error=broken("bad_page", "", "页码应为 1–100000")))
    page_size = fields.Integer(load_default=50, validate=validate.Range(1, 200, error=broken("bad_page_size", "", "每页条数应为 1–200")))
    sort = fields.String(load_default=None, validate=validate.Length(max=40))


def page_of(call, result):
    """{items, total, page, page_size, sort}: from a service that paged already ({items, total}),
    or from a whole list (bounded lists: a community's units, a street's invitations), sorted and
    cut here."""
    q = call.query
    size, number, key = q["page_size"], q["page"], call.sort
    if isinstance(result, dict) and "items" in result:
        items, total = result["items"], result["total"]
    else:
        field, descending = key.lstrip("-"), key.startswith("-")
        # items without the field go last, whichever the direction
        ordered = (sorted((i for i in result if i.get(field) is not None), key=lambda i: i[field], reverse=descending)
                   + [i for i in result if i.get(field) is None])
        items, total = ordered[(number - 1) * size: number * size], len(result)
    return {"items": items, "total": total, "page": number, "page_size": size, "sort": key}
