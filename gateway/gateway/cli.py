"""Accounts from the command line (the gateway's schema must be migrated first).

    python -m gateway.cli create-admin --username admin --name 市委组织部管理员     # asks for a password
    python -m gateway.cli create --username staff01 --name 张丽 --role community_staff --scope 410106001001
    python -m gateway.cli import accounts.csv --out credentials.csv                  # many, from a file
    python -m gateway.cli demo var/demo-nodes.json                                   # the demo city's accounts

The import file is CSV (UTF-8 or GBK) with the columns username, display_name, role, scope and,
optionally, password; a row without a password gets a random one, written with the others to
--out (readable by its owner only). The file is taken whole or not at all: every bad row is
reported with its line number, and nothing is written unless every row is right.
"""
import argparse
import csv
import getpass
import io
import json
import os
import secrets
import string
import sys

from contracts.access import ROLE_NAMES
from contracts.errors import DomainError
from toolkit.config import database_url
from toolkit.db import make_engine

from . import accounts as acc

DEMO_PASSWORD = "Sbd-demo-2026"
COLUMNS = ("username", "display_name", "role", "scope", "password")


def _engine():
    return make_engine(database_url("gateway"), pool_size=1, max_overflow=0)


def _password(args):
    if args.password_env:
        value = os.environ.get(args.password_env)
        if not value:
            sys.exit(f"environment variable {args.password_env} is empty")
        return value
    first = getpass.getpass("密码（10–128 位，含字母和数字）: ")
    if getpass.getpass("再输入一次: ") != first:
        sys.exit("两次输入的密码不一致")
    return first


def _explain(exc):
    if getattr(exc, "fields", None):
        return "；".join(f"{f['field']}: {f['message']}" for f in exc.fields)
    return exc.message


def create_one(username, name, role, scope, password, created_by="cli"):
    with _engine().begin() as conn:
        return acc.create_account(conn, username, name, role, scope, password, created_by=created_by)


def random_password():
    alphabet = string.ascii_letters + string.digits
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


def read_rows(path):
    raw = open(path, "rb").read()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SystemExit("文件编码应为 UTF-8 或 GBK")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        raise SystemExit(f"缺少列：{'、'.join(missing)}（应有 {', '.join(COLUMNS)}）")
    return list(reader)


def import_accounts(rows, created_by="cli-import", progress=None):
    """Create every account or none. Returns (created, errors): errors are (line, message)."""
    errors, created, seen = [], [], set()
    engine = _engine()
    with engine.connect() as conn:
        trans = conn.begin()
        for line, row in enumerate(rows, start=2):
            password = (row.get("password") or "").strip() or random_password()
            username = acc.normalize_username(row.get("username"))
            try:
                if username in seen:
                    raise DomainError("duplicate", f"用户名 {username} 在文件中重复")
                seen.add(username)
                with conn.begin_nested():
                    created.append(acc.create_account(conn, username, row.get("display_name"), (row.get("role") or "").strip(),
                                                      (row.get("scope") or "").strip(), password, created_by=created_by)
                                   | {"password": password})
            except DomainError as exc:
                errors.append((line, _explain(exc)))
            if progress:
                progress()
        if errors:
            trans.rollback()
            return [], errors
        trans.commit()
    return created, errors


def write_credentials(created, path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["username", "display_name", "role", "scope", "password"])
        for a in created:
            w.writerow([a["username"], a["display_name"], a["role"], a["scope"], a["password"]])


def demo(nodes_path):
    """An account of every role in the demo city, all with DEMO_PASSWORD; kept if already there."""
    nodes = json.load(open(nodes_path, encoding="utf-8"))
    wanted = [
        ("demo.city", "市委组织部（演示）", "city_admin", ""),
        ("demo.district", f"{nodes['district_name']}组织部（演示）", "district_officer", nodes["district_code"]),
        ("demo.street", f"{nodes['street_name']}党工委（演示）", "street_officer", nodes["street_code"]),
        ("demo.community", f"{nodes['community_name']}党群服务中心（演示）", "community_staff", nodes["community_code"]),
        ("demo.community2", f"{nodes['other_community_name']}党群服务中心（演示）", "community_staff",
         nodes["other_community_code"]),
        ("demo.unit", f"{nodes['unit_name']}党组织（演示）", "unit_officer", str(nodes["unit_id"])),
        ("demo.member", f"{nodes['member_name']}（演示党员）", "member", str(nodes["member_id"])),
    ]
    out = []
    for username, name, role, scope in wanted:
        try:
            create_one(username, name, role, scope, DEMO_PASSWORD, created_by="demo")
            state = "created"
        except DomainError as exc:
            if exc.code != "username_taken":
                raise
            state = "exists"
        out.append((username, role, scope, state))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gateway.cli", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("create-admin", "create"):
        p = sub.add_parser(name)
        p.add_argument("--username", required=True)
        p.add_argument("--name", required=True, help="display name")
        p.add_argument("--password-env", help="read the password from this environment variable instead of asking")
        if name == "create":
            p.add_argument("--role", required=True, choices=list(ROLE_NAMES))
            p.add_argument("--scope", default="", help="district/street/community code, unit id or member id")
    p = sub.add_parser("import")
    p.add_argument("file")
    p.add_argument("--out", help="where to write the accounts' passwords (CSV, mode 600)")
    p = sub.add_parser("demo")
    p.add_argument("nodes", help="JSON of the demo city's nodes (python -m registration.city demo-nodes)")
    args = parser.parse_args(argv)

    try:
        if args.cmd in ("create-admin", "create"):
            role = "city_admin" if args.cmd == "create-admin" else args.role
            scope = "" if args.cmd == "create-admin" else args.scope
            a = create_one(args.username, args.name, role, scope, _password(args))
            print(f"created account {a['id']}: {a['username']} ({ROLE_NAMES[role]}{' ' + scope if scope else ''})")
        elif args.cmd == "import":
            from tqdm import tqdm
            rows = read_rows(args.file)
            if not args.out and any(not (r.get("password") or "").strip() for r in rows):
                sys.exit("有的行没有密码：请用 --out 指定保存生成密码的文件")
            with tqdm(total=len(rows), desc="accounts", unit="row", file=sys.stderr) as bar:
                created, errors = import_accounts(rows, progress=lambda: bar.update(1))
            if errors:
                for line, message in errors:
                    print(f"第 {line} 行：{message}", file=sys.stderr)
                sys.exit(f"{len(errors)} 行有误，未创建任何账号")
            if args.out:
                write_credentials(created, args.out)
            generated = sum(1 for r in rows if not (r.get("password") or "").strip())
            print(f"created {len(created)} accounts ({generated} with generated passwords)"
                  + (f"; credentials in {args.out}" if args.out else ""))
        elif args.cmd == "demo":
            for username, role, scope, state in demo(args.nodes):
                print(f"  {username:<17} {ROLE_NAMES[role]:<10} {scope:<13} {state}")
            print(f"  password of every demo account: {DEMO_PASSWORD}")
    except DomainError as exc:
        sys.exit(f"refused: {_explain(exc)}")


if __name__ == "__main__":
    main()
