"""Routes of the gateway's own: signing in, accounts and the audit log (gateway.admin)."""
from .. import admin
from .common import Route, V1

ROUTES = [
    # signing in (gateway.admin)
    Route("POST", f"{V1}/auth/login", admin.login, "登录：用户名与密码换取访问令牌和刷新令牌", "public", tag="账号",
          body=admin.LoginBody),
    Route("POST", f"{V1}/auth/refresh", admin.refresh, "用刷新令牌换取新的令牌（旧刷新令牌随即失效）", "public", tag="账号",
          body=admin.RefreshBody),
    Route("POST", f"{V1}/auth/logout", admin.logout, "退出登录：结束本会话，其令牌随即失效", "any", tag="账号"),
    Route("GET", f"{V1}/me", admin.me, "当前账号：角色与管辖范围", "any", tag="账号"),
    Route("POST", f"{V1}/me/password", admin.change_password, "修改本人密码（本账号的全部会话随即结束，请重新登录）", "any", tag="账号",
          body=admin.PasswordBody),
    # accounts and the audit log: the city administrator
    Route("GET", f"{V1}/accounts", admin.list_accounts, "账号列表（可按角色、范围筛选）", "city", tag="账号",
          query=admin.AccountQuery, sort=("username", "id", "-id", "role", "scope")),
    Route("POST", f"{V1}/accounts", admin.create_account, "创建账号（绑定到行政区划节点、单位或党员）", "city", tag="账号",
          body=admin.AccountBody, status=201),
    Route("POST", f"{V1}/accounts/<int:account_id>/state", admin.set_state, "停用、启用或解锁账号", "city", tag="账号",
          body=admin.AccountStateBody),
    Route("POST", f"{V1}/accounts/<int:account_id>/revocation", admin.revoke, "吊销账号的全部会话与令牌", "city", tag="账号"),
    Route("GET", f"{V1}/audit", admin.search_audit, "审计日志检索：谁、何时、以何角色读取或更改了什么", "city", tag="账号",
          query=admin.AuditQuery, sort=("-at", "at")),
]
