"""Remote error types: what a service raises and the gateway maps to HTTP in one table.

Every error carries a stable English `code` for programs, a Chinese `message` for people and,
for validation, the list of offending fields with the rule and clause each one broke. The
constructor takes exactly what `args` holds, so nameko can rebuild the typed error on the
caller's side (see `toolkit.errors.register_remote_errors`).
"""


class DomainError(Exception):
    code = "domain_error"
    message = "请求无法处理"

    def __init__(self, code=None, message=None, fields=None):
        code = code or type(self).code
        message = message or type(self).message
        fields = list(fields or [])
        super().__init__(code, message, fields)
        self.code, self.message, self.fields = code, message, fields

    def to_dict(self):
        body = {"code": self.code, "message": self.message}
        if self.fields:
            from .labels import labelled
            body["fields"] = [labelled(f) for f in self.fields]
            if self.message == type(self).message:  # say what is wrong, not only that something is
                shown = "；".join(f["message"] for f in body["fields"][:3])
                more = f"（共 {len(body['fields'])} 处）" if len(body["fields"]) > 3 else ""
                body["message"] = f"{self.message}：{shown}{more}"
        return body

    def __str__(self):
        return f"{self.code}: {self.message}"


class ValidationFailed(DomainError):
    """Input broke a rule; `fields` lists {field, code, rule, message} per problem."""
    code = "validation_failed"
    message = "输入有误，未作任何更改"


class NotFound(DomainError):
    code = "not_found"
    message = "未找到"


class Conflict(DomainError):
    """The request clashes with what exists (a second registration in a year, ...)."""
    code = "conflict"
    message = "与已有记录冲突"


class InvalidState(DomainError):
    """The record is not in a state that allows this step (accepting before the unit approved, ...)."""
    code = "invalid_state"
    message = "当前状态不允许此操作"


class ReadOnly(DomainError):
    """History that must not change (a registration left behind by a transfer, §4.2)."""
    code = "read_only"
    message = "该记录为只读"


class Forbidden(DomainError):
    code = "forbidden"
    message = "无权执行此操作"


class Unauthenticated(DomainError):
    """No valid credentials: no token, an expired or revoked one, a wrong password."""
    code = "unauthenticated"
    message = "请先登录"


class Throttled(DomainError):
    """Too many attempts (failed logins): try again after `retry_after` seconds."""
    code = "too_many_requests"
    message = "尝试次数过多，请稍后再试"

    def __init__(self, code=None, message=None, fields=None, retry_after=60):
        super().__init__(code, message, fields)
        self.retry_after = int(retry_after)


class Unavailable(DomainError):
    """A service this one needed did not answer in time: nothing was decided; try again."""
    code = "service_unavailable"
    message = "服务暂时不可用，请稍后重试"


ALL = (DomainError, ValidationFailed, NotFound, Conflict, InvalidState, ReadOnly, Forbidden, Unauthenticated,
       Throttled, Unavailable)
