"""Accounts, passwords, sessions and tokens.

- Passwords: argon2id (argon2-cffi) at OWASP's minimum cost (19 MiB, 2 passes), verified in a
  native thread so that one login does not stall every other request of the gateway's hub.
- Access tokens: JWT (HS256), short-lived (GATEWAY_ACCESS_TTL, 15 min); they name the account,
  its role and scope, and the session (`sid`) they belong to.
- Refresh tokens: random, kept as SHA-256 only, valid GATEWAY_REFRESH_TTL (7 days); each refresh
  replaces it. Presenting a replaced one again means it was copied: the session is revoked.
- Logout and revocation end a session; every gateway replica refuses its access tokens within
  REVOKED_REFRESH seconds (gateway.service reloads the recently revoked sessions).
- Failed logins: after MAX_FAILURES in a row the account is locked for LOCK_MINUTES (429 with
  Retry-After); an unknown username costs the same hash as a known one.
"""
import hashlib
import logging
import secrets
import time
import uuid
from datetime import timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from contracts.access import ROLE_NAMES, Caller, scope_problem
from contracts.errors import Conflict, NotFound, Throttled, Unauthenticated
from toolkit.config import env, now
from toolkit.validation import invalid

from .models import accounts, sessions

log = logging.getLogger(__name__)

HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MAX_FAILURES = 5
LOCK_MINUTES = 15
_DUMMY_HASH = None


def _dummy_hash():
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = HASHER.hash(secrets.token_hex(16))
    return _DUMMY_HASH


def _sha256(token):
    return hashlib.sha256(token.encode()).hexdigest()


class Settings:
    MIN_SECRET = 32

    def __init__(self, secret=None, access_ttl=None, refresh_ttl=None):
        # no default: a secret in the repository would let anyone sign a city administrator's token
        self.secret = secret or env("GATEWAY_JWT_SECRET", "")
        if len(self.secret) < self.MIN_SECRET:
            raise RuntimeError(f"GATEWAY_JWT_SECRET must be set to at least {self.MIN_SECRET} characters "
                               "(the same on every gateway replica); make run makes one in var/jwt-secret")
        self.access_ttl = int(access_ttl or env("GATEWAY_ACCESS_TTL", "900"))
        self.refresh_ttl = int(refresh_ttl or env("GATEWAY_REFRESH_TTL", str(7 * 24 * 3600)))


# --- passwords ------------------------------------------------------------------------------

def check_password_rules(password, field="password"):
    if not isinstance(password, str) or len(password) < 10 or len(password) > 128:
        raise invalid(field, "weak_password", "", "密码应为 10–128 个字符")
    if not (any(ch.isdigit() for ch in password) and any(ch.isalpha() for ch in password)):
        raise invalid(field, "weak_password", "", "密码应同时包含字母和数字")


def hash_password(password):
    return HASHER.hash(password)


