"""The route table, the OpenAPI document made from it, and the error table."""
from contracts import errors
from gateway.errors import STATUS, error_response
from gateway.openapi import _path
from contracts.access import ROLES
from gateway.routes import ROUTES, SCOPE_PARAMS, SCOPES
from gateway.service import SPEC


def test_every_route_is_in_the_openapi_document():
    for route in ROUTES:
        path = SPEC["paths"][_path(route.path)]
        op = path[route.method.lower()]
        assert op["summary"] and str(route.status) in op["responses"]
        if route.body is not None:
            assert op["requestBody"]["content"]["application/json"]["schema"]


def test_every_route_sits_under_a_scope_and_names_its_roles():
    assert {r.scope for r in ROUTES} <= set(SCOPES)
    for r in ROUTES:
        if r.scope in SCOPE_PARAMS:
            # the node is named in the path, so the gateway can check it before anything runs
            assert any(f"{p}>" in r.path for p in SCOPE_PARAMS[r.scope]), r.path
        assert set(r.roles) <= set(ROLES)
        assert r.public == (not r.roles), r.path
    # signing in, checking a certificate's QR code, and the board and honour list a hall's screen
    # shows are the only things one can do without an account
    assert {r.name for r in ROUTES if r.public} == {"login", "refresh", "check_certificate", "public_board",
                                                   "public_honour_list"}


def test_the_document_says_who_may_call_each_route():
    assert SPEC["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for route in ROUTES:
        op = SPEC["paths"][_path(route.path)][route.method.lower()]
        if route.public:
            assert op["security"] == []
        else:
            assert op["x-roles"] == list(route.roles) and "401" in op["responses"] and "403" in op["responses"]


def test_operation_ids_are_unique():
    ids = [op["operationId"] for ops in SPEC["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_each_domain_error_has_its_status_and_body():
    for exc_type, status in STATUS.items():
        got, body = error_response(exc_type(), "rid")
        assert got == status and body["error"]["code"] == exc_type.code and body["request_id"] == "rid"
    named = error_response(errors.ValidationFailed(fields=[{"field": "birth_date", "code": "bad_date", "rule": "附录B.1",
                                                            "message": "应为日期"}]), "r")[1]["error"]
    assert named["fields"] == [{"field": "birth_date", "code": "bad_date", "rule": "附录B.1", "label": "出生日期",
                                "message": "出生日期（birth_date）：应为日期（附录B.1）"}]
    assert named["message"] == "输入有误，未作任何更改：出生日期（birth_date）：应为日期（附录B.1）"


def test_unexpected_errors_hide_their_details():
    status, body = error_response(RuntimeError("password=secret"), "rid")
    assert status == 500 and "secret" not in str(body) and body["error"]["code"] == "internal_error"


def test_the_document_states_the_forms_the_server_checks_a_period_and_a_sort_against():
    import re
    for route in ROUTES:
        op = SPEC["paths"][_path(route.path)][route.method.lower()]
        params = {p["name"]: p for p in op["parameters"]}
        if "period" in params and params["period"]["in"] == "path":
            pattern = params["period"]["schema"]["pattern"]
            assert re.fullmatch(pattern.strip("^$"), "2026H1") and not re.fullmatch(pattern.strip("^$"), "2026-1")
        if route.sort:
            assert params["sort"]["schema"]["enum"] == ["", *route.sort], route.path   # "": the default


def test_a_refusal_of_routing_is_json_and_a_405_says_what_is_allowed():
    from werkzeug.exceptions import MethodNotAllowed, NotFound
    from toolkit.nameko_fixes import http_refusal
    refused = http_refusal(MethodNotAllowed(valid_methods=["POST", "GET"]))
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET, POST"
    assert refused.mimetype == "application/json" and b"method_not_allowed" in refused.get_data()
    missing = http_refusal(NotFound())
    assert missing.status_code == 404 and b"not_found" in missing.get_data() and "Allow" not in missing.headers


def test_every_cross_field_rule_names_an_operation_and_is_in_its_description():
    from gateway.openapi import CROSS_FIELD_RULES
    from gateway.service import SPEC
    for (method, path), rules in CROSS_FIELD_RULES.items():
        op = SPEC["paths"][path][method.lower()]   # a KeyError: a rule for no operation
        assert [r["code"] for r in op["x-cross-field-rules"]] == [code for code, _, _ in rules]
        assert all(text in op["description"] for _, _, text in rules)
