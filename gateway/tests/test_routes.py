"""The route table, the OpenAPI document made from it, and the error table."""
from contracts import errors
from gateway.errors import STATUS, error_response
from gateway.openapi import _path
from gateway.routes import ROUTES
from gateway.service import SPEC


def test_every_route_is_in_the_openapi_document():
    for route in ROUTES:
        path = SPEC["paths"][_path(route.path)]
        op = path[route.method.lower()]
        assert op["summary"] and str(route.status) in op["responses"]
        if route.body is not None:
            assert op["requestBody"]["content"]["application/json"]["schema"]


def test_every_route_sits_under_a_scope():
    assert {r.scope for r in ROUTES} <= {"public", "city", "district", "street", "community", "unit"}
    for r in ROUTES:
        if r.scope in ("district", "street", "community", "unit"):
            assert "<" in r.path, r.path  # the scope is named in the path


def test_operation_ids_are_unique():
    ids = [op["operationId"] for ops in SPEC["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_each_domain_error_has_its_status_and_body():
    for exc_type, status in STATUS.items():
        got, body = error_response(exc_type(), "rid")
        assert got == status and body["error"]["code"] == exc_type.code and body["request_id"] == "rid"
    assert error_response(errors.ValidationFailed(fields=[{"field": "x"}]), "r")[1]["error"]["fields"] == [{"field": "x"}]


def test_unexpected_errors_hide_their_details():
    status, body = error_response(RuntimeError("password=secret"), "rid")
    assert status == 500 and "secret" not in str(body) and body["error"]["code"] == "internal_error"