def verify_password(password_hash, password, run=lambda fn, *a: fn(*a)):
    """True if the password matches; `run` may move the hashing off the eventlet hub."""
    try:
        return run(HASHER.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- accounts -------------------------------------------------------------------------------

def normalize_username(username):
    return (username or "").strip().lower()


def create_account(conn, username, display_name, role, scope, password, created_by="system"):
    """A new account; raises ValidationFailed naming the field, or Conflict if the name is taken."""
    username = normalize_username(username)
    if not (3 <= len(username) <= 64) or not all(ch.isalnum() or ch in "._-@" for ch in username):
        raise invalid("username", "bad_username", "", "用户名应为 3–64 个字母、数字或 . _ - @")
    if not display_name or not str(display_name).strip():
        raise invalid("display_name", "required", "", "姓名或名称不能为空")
    scope = "" if scope is None else str(scope).strip()
    if role in ("unit_officer", "member") and scope.isdigit():
        scope = str(int(scope))  # ids are compared as text: "007" would match nothing
    problem = scope_problem(role, scope)
    if problem:
        raise invalid("role" if role not in ROLE_NAMES else "scope", "bad_scope", "", problem)
    check_password_rules(password)
    taken = conn.execute(select(accounts.c.id).where(accounts.c.username == username)).first()
    if taken:
        raise Conflict("username_taken", f"用户名 {username} 已存在")
    # a name taken meanwhile by a concurrent request inserts nothing (no IntegrityError to map)
    account_id = conn.execute(pg_insert(accounts).values(
        username=username, display_name=str(display_name).strip()[:60], role=role, scope=scope,
        password_hash=hash_password(password), created_by=created_by)
        .on_conflict_do_nothing(index_elements=["username"]).returning(accounts.c.id)).scalar()
    if account_id is None:
        raise Conflict("username_taken", f"用户名 {username} 已存在")
    return {"id": account_id, "username": username, "display_name": display_name, "role": role, "scope": scope}


def account_view(row):
    return {"id": row["id"], "username": row["username"], "display_name": row["display_name"],
            "role": row["role"], "role_name": ROLE_NAMES[row["role"]], "scope": row["scope"],
            "locked_until": row["locked_until"], "disabled": row["disabled_at"] is not None,
            "created_at": row["created_at"]}


def caller_of(row):
    return Caller(row["id"], row["username"], row["role"], row["scope"])


# --- tokens ---------------------------------------------------------------------------------

def access_token(settings, account, sid):
    issued = now()
    claims = {"sub": str(account["id"]), "name": account["username"], "role": account["role"],
              "scope": account["scope"], "sid": sid, "iat": int(issued.timestamp()),
              "exp": int(issued.timestamp()) + settings.access_ttl, "typ": "access"}
    return jwt.encode(claims, settings.secret, algorithm="HS256")


# Access tokens checked already: a client sends the same token with every request of its 15
# minutes, and PyJWT's checks (base64 alphabet walked in Python, HMAC, claims) were the largest
# part of a token-checked request in the gateway. A token is kept, by the secret that verified
# it, until its own expiry; whether its session was revoked is checked on every request outside.
_VERIFIED = {}
_VERIFIED_MAX = 20_000


def caller_from_token(settings, token):
    """(Caller, session id) of a valid access token; raises Unauthenticated otherwise."""
    known = _VERIFIED.get((settings.secret, token))
    if known is not None:
        caller, sid, expires = known
        if time.time() < expires:
            return caller, sid
        _VERIFIED.pop((settings.secret, token), None)  # expired: decode below says so
    caller, sid, expires = _verify(settings, token)
    if len(_VERIFIED) >= _VERIFIED_MAX:  # the expired go first; if the living fill it, all go
        now_ = time.time()
        for key in [k for k, (_, _, exp) in _VERIFIED.items() if exp <= now_]:
            _VERIFIED.pop(key, None)
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
    _VERIFIED[(settings.secret, token)] = (caller, sid, expires)
    return caller, sid


def _verify(settings, token):
    try:
        claims = jwt.decode(token, settings.secret, algorithms=["HS256"],
                            options={"require": ["exp", "sub", "sid", "role"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("token_expired", "登录已过期，请用刷新令牌换取新的访问令牌或重新登录") from None
    except jwt.PyJWTError:
        raise Unauthenticated("invalid_token", "访问令牌无效") from None
    if claims.get("typ") != "access" or not str(claims["sub"]).isdigit():
        raise Unauthenticated("invalid_token", "访问令牌无效")
    caller = Caller(int(claims["sub"]), claims.get("name", ""), claims["role"], claims.get("scope", ""))
    if scope_problem(caller.role, caller.scope):
        raise Unauthenticated("invalid_token", "访问令牌无效")
    return caller, claims["sid"], claims["exp"]


def _tokens(settings, account, sid, refresh):
    return {"access_token": access_token(settings, account, sid), "token_type": "Bearer",
            "expires_in": settings.access_ttl, "refresh_token": refresh,
            "refresh_expires_in": settings.refresh_ttl,
            "account": {k: account[k] for k in ("id", "username", "display_name", "role", "scope")}
            | {"role_name": ROLE_NAMES[account["role"]]}}


# --- login, refresh, logout -----------------------------------------------------------------

def login(engine, settings, username, password, client_ip=None, user_agent=None, run=lambda fn, *a: fn(*a)):
    """Tokens for a right password. Raises Unauthenticated (wrong name or password: one message
    for both) or Throttled (locked after MAX_FAILURES failures)."""
    username = normalize_username(username)
    with engine.connect() as conn:
        row = conn.execute(select(accounts).where(accounts.c.username == username)).mappings().first()
    if row is None:
        verify_password(_dummy_hash(), password or "", run)  # the same time as a known name
        raise Unauthenticated("bad_credentials", "用户名或密码错误")
    at = now()
    # the attempt is counted before the password is checked, in one statement: concurrent
    # guesses each take a place, and the sixth finds the account locked (no race past the lock)
    with engine.begin() as conn:
        attempt = conn.execute(update(accounts).where(
            accounts.c.id == row["id"], (accounts.c.locked_until.is_(None)) | (accounts.c.locked_until <= at))
            .values(failed_logins=accounts.c.failed_logins + 1).returning(accounts.c.failed_logins)).scalar()
        if attempt is not None and attempt > MAX_FAILURES:
            conn.execute(update(accounts).where(accounts.c.id == row["id"]).values(
                failed_logins=0, locked_until=at + timedelta(minutes=LOCK_MINUTES)))
    if attempt is None or attempt > MAX_FAILURES:
        locked_until = row["locked_until"] if attempt is None else at + timedelta(minutes=LOCK_MINUTES)
        wait = max(1, int((locked_until - at).total_seconds()) + 1)
        raise Throttled("account_locked", f"连续登录失败次数过多，账号已锁定，请 {wait // 60 + 1} 分钟后再试",
                        retry_after=wait)
    if not verify_password(row["password_hash"], password or "", run):
        if attempt == MAX_FAILURES:
            with engine.begin() as conn:
                conn.execute(update(accounts).where(accounts.c.id == row["id"]).values(
                    failed_logins=0, locked_until=at + timedelta(minutes=LOCK_MINUTES)))
            raise Throttled("account_locked", f"连续 {MAX_FAILURES} 次登录失败，账号锁定 {LOCK_MINUTES} 分钟",
                            retry_after=LOCK_MINUTES * 60)
        raise Unauthenticated("bad_credentials", "用户名或密码错误")
    if row["disabled_at"] is not None:
        raise Unauthenticated("account_disabled", "账号已停用，请联系管理员")
    sid, refresh = str(uuid.uuid4()), secrets.token_urlsafe(32)
    with engine.begin() as conn:
        values = {"failed_logins": 0, "locked_until": None}
        if HASHER.check_needs_rehash(row["password_hash"]):
            values["password_hash"] = hash_password(password)
        conn.execute(update(accounts).where(accounts.c.id == row["id"]).values(**values))
        conn.execute(insert(sessions).values(
            id=sid, account_id=row["id"], refresh_hash=_sha256(refresh), expires_at=at + timedelta(seconds=settings.refresh_ttl),
            client_ip=(client_ip or "")[:64], user_agent=(user_agent or "")[:200]))
    return _tokens(settings, row, sid, refresh), caller_of(row)


def refresh(engine, settings, refresh_token):
    """New tokens for a live refresh token, which is replaced (rotation)."""
    if not isinstance(refresh_token, str) or not refresh_token:
        raise invalid("refresh_token", "required", "", "缺少刷新令牌")
    digest, at = _sha256(refresh_token), now()
    refused = None
    with engine.begin() as conn:  # a reuse is recorded (committed) before it is refused
        row = conn.execute(
            select(sessions.c.id.label("session_id"), sessions.c.expires_at, sessions.c.revoked_at, accounts)
            .join(accounts, accounts.c.id == sessions.c.account_id)
            .where(sessions.c.refresh_hash == digest).with_for_update(of=sessions)).mappings().first()
        if row is None:
            reused = conn.execute(update(sessions).where(sessions.c.previous_refresh_hash == digest,
                                                         sessions.c.revoked_at.is_(None))
                                  .values(revoked_at=at, revoked_reason="refresh_reused").returning(sessions.c.id)).first()
            refused = Unauthenticated("invalid_refresh_token", "刷新令牌无效或已被使用，请重新登录")
            if reused:
                log.warning("session %s revoked: a replaced refresh token was presented again", reused.id)
                refused.ended = [reused.id]
        elif row["revoked_at"] is not None or row["expires_at"] <= at or row["disabled_at"] is not None:
            refused = Unauthenticated("invalid_refresh_token", "会话已结束，请重新登录")
        else:
            new = secrets.token_urlsafe(32)
            conn.execute(update(sessions).where(sessions.c.id == row["session_id"]).values(
                refresh_hash=_sha256(new), previous_refresh_hash=digest, refreshed_at=at))
    if refused is not None:
        raise refused
    return _tokens(settings, row, row["session_id"], new), caller_of(row)


def revoke_sessions(conn, reason, session_id=None, account_id=None):
    """End one session or every session of an account; returns the ids ended."""
    stmt = update(sessions).where(sessions.c.revoked_at.is_(None))
    stmt = stmt.where(sessions.c.id == session_id) if session_id else stmt.where(sessions.c.account_id == account_id)
    return [r.id for r in conn.execute(stmt.values(revoked_at=now(), revoked_reason=reason).returning(sessions.c.id))]


def revoked_since(conn, since):
    return {r.id for r in conn.execute(select(sessions.c.id).where(sessions.c.revoked_at >= since))}


def change_password(conn, caller, old_password, new_password, run=lambda fn, *a: fn(*a)):
    row = conn.execute(select(accounts).where(accounts.c.id == caller.account_id)).mappings().first()
    if row is None:
        raise NotFound(message="账号不存在")
    if not verify_password(row["password_hash"], old_password or "", run):
        raise invalid("old_password", "bad_credentials", "", "原密码不正确")
    check_password_rules(new_password, "new_password")
    conn.execute(update(accounts).where(accounts.c.id == row["id"]).values(
        password_hash=hash_password(new_password), password_changed_at=func.now()))
    # every other session ends: a changed password must lock out whoever knew the old one
    return revoke_sessions(conn, "password_changed", account_id=row["id"])


def set_account_state(conn, account_id, disabled=None, unlock=False):
    if disabled is None and not unlock:
        raise invalid("_", "nothing_to_change", "", "请给出 disabled（true 停用 / false 启用）或 unlock: true")
    values = {}
    if disabled is not None:
        values["disabled_at"] = now() if disabled else None
    if unlock:
        values.update(locked_until=None, failed_logins=0)
    row = conn.execute(update(accounts).where(accounts.c.id == account_id).values(**values)
                       .returning(*accounts.c)).mappings().first()
    if row is None:
        raise NotFound(message=f"账号 {account_id} 不存在")
    ended = revoke_sessions(conn, "account_disabled", account_id=account_id) if disabled else []
    return account_view(row), ended
