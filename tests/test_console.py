"""The web console in a real browser (Debian's chromium, tests/browser.py), against the suite's
platform: what a community clerk, a unit officer, a member on a phone, a district officer and
the public do on its screens, checked through the API as well.

CONSOLE_SHOTS=docs/console makes it save a picture of each screen there (docs/console.md shows
them)."""
import os
import random
import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from registration.city import credit_code, sample_report
from tests.browser import Browser, available
from tests.conftest import GATEWAY_PORT, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not available() and not os.environ.get("CI"),
                                                  reason="Debian's chromium not installed (deploy/local/test.sh installs it)")]
CONSOLE = f"http://127.0.0.1:{GATEWAY_PORT}/console/"
SHOTS = os.environ.get("CONSOLE_SHOTS")


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def shot(page, name, full=True):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(os.path.join(SHOTS, f"{name}.png"), full)


def sign_in(browser, username, width=1200):
    page = browser.page(width, 900 if width > 600 else 780)
    page.goto(CONSOLE + "#/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait("#who button")
    return page


@pytest.fixture(scope="module")
def desk(platform, city):
    """A unit of its own in a community, and three members of it who reported there (names of
    their own, so that the screens' rows are found among the suite's other data)."""
    community = city.communities[1]["code"]
    staff = platform.as_("community_staff", community)
    rng = random.Random(time.time())
    unit = staff.post(f"/communities/{community}/unit-registrations", {
        "unit": {"name": f"控制台测试单位{rng.randrange(10**6)}", "credit_code": credit_code(rng, community[:6], "government"),
                 "type": "government", "party_org_name": "中共控制台测试单位支部委员会", "address": "郑州市测试路1号"},
        "contact_officer": "周华", "contact_phone": "0371-68112233", "resources": ["义诊"]})
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["unit_id"]
    names = [f"控台{c}{rng.randrange(100, 999)}" for c in "甲乙丙"]
    regs = []
    for n, name in enumerate(names):
        body = sample_report(community, unit_id, seed=rng.randrange(10**9), name=name,
                             skills=["医疗保健", "写作"], service_intentions=["义诊", "健康宣教"])
        body.pop("community_code")
        r = staff.post(f"/communities/{community}/member-registrations", body)
        assert r.status_code == 201, r.text
        regs.append(r.json()["registration_id"])
    return {"community": community, "unit": unit_id, "names": names, "registrations": regs, "staff": staff}


def test_the_home_address_opens_the_console_and_a_page_without_login_needs_none(platform, browser):
    import requests
    home = requests.get(f"http://127.0.0.1:{GATEWAY_PORT}/", allow_redirects=False, timeout=10)
    assert home.status_code == 302 and home.headers["Location"] == "/console/"
    assert requests.get(f"http://127.0.0.1:{GATEWAY_PORT}/console/../service.py", timeout=10).status_code == 404
    page = browser.page()
    page.goto(CONSOLE)
    page.wait("form input[name=username]")   # no session: the login page
    page.goto(CONSOLE + "#/public/check")
    page.wait_text("h1", "报到证查验")
    page.fill("input[name=number]", "2026-410106001001-000001-0")
    page.fill("input[name=token]", "AAAAAAAAAAAAAAAA")
    page.click("button[type=submit]")
    page.wait(".error")
    assert "不存在" in page.text(".error")
    assert page.errors() == []


def test_a_unit_gives_one_opinion_for_many_and_the_community_accepts_them_at_once(platform, browser, desk):
    unit = sign_in(browser, platform.accounts.ensure("unit_officer", desk["unit"]))
    assert unit.url().endswith("#/unit/reports")
    unit.wait_text("main", desk["names"][0])
    unit.fill("input[name=officer]", "王书记")
    shot(unit, "unit-reports")
    unit.click("text=同意所选")
    unit.wait_text("main", "已签署 3 人")

    staff = sign_in(browser, platform.accounts.ensure("community_staff", desk["community"]))
    staff.wait_text("main", desk["names"][0])
    staff.uncheck("main label.inline input")   # none but this unit's three
    for name in desk["names"]:
        staff.check(f"input[aria-label='{name}']")
    staff.fill("input[name=officer]", "李娜")
    staff.fill("input[name=officer_phone]", "0371 6890 1234")   # as people write it
    shot(staff, "staff-reports")
    staff.click("text=接收所选")
    staff.wait_text("main", "已接收 3 人")
    for rid in desk["registrations"]:
        got = desk["staff"].get(f"/communities/{desk['community']}/member-registrations/{rid}").json()
        assert got["status"] == "accepted" and got["accepted_by_phone"] == "0371-68901234"
    assert unit.errors() == [] and staff.errors() == []


def test_the_clerk_finds_a_member_in_the_roster_and_opens_the_certificate(platform, browser, desk, city):
    c = desk["community"]
    roster = desk["staff"].get(f"/communities/{c}/roster").json()
    items = [dict(zip(roster["columns"], row)) for row in roster["rows"]]
    mine = {r["name"]: r for r in items if r["unit_id"] == desk["unit"]}
    assert set(mine) == set(desk["names"]) and roster["total"] == len(items)
    assert not {"phone", "home_address", "id_number"} & set(roster["columns"])   # personal data only on B.1
    foreign = next(x["code"] for x in city.communities if x["code"][:6] != c[:6])
    assert desk["staff"].get(f"/communities/{foreign}/roster").status_code == 403   # another district's: not yours

    staff = sign_in(browser, platform.accounts.ensure("community_staff", c))
    staff.goto(CONSOLE + "#/staff/members")
    staff.wait_text("main", f"共 {roster['total']} 人报到")
    staff.fill("input[name=q]", desk["names"][1])
    staff.wait_text("main", "找到 1 人")
    assert staff.count("#roster tbody tr") == 1
    staff.fill("input[name=q]", "控制台测试单位")   # by its unit
    staff.wait_text("main", f"找到 {len(desk['names'])} 人")
    staff.fill("input[name=q]", "")
    staff.click("button.chip:has-text('已接收')")
    accepted = sum(1 for r in items if r["status"] == "accepted")
    staff.wait_text("main", f"找到 {accepted} 人" if accepted != roster["total"] else f"共 {roster['total']} 人报到")
    staff.click("button.chip:has-text('全部')")
    staff.fill("input[name=q]", desk["names"][1])
    staff.click(f"#roster a:has-text('{desk['names'][1]}')")
    cert = desk["staff"].get(f"/communities/{c}/member-registrations/{desk['registrations'][1]}").json()
    staff.wait_text("main", cert["certificate_no"])
    staff.wait_text("main", cert["phone"])
    shot(staff, "staff-members")
    assert staff.errors() == []


def test_a_unit_imports_its_member_list_and_reads_the_errors_by_row(platform, browser, desk, tmp_path):
    import csv
    import io
    from registration.city import import_csv
    rows = list(csv.reader(io.StringIO(import_csv(desk["community"], members=3, seed=int(time.time())).decode())))
    gender = rows[0].index("性别")
    bad = [rows[0], rows[1], [*rows[2][:gender], "未知", *rows[2][gender + 1:]], rows[3]]
    (tmp_path / "bad.csv").write_text("\n".join(",".join(r) for r in bad), encoding="utf-8")
    good = [rows[0], rows[1], [*rows[2][:gender], "男" if rows[2][gender] in ("male", "男") else "女", *rows[2][gender + 1:]],
            rows[3]]
    (tmp_path / "good.csv").write_text("\n".join(",".join(r) for r in good), encoding="utf-8")
    page = sign_in(browser, platform.accounts.ensure("unit_officer", desk["unit"]))
    page.goto(CONSOLE + "#/unit/import")
    page.upload("input[type=file]", str(tmp_path / "bad.csv"))
    page.click("main button[type=submit]")
    page.wait_text("main", "未导入")
    assert "性别" in page.text("main table") and "3" in page.text("main table")   # the row, the column, the rule
    shot(page, "unit-import-errors")
    page.upload("input[type=file]", str(tmp_path / "good.csv"))
    page.click("main button[type=submit]")
    page.wait_text("main", "全部导入成功")
    assert page.count("main [role=progressbar][aria-valuenow='100']") == 1
    assert page.errors() == []


def test_a_member_checks_in_on_a_phone_with_the_code_on_the_organizers_screen(platform, browser, desk):
    community, staff_api = desk["community"], desk["staff"]
    member_id = staff_api.get(f"/communities/{community}/member-registrations/{desk['registrations'][0]}").json()["member_id"]
    now = datetime.now(timezone.utc)
    activity = staff_api.post(f"/communities/{community}/activities", {
        "kind": "regular", "title": "控制台义诊", "content": "为居民测血压", "place": "社区党群服务中心",
        "contact": "李娜 0371-68901234", "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(minutes=55)).isoformat(), "capacity": 20})
    assert activity.status_code == 201, activity.text
    activity_id = activity.json()["activity_id"]

    phone = sign_in(browser, platform.accounts.ensure("member", member_id), width=375)
    phone.goto(CONSOLE + "#/me/activities")
    phone.wait_text("main", "控制台义诊")
    for _ in range(60):   # until the member is known there as accepted (events)
        phone.click(f"xpath=//div[contains(@class,'card')][.//b[text()='控制台义诊']]//button[text()='报名']")
        time.sleep(0.5)
        if "已报名" in phone.text("#toast"):
            break
    assert "已报名" in phone.text("#toast")
    shot(phone, "member-activities", False)

    screen = sign_in(browser, platform.accounts.ensure("community_staff", community))
    screen.goto(CONSOLE + f"#/staff/activities/{activity_id}/screen")
    screen.wait(".code")
    code = screen.attr(".code", "data-code")
    assert re.fullmatch(r"\d{6}", code)
    # the QR code drew (it is an image the page loads after the code is shown: wait for it)
    drawn, deadline = 0, time.time() + 10
    while not drawn and time.time() < deadline:
        drawn = screen.eval("(document.querySelector('.screen img') || {}).naturalWidth || 0")
        time.sleep(0.1) if not drawn else None
    assert drawn > 0
    qr = screen.attr(".screen img", "src")
    assert f"checkin%2F{activity_id}%3Fcode%3D{code}" in qr
    shot(screen, "staff-check-in-screen", False)

    # the QR code's link opens the member's check-in page with the code in it
    phone.goto(CONSOLE + f"#/me/checkin/{activity_id}?code={code}")
    phone.wait("input[name=code]")
    assert phone.eval("document.querySelector('input[name=code]').value") == code
    phone.click("main button:text-is('签到')")
    phone.wait_text("main", "签到成功")
    shot(phone, "member-check-in", False)
    fresh_code = staff_api.get(f"/communities/{community}/activities/{activity_id}/check-in-code").json()["code"]
    phone.fill("input[name=code]", f"{fresh_code[:3]} {fresh_code[3:]}")   # typed with a space
    phone.click("main button:text-is('签退')")
    phone.wait_text("main", "签退成功")
    assert phone.eval("document.documentElement.scrollWidth") <= 375   # nothing wider than the phone

    # a member who signed up and did not come is shown, not sent (only who served is assessed)
    absent_id = staff_api.get(f"/communities/{community}/member-registrations/{desk['registrations'][1]}").json()["member_id"]
    absent = platform.as_("member", absent_id)
    deadline = time.time() + 30
    while absent.post("/me/activity-signups", {"activity_id": activity_id}).status_code not in (200, 201, 409) \
            and time.time() < deadline:
        time.sleep(0.3)

    # scanned on a phone that was not signed in: the login, then on to the check-in with its code
    fresh = browser.page(375, 780)
    fresh.goto(CONSOLE + f"#/me/checkin/{activity_id}?code={fresh_code}")
    fresh.wait("form input[name=username]")
    fresh.fill("input[name=username]", platform.accounts.ensure("member", member_id))
    fresh.fill("input[name=password]", PASSWORD)
    fresh.click("button[type=submit]")
    fresh.wait("input[name=code]")
    assert fresh.eval("document.querySelector('input[name=code]').value") == fresh_code

    # the assessment of all participants at once
    screen.goto(CONSOLE + f"#/staff/activities/{activity_id}/assessment")
    screen.wait(f"input[aria-label='{desk['names'][0]} 加减分']")
    screen.fill(f"input[aria-label='{desk['names'][0]} 加减分']", "2")
    shot(screen, "staff-assessment")
    assert "未签到，不能评价" in screen.text("main table")
    screen.click("text=提交 1 人的评价")
    screen.wait_text("main", "已评：7 分")
    assert phone.errors() == [] and screen.errors() == []


def test_the_district_sees_its_communities_as_charts_and_the_public_the_board(platform, browser, city):
    district = city.communities[0]["code"][:6]
    page = sign_in(browser, platform.accounts.ensure("district_officer", district))
    page.wait("svg.chart")
    text = page.text("main")
    assert "各社区报到情况" in text and "各社区积分与星级" in text
    assert page.count("svg.chart") >= 3 and page.count("svg.chart rect") > 10
    shot(page, "district-dashboard")
    assert page.errors() == []

    public = browser.page(1280, 720)   # the hall's screen: no login
    public.goto(CONSOLE + f"#/public/board/{city.communities[0]['code']}")
    public.wait_text("h1", "先锋榜")
    assert "登录" not in public.text("main")
    shot(public, "public-board", False)

    # without login, but not without limit: a script asking in a loop is stopped (the suite's
    # limit: 150 a minute an address), a screen asking every 5 minutes never is
    import requests
    url = f"http://127.0.0.1:{GATEWAY_PORT}/api/v1/public/boards/{city.communities[0]['code']}/2026H1"
    script = {"X-Forwarded-For": "203.0.113.20"}
    assert {requests.get(url, headers=script, timeout=30).status_code for _ in range(150)} == {200}
    stopped = requests.get(url, headers=script, timeout=30)
    assert stopped.status_code == 429 and stopped.json()["error"]["code"] == "too_many_requests"
    assert requests.get(url, headers={"X-Forwarded-For": "203.0.113.21"}, timeout=30).status_code == 200


def test_an_ended_session_says_so_and_logout_comes_back_to_the_login(platform, browser, city):
    page = sign_in(browser, platform.accounts.ensure("community_staff", city.communities[0]["code"]))
    page.eval("(() => { const s = JSON.parse(sessionStorage.getItem('sbd.session')); s.access = 'x.y.z'; "
              "s.refresh = 'gone'; sessionStorage.setItem('sbd.session', JSON.stringify(s)); })()")
    page.goto(CONSOLE + "#/staff/posts")
    page.wait_text("h1", "登录已过期")
    shot(page, "session-expired", False)
    page = sign_in(browser, platform.accounts.ensure("community_staff", city.communities[0]["code"]))
    page.click("#who button")
    page.wait("form input[name=username]")
    assert page.eval("sessionStorage.getItem('sbd.session')") is None


def test_the_community_signs_a_co_building_project_and_its_agreement_prints(platform, browser, desk):
    page = sign_in(browser, platform.accounts.ensure("community_staff", desk["community"]))
    page.goto(CONSOLE + "#/staff/projects")
    page.wait_attached(f"select[name=unit_id] option[value='{desk['unit']}']")
    page.eval(f"document.querySelector('select[name=unit_id]').value = '{desk['unit']}'")
    page.fill("input[name=title]", "健康进社区")
    page.fill("textarea[name=goals]", "为辖区老人义诊")
    page.fill("textarea[name=expected_effects]", "覆盖全社区独居老人")
    page.fill("input[name=deadline]", "2026-12-31")
    page.fill("input[name=link_services]", "每月义诊一次")
    page.click("main button[type=submit]")
    page.wait_text("main table", "健康进社区")
    shot(page, "staff-projects")
    projects = desk["staff"].get(f"/communities/{desk['community']}/projects").json()["items"]
    mine = [p for p in projects if p["unit_id"] == desk["unit"] and p["title"] == "健康进社区"]
    assert len(mine) == 1 and mine[0]["links"] == {"services": "每月义诊一次"}
    agreement = desk["staff"].get(f"/communities/{desk['community']}/projects/{mine[0]['id']}/agreement.pdf")
    assert agreement.status_code == 200 and agreement.content[:4] == b"%PDF"
    # carried out, completed and rated (§3.4.1, §3.5.1)
    row = "xpath=//tr[td[text()='健康进社区']]"
    page.click(f"{row}//button[text()='开始实施']")
    page.wait_text("main table", "实施中")
    page.click(f"{row}//button[text()='已完成']")
    page.wait_text("main table", "已完成")
    page.fill(f"input[aria-label='健康进社区 评分']", "28")
    page.click(f"{row}//button[text()='评价']")
    page.wait_text("#toast", "评价已记入")
    got = desk["staff"].get(f"/communities/{desk['community']}/projects/{mine[0]['id']}").json()
    assert got["status"] == "completed" and [r["score"] for r in got["ratings"]] == [28], got
    assert page.errors() == []


def test_the_city_administrator_makes_an_account_and_disables_it(platform, browser, desk):
    name = f"console.staff.{int(time.time() * 1000) % 10**9}"
    page = sign_in(browser, platform.accounts.ensure("city_admin"))
    page.goto(CONSOLE + "#/city/accounts")
    page.wait("form input[name=username]")
    page.fill("input[name=username]", name)
    page.fill("input[name=display_name]", "控制台测试社区账号")
    page.eval("document.querySelector('select[name=role]').value = 'community_staff'")
    page.fill("input[name=scope]", desk["community"])
    page.fill("input[name=password]", "Console-pass-2026")
    page.click("main form button[type=submit]")
    page.wait_text("main table", name)
    assert platform.accounts.login(name, "Console-pass-2026").status_code == 200
    page.click(f"xpath=//tr[td[text()='{name}']]//button[text()='停用']")
    page.wait_text("#toast", "已停用")
    assert platform.accounts.login(name, "Console-pass-2026").status_code == 401
    assert page.errors() == []


SCREENS = {
    "community_staff": ["#/staff/desk", "#/staff/reports", "#/staff/members", "#/staff/activities", "#/staff/posts", "#/staff/teams", "#/staff/projects", "#/staff/households",
                        "#/staff/service", "#/staff/settlement", "#/staff/comments", "#/staff/feedback", "#/staff/supermarket", "#/staff/forms"],
    "unit_officer": ["#/unit/reports", "#/unit/import", "#/unit/notices", "#/unit/objections", "#/unit/archive"],
    "district_officer": ["#/area/dashboard", "#/area/candidates", "#/area/runs", "#/area/notices", "#/area/campaigns"],
    "street_officer": ["#/area/dashboard", "#/area/runs"],
    "member": ["#/me", "#/me/service", "#/me/posts", "#/me/activities", "#/me/points", "#/me/supermarket", "#/me/objections"],
    "city_admin": ["#/area/dashboard", "#/city/accounts", "#/city/audit"],
}


def test_every_screen_of_every_role_opens_without_an_error(platform, browser, desk):
    community = desk["community"]
    # its first member accepted (as the test above does on the screens), whichever tests ran before
    rid = desk["registrations"][0]
    platform.as_("unit_officer", desk["unit"]).post(f"/units/{desk['unit']}/member-registrations/{rid}/opinion",
                                                   {"decision": "approve", "officer": "王书记"})
    desk["staff"].post(f"/communities/{community}/member-registrations/{rid}/acceptance",
                       {"officer": "李娜", "officer_phone": "0371-68901234"})
    assert desk["staff"].get(f"/communities/{community}/member-registrations/{rid}").json()["status"] == "accepted"
    member_api = platform.as_("member", desk["staff"].get(f"/communities/{community}/member-registrations/{rid}")
                              .json()["member_id"])
    deadline = time.time() + 30   # until the volunteering service has heard of the acceptance (its event)
    while member_api.get("/me/suggested-posts").status_code != 200 and time.time() < deadline:
        time.sleep(0.3)
    member_id = desk["staff"].get(f"/communities/{community}/member-registrations/{desk['registrations'][0]}").json()["member_id"]
    scopes = {"community_staff": community, "unit_officer": desk["unit"], "district_officer": community[:6],
              "street_officer": community[:9], "member": member_id, "city_admin": ""}
    for role, screens in SCREENS.items():
        page = sign_in(browser, platform.accounts.ensure(role, scopes[role]), width=375 if role == "member" else 1200)
        for screen in screens:
            page.goto(CONSOLE + screen)
            page.wait("main h1")
            time.sleep(0.6)   # its answers come in
            assert page.count("main .error") == 0, (role, screen, page.text("main")[:300])
            assert page.errors() == [], (role, screen)
            shot(page, f"{role}-{screen.strip('#/').replace('/', '-')}", role != "member")
    public = browser.page(1280, 720)
    for screen in (f"#/public/honour/{community[:6]}", "#/public/check", "#/login"):
        public.goto(CONSOLE + screen)
        public.wait("main h1")
        time.sleep(0.4)
        assert public.count("main .error") == 0 and public.errors() == [], screen
        shot(public, "public-" + screen.strip("#/").split("/")[-1 if screen == "#/login" else 1], False)
