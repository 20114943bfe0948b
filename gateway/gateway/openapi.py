"""The OpenAPI 3 document, generated from the route table and the marshmallow schemas."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields, validate

from contracts.access import ROLE_NAMES
from contracts.rules import WHITESPACE
from contracts.written import SEPARATORS

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

# the kinds of file an upload takes, told by the file's name (gateway.service._upload)
UPLOAD_TYPES = (".csv", ".xlsx")

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
    "area_code": {"type": "string", "pattern": r"^\d{4}(\d{2}(\d{3}(\d{3})?)?)?$",
                  "description": "区域代码：市 4 位、县（区）6 位、街道 9 位或社区 12 位"},
    # as people copy it: spaces around it, a lower-case x (registration.domain.parse_certificate_no)
    "number": {"type": "string", "pattern": r"^\s*\d{4}-\d{12}-\d{6}-[0-9Xx]\s*$",
               "description": "报到证编号，如 2026-410106001001-000041-5（末位为校验位；校验位不符即查无此证）",
               "example": "2026-410106001001-000041-5"},
    "year": {"type": "integer", "minimum": 2000, "maximum": 2100, "description": "年度（2000–2100）"},
}
# Rules between fields of one request, which JSON Schema (OpenAPI 3.0) cannot state: each is in its
# operation's description and in `x-cross-field-rules` (code, clause, what), and answered 400 with
# that code. tests/test_schemathesis_all.py expects a 400 to a schema-valid request only here.
_C = "/api/v1/communities/{community_code}"
_ACTIVITY = [("ends_before_start", "§3.3.2", "结束时间须晚于开始时间"), ("too_long", "§3.3.2", "一次活动不超过 24 小时"),
             ("festival_missing", "§3.4.2", "kind 为 festival（节日集中服务）时须注明 festival"),
             ("not_near_festival", "§3.4.2", "节日集中服务的开始时间须在该节日前后 7 天内")]
CROSS_FIELD_RULES = {
    ("POST", f"{_C}/activities"): _ACTIVITY,
    ("POST", "/api/v1/me/teams/{team_id}/activities"): _ACTIVITY,
    ("POST", "/api/v1/districts/{district_code}/festival-campaigns"): [
        ("ends_before_start", "§3.3.2", "结束时间须晚于开始时间"),
        ("not_near_festival", "§3.4.2", "开始时间须在该节日前后 7 天内")],
    ("POST", "/api/v1/me/activities/{activity_id}/late-record"): [
        ("ends_before_start", "§3.4", "服务结束 served_until 须晚于服务开始 served_from")],
    ("POST", f"{_C}/support-pairings"): [
        ("one_to_one_needs_one", "§3.4.4", "mode 为 one_to_one（一对一）时 member_ids 只有一名党员"),
        ("many_to_one_needs_several", "§3.4.4", "mode 为 many_to_one（多对一）时 member_ids 至少两名党员")],
    ("POST", "/api/v1/rules"): [
        ("override_range_reversed", "§3.5.2", "override_max 不小于 override_min"),
        ("base_outside_override_range", "§3.5.2", "base_points ± max_adjustment 在 override_min–override_max 之内"),
        ("merit_range_reversed", "§3.5.3", "merit_max 不小于 merit_min")],
    ("POST", f"{_C}/activities/{{activity_id}}/assessment"): [
        ("override_reason_missing", "§3.5.2", "特殊情况调整分值（override_points、adjustment）须写明理由 reason")],
    ("POST", f"{_C}/detail-changes/{{change_id}}/decision"): [("required", "§5.3.2", "decision 为 decline（不采纳）时须写明理由 reason")],
    ("POST", f"{_C}/projects"): [("links_missing", "附录C", "“五联”内容 links 至少填写一项")],
    ("POST", f"{_C}/member-registrations"): [
        ("other_skill_unticked", "附录B.1", "填写其它技能 other_skill 时，技能特长 skills 须含“其它”"),
        ("id_number_mismatch", "GB 11643", "性别 gender、出生日期 birth_date 须与身份证号码一致")],
    ("POST", f"{_C}/member-registrations/{{registration_id}}/transfer"): [
        ("transfer_target_missing", "§4.2", "按变动原因 reason 填写变动后的信息：new_unit_id、new_community_code 或 new_home_address")],
    ("PUT", f"{_C}/feedback/{{period}}/comments"): [("member_twice", "§5.3.3", "comments 中同一党员 member_id 只出现一次")],
    ("PATCH", f"{_C}/supermarket/goods/{{goods_id}}"): [("empty", "§3.6.3", "价格、库存、上下架至少修改一项")],
    ("POST", "/api/v1/me/objections"): [("required", "§5.3.4", "target 为 entry（对积分记录提异议）时须填写 entry_id")],
    ("POST", "/api/v1/units/{unit_id}/objections"): [("required", "§5.3.4", "target 为 entry（对积分记录提异议）时须填写 entry_id")],
    ("POST", "/api/v1/me/detail-changes"): [("nothing_changed", "§5.3.2", "职务 position、联系方式 phone、服务意向 service_intentions 至少填写一项")],
    ("POST", "/api/v1/units/{unit_id}/detail-changes"): [
        ("nothing_changed", "§5.3.2", "职务 position、联系方式 phone、服务意向 service_intentions 至少填写一项")],
    ("POST", "/api/v1/accounts"): [("bad_scope", "", "scope 随角色 role：city_admin 为空；district_officer 为 6 位、"
                                     "street_officer 为 9 位、community_staff 为 12 位区域代码；unit_officer 为单位编号；"
                                     "member 为党员编号")],
    ("PUT", f"{_C}/agreement-template"): [
        ("unknown_section", "附录C", "sections 的键为附录C的条款名：preamble、guidance、goals、organization、members、"
                                     "activities、resources、services、requirements、closing")],
}

# No NUL in any text (gateway.service._check_text: PostgreSQL cannot store it), stated on every
# string the document does not already bound by a pattern, a format or a list of choices
NO_NUL = r"^[^\u0000]*$"


def _path_params(rule):
    return [{"name": name, "in": "path", "required": True,
             "schema": PATH_FORMS.get(name) or ({"type": "integer", "minimum": 0, "maximum": 2**63 - 1} if conv == "int"
                                               else {"type": "string", "pattern": NO_NUL})}
            for conv, name in _PARAM.findall(rule)]


def _query(route):
    """The route's query schema; a list route's `sort` names its own choices (Route.sort)."""
    if not route.sort:
        return route.query
    # "" is the default, as the gateway takes it (an empty form field)
    choices = validate.OneOf(["", *route.sort], error=f"排序字段应为 {'、'.join(route.sort)} 之一")
    sort = fields.String(validate=choices,   # for the document only: the gateway loads route.query
                         metadata={"description": "排序字段，'-' 开头为降序；留空或不填为 " + route.sort[0]})
    return type(f"{route.handler.__name__}_{route.method.lower()}_query", (route.query,), {"sort": sort})


def _stated_rules(converter, field, ret):
    """The JSON Schema keywords our validator functions state (contracts.rules.stated): the
    document then says what the server checks (a phone's form, a text's length and blanks...)."""
    stated = {}
    for validator in field.validators:
        stated.update(getattr(validator, "openapi", {}))
    if "description" in stated and ret.get("description"):
        stated["description"] = f"{ret['description']}；{stated['description']}"
    line = _one_line(ret) if isinstance(field, fields.List) and ret.get("type") == "array" else None
    if line:
        # a list of texts may be written as one line, as people do (contracts.written.as_list)
        array = {key: ret.pop(key) for key in list(ret) if key not in ("description", "nullable", "default")}
        stated["anyOf"] = [array, {"type": "string", "pattern": line,
                                   "description": f"也可写作一行，以 {SEPARATORS} 分隔（如 写作、摄影）"}]
    return stated


def _one_line(array):
    """The pattern of a list written as one line (contracts.written.as_list: split at the
    separators, each piece stripped, blank pieces dropped), its items as the array's items must
    be, as many as it allows; None where the items are not texts. (Uniqueness is not in it.)"""
    items = array.get("items", {})
    if items.get("type") != "string" or array.get("minItems", 0) >= 2:
        return None   # ids are sent as a list; a list of two or more is written as a list
    sep = re.escape(SEPARATORS) + r"\n"
    control = r"\x00-\x1f\x7f" if items.get("pattern", NO_NUL) != NO_NUL else r"\x00"
    mark, char = f"[^{sep}{WHITESPACE}{control}]", f"[^{sep}{control}]"
    if "enum" in items:
        item = "(?:" + "|".join(re.escape(v) for v in items["enum"]) + ")"
    elif items.get("pattern") not in (None, NO_NUL) and "\\x00-" not in items["pattern"]:
        item = "(?:" + items["pattern"].strip("^$") + ")"
    else:
        low, high = items.get("minLength", 1), items.get("maxLength")
        middle = f"{char}{{{max(low - 2, 0)},{'' if high is None else high - 2}}}"
        item = f"{mark}{middle}{mark}" if low >= 2 else f"{mark}(?:{middle}{mark})?"
    gap, end = f"[{sep}{WHITESPACE}]*", f"[{WHITESPACE}]*[{sep}][{sep}{WHITESPACE}]*"
    more = "*" if array.get("maxItems") is None else f"{{0,{array['maxItems'] - 1}}}"
    items_ = f"{item}(?:{end}{item}){more}"
    return f"^{gap}{items_ if array.get('minItems', 0) >= 1 else f'(?:{items_})?'}{gap}$"


def build_spec(routes, version="1.0.0"):
    marshmallow = MarshmallowPlugin()
    spec = APISpec(title="双报到 平台 API", version=version, openapi_version="3.0.3",
                   plugins=[marshmallow],
                   info={"description": "郑州市社区党建“双报到”平台。错误均为 JSON：稳定的英文 code、中文 message、"
                                        "逐字段的 fields（含条款 rule）与 request_id。"})
    marshmallow.converter.add_attribute_function(_stated_rules)
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
            # the file's kind is told by its name (gateway.service._upload): 415 for any other
            op["x-upload-types"] = list(UPLOAD_TYPES)
            op["description"] = f"文件名须以 {' 或 '.join(UPLOAD_TYPES)} 结尾（否则 415）。" + op.get("description", "")
            op["requestBody"] = {"required": True, "content": {
                "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                                   "properties": {"file": {"type": "string", "format": "binary"}}}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}}
        rules = CROSS_FIELD_RULES.get((route.method, _path(route.path)))
        if rules:
            op["x-cross-field-rules"] = [{"code": code, "rule": clause, "message": text} for code, clause, text in rules]
            op["description"] = "另须：" + "；".join(f"{text}（{clause}）" for _, clause, text in rules)
        if route.public:
            op["security"] = []
        else:
            op["security"] = [{"bearer": []}]
            op["x-roles"] = list(route.roles)
            roles = "可用角色：" + "、".join(ROLE_NAMES[r] for r in route.roles)
            op["description"] = f"{roles}。{op['description']}" if op.get("description") else roles
        errors = {"400": "输入有误（逐字段说明与条款）", "404": "不存在",
                  "409": "与已有记录冲突，或当前状态不允许此操作"}
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
        if route.body is not None or route.upload:
            errors["413"] = "请求体过大"
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
    _no_nul(doc)
    return doc


def _no_nul(node):
    if isinstance(node, dict):
        if node.get("format") == "url":   # marshmallow's Url: OpenAPI (and its tools) say uri
            node["format"] = "uri"
        if node.get("type") == "string" and not ({"pattern", "format", "enum"} & set(node)):
            node["pattern"] = NO_NUL
        for value in node.values():
            _no_nul(value)
    elif isinstance(node, list):
        for value in node:
            _no_nul(value)
