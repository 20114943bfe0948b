"""Accounts end to end: signing in, tokens and their end, failed logins, personal data masked by
role, and the audit log that answers "who read this member's phone last week"."""
import itertools
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import jwt
import pytest
import requests
from sqlalchemy import text

from gateway.dbrole import role_url
from registration.city import sample_report
from tests.conftest import PASSWORD, Client

pytestmark = pytest.mark.e2e
names = itertools.count(1)


def fresh_account(platform, city, role="community_staff"):
    """An account of its own for a test that locks, logs out or revokes it."""
    from gateway.accounts import create_account
    scope = city.communities[0]["code"]
    name = f"acct.{next(names)}.{os.getpid()}"
    with platform.accounts.engine.begin() as conn:
        create_account(conn, name, name, role, scope, PASSWORD, created_by="tests")
    return name


def test_wrong_passwords_lock_the_account_and_an_unknown_name_looks_the_same(platform, city):
    name = fresh_account(platform, city)
    unknown = platform.accounts.login("nobody.at.all", "Whatever-123")
    wrong = platform.accounts.login(name, "Wrong-pass-123")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["error"] == wrong.json()["error"] and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    for _ in range(3):
        assert platform.accounts.login(name, "Wrong-pass-123").status_code == 401
    locked = platform.accounts.login(name, "Wrong-pass-123")  # the fifth in a row
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "account_locked"
    assert int(locked.headers["Retry-After"]) > 60
    # locked means locked: the right password is refused too, until the administrator unlocks
    assert platform.accounts.login(name).status_code == 429
    admin = platform.as_("city_admin")
    account_id = [a for a in admin.get("/accounts", params={"username": name}).json()["items"]][0]["id"]
    assert admin.post(f"/accounts/{account_id}/state", {"unlock": True}).status_code == 200
    assert platform.accounts.login(name).status_code == 200


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(platform, city):
    name = fresh_account(platform, city)
    first = platform.accounts.login(name).json()
    second = requests.post(f"{platform.base}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=10)
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    client = Client(platform.base, second.json()["access_token"])
    assert client.get("/me").json()["username"] == name
    # the replaced token comes back: someone copied it; the whole session ends
    again = requests.post(f"{platform.base}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=10)
    assert again.status_code == 401
    assert client.get("/me").status_code == 401
    assert requests.post(f"{platform.base}/auth/refresh", json={"refresh_token": second.json()["refresh_token"]},
                         timeout=10).status_code == 401


def test_logout_and_revocation_end_tokens_at_once(platform, city):
    name = fresh_account(platform, city)
    client = Client(platform.base, platform.accounts.login(name).json()["access_token"])
    assert client.get("/me").status_code == 200
    assert client.post("/auth/logout").json() == {"logged_out": True}
    refused = client.get("/me")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_revoked"

    client = Client(platform.base, platform.accounts.login(name).json()["access_token"])
    admin = platform.as_("city_admin")
    account_id = admin.get("/accounts", params={"username": name}).json()["items"][0]["id"]
    assert admin.post(f"/accounts/{account_id}/revocation").json()["sessions_ended"] == 1
    assert client.get("/me").status_code == 401


def test_expired_and_forged_tokens_are_refused(platform, city):
    secret = platform.registration.env["GATEWAY_JWT_SECRET"]
    now = int(time.time())
    claims = {"sub": "1", "name": "admin", "role": "city_admin", "scope": "", "sid": "x", "typ": "access"}
    expired = jwt.encode({**claims, "iat": now - 3600, "exp": now - 60}, secret, algorithm="HS256")
    forged = jwt.encode({**claims, "iat": now, "exp": now + 600}, "not-the-secret", algorithm="HS256")
    for token, code in ((expired, "token_expired"), (forged, "invalid_token"), ("garbage", "invalid_token")):
        r = Client(platform.base, token).get("/accounts")
        assert r.status_code == 401 and r.json()["error"]["code"] == code
    assert requests.get(f"{platform.base}/accounts", timeout=10).json()["error"]["code"] == "missing_token"


def test_personal_data_is_masked_for_officers_and_every_read_of_it_is_logged(platform, city, migrated):
    community = city.communities[0]["code"]
    unit = next(u["id"] for u in city.units if u["community_code"] == community)
    staff, district = platform.as_("community_staff", community), platform.as_("district_officer", community[:6])
    body = {k: v for k, v in sample_report(community, unit, seed=next(names) + 77_000).items() if k != "community_code"}
    reg = staff.post(f"/communities/{community}/member-registrations", body)
    assert reg.status_code == 201, reg.text
    reg = reg.json()
    path = f"/communities/{community}/member-registrations/{reg['registration_id']}"
    since = (datetime.now(timezone.utc) - timedelta(seconds=5)).isoformat()

    seen_by_district = district.get(path).json()
    assert seen_by_district["phone"] == body["phone"][:3] + "****" + body["phone"][-4:]
    assert body["home_address"] not in seen_by_district["home_address"]
    seen_by_staff = staff.get(path).json()
    assert seen_by_staff["phone"] == body["phone"] and seen_by_staff["home_address"] == body["home_address"]

    # who read this member's phone? the staff (unmasked), not the district (it saw only ****)
    admin = platform.as_("city_admin")
    lines = admin.get("/audit", params={"member_id": seen_by_staff["member_id"], "field": "phone", "since": since})
    assert lines.status_code == 200, lines.text
    lines = lines.json()
    assert [(l["username"], l["role"], l["path"]) for l in lines["items"]] == [
        (platform.accounts.username("community_staff", community), "community_staff", "/api/v1" + path)]
    assert lines["items"][0]["request_id"] and lines["items"][0]["client_ip"]
    # and the write that registered the member is there too, under its account
    writes = admin.get("/audit", params={"action": "report_member", "since": since}).json()["items"]
    assert any(w["status"] == 201 and w["scope"] == community for w in writes)


def test_the_audit_log_cannot_be_edited(gateway_db):
    with gateway_db.begin() as conn:
        conn.execute(text("INSERT INTO gateway.audit_log (action, method, path, status, request_id) "
                          "VALUES ('probe', 'GET', '/', 200, 'r')"))
    for sql in ("UPDATE gateway.audit_log SET status = 500", "DELETE FROM gateway.audit_log", "TRUNCATE gateway.audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with gateway_db.begin() as conn:
                conn.execute(text(sql))


def test_lists_are_paged_and_sorted(platform, city):
    community = city.communities[0]["code"]
    staff = platform.as_("community_staff", community)
    page = staff.get(f"/communities/{community}/member-registrations", params={"page_size": 2, "sort": "-id"}).json()
    assert page["page"] == 1 and page["page_size"] == 2 and len(page["items"]) <= 2 and page["total"] >= len(page["items"])
    ids = [i["id"] for i in page["items"]]
    assert ids == sorted(ids, reverse=True)
    bad = staff.get(f"/communities/{community}/member-registrations", params={"sort": "phone"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"][0]["field"] == "sort"
    streets = staff.get(f"/districts/{community[:6]}/streets", params={"sort": "name", "page_size": 1}).json()
    assert streets["total"] >= 1 and len(streets["items"]) == 1


def test_accounts_are_made_in_bulk_from_a_file_all_or_nothing(tmp_path, database_url, gateway_db):
    good = tmp_path / "good.csv"
    good.write_text("username,display_name,role,scope,password\n"
                    "bulk.one,张一,community_staff,410106001001,\n"
                    "bulk.two,李二,district_officer,410106,Given-pass-123\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("username,display_name,role,scope\n"
                   "bulk.three,王三,community_staff,4101\n"
                   "bulk.four,赵四,mayor,\n", encoding="gbk")
    # as the gateway's own role, as in production (gateway/dbrole.py)
    env = {**os.environ, "GATEWAY_DATABASE_URL": role_url(database_url), "PYTHONWARNINGS": "ignore"}
    run = lambda *args: subprocess.run([sys.executable, "-m", "gateway.cli", *args], env=env, capture_output=True, text=True)
    refused = run("import", str(bad), "--out", str(tmp_path / "x.csv"))
    assert refused.returncode != 0 and "第 2 行" in refused.stderr and "第 3 行" in refused.stderr
    done = run("import", str(good), "--out", str(tmp_path / "credentials.csv"))
    assert done.returncode == 0, done.stderr
    assert oct((tmp_path / "credentials.csv").stat().st_mode)[-3:] == "600"
    with gateway_db.connect() as conn:
        made = set(conn.execute(text("select username from gateway.accounts where username like 'bulk.%'")).scalars())
    assert made == {"bulk.one", "bulk.two"}
    admin = run("create-admin", "--username", "first.admin", "--name", "市委组织部", "--password-env", "ADMIN_PW")
    assert admin.returncode != 0  # no such variable: refused, nothing made
    env["ADMIN_PW"] = "First-admin-2026"
    assert run("create-admin", "--username", "first.admin", "--name", "市委组织部", "--password-env", "ADMIN_PW").returncode == 0
