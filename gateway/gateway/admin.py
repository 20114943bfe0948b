"""Routes the gateway answers itself, from its own schema: signing in and out, the caller's own
account, accounts (city administrator) and the audit log search."""
from datetime import timezone

from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import and_, func, select

from contracts.access import NODE_OF_ROLE, ROLE_NAMES, ROLES, scope_problem
from contracts.errors import NotFound, Unauthenticated
from contracts.rules import broken

from . import accounts as acc
from .models import accounts, audit_log
from .nodes import missing
from .paging import PageQuery


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _required_text(max_len, what):
    return fields.String(required=True, validate=validate.Length(1, max_len, error=broken("bad_length", "", f"{what}长度应为 1–{max_len}")))


def _username():
    # gateway.accounts.create_account's rule, stated for the document: 3–64 letters (any script),
    # digits or . _ - @ once the spaces around are gone (\w is Python's isalnum() or "_")
    return fields.String(required=True, validate=validate.Regexp(
        r"^\s*[\w.@-]{3,64}\s*$", error=broken("bad_username", "", "用户名应为 3–64 个字母、数字或 . _ - @")))


class LoginBody(_Strict):
    username = _username()
    password = _required_text(128, "密码")


class RefreshBody(_Strict):
    refresh_token = _required_text(200, "刷新令牌")


class PasswordBody(_Strict):
    old_password = _required_text(128, "原密码")
    new_password = _required_text(128, "新密码")


class AccountBody(_Strict):
    username = _username()
    display_name = _required_text(60, "姓名或名称")
    role = fields.String(required=True, validate=validate.OneOf(ROLES, error=broken("bad_role", "", f"角色应为 {'、'.join(ROLES)} 之一")))
    scope = fields.String(load_default="", validate=validate.Length(max=20))
    password = _required_text(128, "密码")


class AccountStateBody(_Strict):
    disabled = fields.Boolean(load_default=None)
    unlock = fields.Boolean(load_default=False)


class AccountQuery(PageQuery):
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES, error=broken("bad_role", "", "角色不存在")))
    scope = fields.String(load_default=None, validate=validate.Length(max=20))  # a node and everything under it
    username = fields.String(load_default=None, validate=validate.Length(max=64))


class AuditQuery(PageQuery):
    username = fields.String(load_default=None, validate=validate.Length(max=64))
    member_id = fields.Integer(load_default=None, validate=validate.Range(1))
    subject = fields.String(load_default=None, validate=validate.Length(max=60))    # e.g. registration:12
    field = fields.String(load_default=None, validate=validate.Length(max=40))      # phone, home_address, id_number
    personal_data = fields.Boolean(load_default=None)
    action = fields.String(load_default=None, validate=validate.Length(max=80))
    since = fields.AwareDateTime(load_default=None, default_timezone=None)
    until = fields.AwareDateTime(load_default=None, default_timezone=None)
    request_id = fields.String(load_default=None, validate=validate.Length(max=64))


# --- signing in and out -----------------------------------------------------------------------

def login(call):
    gw = call.gateway
    call.audit_as(acc.normalize_username(call.data["username"]))
    gw.login_throttle.check(call.client_ip)
    try:
        tokens, caller = acc.login(gw.store.engine, gw.settings, call.data["username"], call.data["password"],
                                   call.client_ip, call.request.headers.get("User-Agent"), run=gw.off_hub)
    except Exception:
        gw.login_throttle.count(call.client_ip)
        raise
    call.caller = caller  # the audit line names who signed in
    return tokens


def refresh(call):
    try:
        tokens, caller = acc.refresh(call.gateway.store.engine, call.gateway.settings, call.data["refresh_token"])
    except Unauthenticated as exc:
        call.gateway.revoke_now(getattr(exc, "ended", ()))  # a copied token: its session ends here at once
        raise
    call.caller = caller
    return tokens


def logout(call):
    with call.gateway.store.engine.begin() as conn:
        ended = acc.revoke_sessions(conn, "logout", session_id=call.session_id)
    call.gateway.revoke_now([call.session_id])
    return {"logged_out": bool(ended)}


def me(call):
    with call.gateway.store.engine.connect() as conn:
        row = conn.execute(select(accounts).where(accounts.c.id == call.caller.account_id)).mappings().first()
    if row is None:
        raise NotFound(message="账号不存在")
    return acc.account_view(row)


