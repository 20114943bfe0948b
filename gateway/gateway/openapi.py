"""The OpenAPI 3 document, generated from the route table and the marshmallow schemas."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields, validate

from contracts.access import ROLE_NAMES

from .nodes import node_params

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "object", "properties": {
            "code": {"type": "string", "description": "stable English code"},
            "message": {"type": "string", "description": "中文说明"},
            "fields": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string"}, "code": {"type": "string"},
                "rule": {"type": "string", "description": "条款，如 §3.1.2"},
                "message": {"type": "string"}}}}},
            "required": ["code", "message"]},
        "request_id": {"type": "string"},
    },
    "required": ["error", "request_id"],
}

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path(rule):
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


# the forms the server checks a path parameter against, stated so that a client knows them
PATH_FORMS = {
    "period": {"type": "string", "pattern": r"^20\d\dH[12]$", "description": "半年度，如 2026H1（上半年）、2026H2（下半年）",
               "example": "2026H1"},
    "community_code": {"type": "string", "pattern": r"^\d{12}$", "description": "社区代码（12 位）"},
    "street_code": {"type": "string", "pattern": r"^\d{9}$", "description": "街道代码（9 位）"},
    "district_code": {"type": "string", "pattern": r"^\d{6}$", "description": "县（区）代码（6 位）"},
}


def _path_params(rule):
    return [{"name": name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1} if conv == "int" else PATH_FORMS.get(name, {"type": "string"})}
            for conv, name in _PARAM.findall(rule)]


def _query(route):
    """The route's query schema; a list route's `sort` names its own choices (Route.sort)."""
    if not route.sort:
        return route.query
    choices = validate.OneOf(list(route.sort), error=f"排序字段应为 {'、'.join(route.sort)} 之一")
    sort = fields.String(validate=choices,   # for the document only: the gateway loads route.query
                         metadata={"description": "排序字段，'-' 开头为降序；默认 " + route.sort[0]})
    return type(f"{route.handler.__name__}_{route.method.lower()}_query", (route.query,), {"sort": sort})


def build_spec(routes, version="1.0.0"):
    spec = APISpec(title="双报到 平台 API", version=version, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "郑州市社区党建“双报到”平台。错误均为 JSON：稳定的英文 code、中文 message、"
                                        "逐字段的 fields（含条款 rule）与 request_id。"})
    spec.components.schema("Error", ERROR_SCHEMA)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                               "description": "POST /api/v1/auth/login 取得的访问令牌"})
    for route in routes:
        op = {"summary": route.summary, "tags": [route.tag], "operationId": route.handler.__name__ + "_" + route.method.lower(),
              "parameters": _path_params(route.path),
              "responses": {str(route.status): {"description": "成功", "content": {"application/json": {"schema": {}}}}}}
        if route.query is not None:
            op["parameters"].append({"in": "query", "schema": _query(route)})
        if route.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": route.body}}}
        if route.upload:
            op["requestBody"] = {"required": True, "content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}}
        if route.public:
            op["security"] = []
        else:
            op["security"] = [{"bearer": []}]
            op["x-roles"] = list(route.roles)
            op["description"] = "可用角色：" + "、".join(ROLE_NAMES[r] for r in route.roles)
        errors = {"400": "输入有误（逐字段说明与条款）", "404": "不存在", "422": "当前状态不允许此操作"}
        if node_params(route):  # the gateway checks the node exists (gateway.nodes)
            errors["404"] = "不存在（含路径中的县（区）、街道或社区不存在）"
        if not route.public:
            errors.update({"401": "未登录、令牌过期或会话已结束", "403": "角色或管辖范围不允许"})
        if route.name == "login":
            errors["401"] = "用户名或密码错误"
            errors["429"] = "登录失败次数过多，账号已锁定或该地址暂被限制"
        if route.public:
            errors["401"] = "令牌无效"
        if route.name == "check_certificate":
            errors["429"] = "查验过于频繁（每个地址每分钟有上限），请稍后再试"
        if route.name in ("public_board", "public_honour_list"):
            errors["429"] = "请求过于频繁（每个地址每分钟有上限），请稍后再试"
        if route.method == "POST":
            errors.update({"409": "与已有记录冲突", "413": "请求体过大"})
        if route.upload:
            errors["415"] = "不支持的文件类型"
        for status, text in errors.items():
            op["responses"][status] = {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        op["responses"]["500"] = {"description": "服务器内部错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for status, (mimetype, text) in route.responses.items():  # a picture rather than JSON
            op["responses"][str(status)] = {"description": text, "content": {mimetype: {"schema": {"type": "string"}}}}
        spec.path(path=_path(route.path), operations={route.method.lower(): op})
    doc = spec.to_dict()
    doc["security"] = [{"bearer": []}]
    return doc