def change_password(call):
    with call.gateway.store.engine.begin() as conn:
        ended = acc.change_password(conn, call.caller, call.data["old_password"], call.data["new_password"],
                                    run=call.gateway.off_hub)
    call.gateway.revoke_now(ended)
    return {"changed": True, "sessions_ended": len(ended)}


# --- accounts (city administrator) ------------------------------------------------------------

def list_accounts(call):
    q = call.query
    where = []
    if q["role"]:
        where.append(accounts.c.role == q["role"])
    if q["scope"]:
        where.append(accounts.c.scope.startswith(q["scope"], autoescape=True))
    if q["username"]:
        where.append(accounts.c.username.contains(q["username"].lower(), autoescape=True))
    column, descending = call.sort_column(accounts)
    with call.gateway.store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(accounts).where(and_(True, *where))).scalar()
        rows = conn.execute(select(accounts).where(and_(True, *where))
                            .order_by(column.desc() if descending else column, accounts.c.id)
                            .limit(q["page_size"]).offset((q["page"] - 1) * q["page_size"])).mappings().all()
    return {"items": [acc.account_view(r) for r in rows], "total": total}


def create_account(call):
    b = call.data
    _scope_exists(call, b["role"], b["scope"])
    with call.gateway.store.engine.begin() as conn:
        return acc.create_account(conn, b["username"], b["display_name"], b["role"], b["scope"], b["password"],
                                  created_by=call.caller.username) | {"role_name": ROLE_NAMES[b["role"]]}


def _scope_exists(call, role, scope):
    """An account is bound to a node, unit or member that exists (404 as for any object named)."""
    if role not in NODE_OF_ROLE or scope_problem(role, scope):
        return  # not a scope at all: refused with its rule when the account is made
    node = NODE_OF_ROLE[role]
    if node in ("district", "street", "community"):
        if not call.gateway.nodes.exists(node, scope, call.registration.node_codes):
            raise missing(node, scope, field="管辖范围（scope）：")
    elif node in ("unit", "member"):
        try:
            (call.registration.unit_scope if node == "unit" else call.registration.member_scope)(int(scope))
        except NotFound:
            raise NotFound(message=f"管辖范围（scope）：{'单位' if node == 'unit' else '党员'} {scope} 不存在") from None


def set_state(call, account_id):
    with call.gateway.store.engine.begin() as conn:
        view, ended = acc.set_account_state(conn, account_id, disabled=call.data["disabled"], unlock=call.data["unlock"])
    call.gateway.revoke_now(ended)
    return view


def revoke(call, account_id):
    with call.gateway.store.engine.begin() as conn:
        if conn.execute(select(accounts.c.id).where(accounts.c.id == account_id)).first() is None:
            raise NotFound(message=f"账号 {account_id} 不存在")
        ended = acc.revoke_sessions(conn, "revoked_by_admin", account_id=account_id)
    call.gateway.revoke_now(ended)
    return {"account_id": account_id, "sessions_ended": len(ended)}


# --- the audit log -----------------------------------------------------------------------------

def search_audit(call):
    """Who read or changed what: e.g. ?member_id=12&field=phone&since=...: who read member 12's
    phone in that week."""
    q = call.query
    where = []
    if q["username"]:
        where.append(audit_log.c.username == q["username"].lower())
    if q["member_id"]:
        where.append(audit_log.c.subjects.contains([f"member:{q['member_id']}"]))
    if q["subject"]:
        where.append(audit_log.c.subjects.contains([q["subject"]]))
    if q["field"]:
        where.append(audit_log.c.personal_fields.contains([q["field"]]))
    if q["personal_data"] is not None:
        where.append(audit_log.c.personal_data.is_(q["personal_data"]))
    if q["action"]:
        where.append(audit_log.c.action == q["action"])
    # in UTC: Python takes offsets up to ±23:59, PostgreSQL only to ±15:59
    if q["since"]:
        where.append(audit_log.c.at >= q["since"].astimezone(timezone.utc))
    if q["until"]:
        where.append(audit_log.c.at < q["until"].astimezone(timezone.utc))
    if q["request_id"]:
        where.append(audit_log.c.request_id == q["request_id"])
    column, descending = call.sort_column(audit_log)
    with call.gateway.store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(audit_log).where(and_(True, *where))).scalar()
        rows = conn.execute(select(audit_log).where(and_(True, *where))
                            .order_by(column.desc() if descending else column, audit_log.c.id.desc())
                            .limit(q["page_size"]).offset((q["page"] - 1) * q["page_size"])).mappings().all()
    return {"items": [dict(r) for r in rows], "total": total}
