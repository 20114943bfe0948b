"""Forms over HTTP (Annex B): a community prints a member's certificate B.1 and receipt B.2, and all
its certificates of the year as a job with progress; the QR code's check answers without login."""
import itertools
import random
import re
import subprocess
import time

import pytest
import requests

from registration.city import credit_code, sample_report
from tests.conftest import GATEWAY_PORT

pytestmark = pytest.mark.e2e
seeds = itertools.count(70_000)


def report(platform, community, unit):
    """A new member's report to the community; a seed whose identity number some other test's
    member already has (seeds of different tests meet) gives way to the next."""
    for _ in range(20):
        body = sample_report(community, unit, seed=next(seeds))
        body.pop("community_code")
        reg = platform.post(f"/communities/{community}/member-registrations", body)
        if reg.status_code != 409:
            assert reg.status_code == 201, reg.text
            return reg.json(), body
    raise AssertionError("no free identity number in 20 seeds")


def pdf_text(data, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                                                              check=True).stdout).group(1))
    return "".join(text.split()), fonts, pages


def test_a_community_prints_b1_b2_and_a_batch_and_the_qr_check_needs_no_login(platform, city, tmp_path):
    community = city.communities[2]["code"]
    code = credit_code(random.Random(11), community[:6], "public_institution")
    unit = platform.post(f"/communities/{community}/unit-registrations", {
        "unit": {"name": "郑州市文书测试中心", "credit_code": code, "type": "public_institution",
                 "party_org_name": "中共郑州市文书测试中心支部委员会", "address": "郑州市金水区文化路1号"},
        "contact_officer": "周华", "contact_phone": "0371-68112233", "resources": ["法律咨询"]})
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["unit_id"]
    regs = []
    for _ in range(3):
        reg, body = report(platform, community, unit_id)
        regs.append((reg["registration_id"], reg["certificate_no"], body))
    reg_id, number, body = regs[0]
    assert platform.post(f"/units/{unit_id}/member-registrations/{reg_id}/opinion",
                         {"decision": "approve", "officer": "王书记", "comment": "同意"}).status_code == 200
    assert platform.post(f"/communities/{community}/member-registrations/{reg_id}/acceptance",
                         {"officer": "李娜", "officer_phone": "0371-68901234"}).status_code == 200

    # B.1: every field of the member's certificate, the fonts embedded
    staff = platform.as_("community_staff", community)
    b1 = staff.get(f"/communities/{community}/member-registrations/{reg_id}/certificate.pdf")
    assert b1.status_code == 200, b1.text
    assert b1.headers["Content-Type"] == "application/pdf" and "filename*=UTF-8''" in b1.headers["Content-Disposition"]
    text, fonts, pages = pdf_text(b1.content, tmp_path, "b1.pdf")
    assert pages == 1 and fonts and all(line.split()[-5] == "yes" for line in fonts)
    for expected in ("在职党员社区报到证", f"编号：{number}", body["name"], {"male": "男", "female": "女"}[body["gender"]],
                     body["education"], body["position"],
                     *body["service_intentions"], "同意", "王书记", "社区已接收"):
        assert "".join(str(expected).split()) in text, expected
    assert again_same(staff, f"/communities/{community}/member-registrations/{reg_id}/certificate.pdf", b1.content)

    # B.2 after acceptance; a district officer reads it too, but not B.1 (phone and address on it)
    b2 = platform.as_("district_officer", community[:6]).get(
        f"/communities/{community}/member-registrations/{reg_id}/receipt.pdf")
    assert b2.status_code == 200, b2.text
    text, fonts, _ = pdf_text(b2.content, tmp_path, "b2.pdf")
    assert "在职党员社区报到回执单" in text and "经办人：李娜" in text and "联系电话：0371-68901234" in text
    assert platform.as_("district_officer", community[:6]).get(
        f"/communities/{community}/member-registrations/{reg_id}/certificate.pdf").status_code == 403

    # agreement C of a co-building project, first in the standard's wording, then in the community's own
    project = staff.post(f"/communities/{community}/projects", {
        "unit_id": unit_id, "title": "法律服务进社区", "goals": "每月为居民提供法律咨询", "expected_effects": "居民纠纷就地化解",
        "deadline": "2026-12-31", "links": {"services": "每月第二个周六法律咨询", "members": "在职党员参加社区普法"},
        "service_count": 12, "service_hours": 36, "service_mode": "每月一次，线下"})
    assert project.status_code == 201, project.text
    project_id = project.json()["project_id"] if "project_id" in project.json() else project.json()["id"]
    c = staff.get(f"/communities/{community}/projects/{project_id}/agreement.pdf")
    assert c.status_code == 200, c.text
    text, fonts, _ = pdf_text(c.content, tmp_path, "c.pdf")
    for expected in ("社区党组织党建联建协议书", "乙方：中共郑州市文书测试中心支部委员会", "每月为居民提供法律咨询",
                     "每月第二个周六法律咨询", "服务12次", "打破条块分割", "本协议采用标准文本"):
        assert expected in text, expected
    wording = staff.request("PUT", f"/communities/{community}/agreement-template",
                        {"sections": {"goals": "推动驻区单位与社区资源共享、服务共做", "closing": ["本协议一式叁份。"]}})
    assert wording.status_code == 200 and wording.json()["version"] == 1, wording.text
    bad = staff.request("PUT", f"/communities/{community}/agreement-template", {"sections": {"nonsense": "x"}})
    assert bad.status_code == 400 and "sections.nonsense" in bad.text
    assert staff.get(f"/communities/{community}/agreement-template").json()["version"] == 1
    # the next agreement takes the community's wording; the one signed before keeps its own text
    later = staff.post(f"/communities/{community}/projects", {
        "unit_id": unit_id, "title": "健康服务进社区", "goals": "每季度义诊一次", "expected_effects": "老人健康有人问",
        "deadline": "2026-12-31", "links": {"services": "每季度义诊"}, "service_count": 4, "service_hours": 16,
        "service_mode": "每季度一次"})
    assert later.status_code == 201, later.text
    later_id = later.json()["project_id"] if "project_id" in later.json() else later.json()["id"]
    text, _, _ = pdf_text(staff.get(f"/communities/{community}/projects/{later_id}/agreement.pdf").content,
                          tmp_path, "c2.pdf")
    assert "推动驻区单位与社区资源共享、服务共做" in text and "本协议一式叁份。" in text and "打破条块分割" not in text
    assert "本社区修订的第1版" in text
    text, _, _ = pdf_text(staff.get(f"/communities/{community}/projects/{project_id}/agreement.pdf").content,
                          tmp_path, "c3.pdf")
    assert "打破条块分割" in text and "本协议采用标准文本" in text
    docx = staff.get(f"/communities/{community}/projects/{project_id}/agreement.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK" and "wordprocessingml" in docx.headers["Content-Type"]
    members = staff.get(f"/communities/{community}/exports/members.xlsx", params={"year": 2026})
    assert members.status_code == 200 and members.content[:2] == b"PK"
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(members.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert all(n in strings for _, n, _ in regs)

    # Annex A, drawn from the community's structure, as PDF and SVG
    chart = staff.get(f"/communities/{community}/org-chart.pdf", params={"year": 2026})
    assert chart.status_code == 200, chart.text
    text, fonts, _ = pdf_text(chart.content, tmp_path, "a.pdf")
    assert "党员志愿服务组织运行图" in text and "驻地单位党组织" in text and "中共郑州市文书测试中心支部委员会" in text
    svg = platform.as_("district_officer", community[:6]).get(f"/communities/{community}/org-chart.svg")
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml") and b"<svg" in svg.content

    # the batch: a job whose progress can be followed, then one PDF of every certificate
    started = staff.post(f"/communities/{community}/documents/certificates", {"year": 2026})
    assert started.status_code == 202, started.text
    job_id, total = started.json()["job_id"], started.json()["total"]
    assert total >= 3
    seen, deadline = [], time.time() + 60
    while time.time() < deadline:
        state = staff.get(f"/communities/{community}/documents/jobs/{job_id}").json()
        seen.append((state["status"], state["done"], state["total"], state["percent"]))
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert state["status"] == "done", seen
    assert state["done"] == state["total"] == total and state["percent"] == 100 and state["file"]["bytes"] > 0
    whole = staff.get(f"/communities/{community}/documents/jobs/{job_id}/file")
    assert whole.status_code == 200
    text, fonts, pages = pdf_text(whole.content, tmp_path, "batch.pdf")
    assert pages == total and all(n in text for _, n, _ in regs)
    assert whole.headers["X-Content-SHA256"] == state["file"]["sha256"]
    # another community's staff: the job is not there for them
    other = city.communities[3]["code"]
    assert platform.as_("community_staff", other).get(f"/communities/{other}/documents/jobs/{job_id}").status_code == 404

    # the QR code's check: no login, masked name, nothing personal; a wrong token is "not found"
    token = re.search(r"t=([A-Z2-7]+)", qr_url_of(b1.content, tmp_path)).group(1)
    check = requests.get(f"http://127.0.0.1:{GATEWAY_PORT}/api/v1/public/certificates/{number}", params={"t": token},
                         timeout=30)
    assert check.status_code == 200, check.text
    answer = check.json()
    assert answer["number"] == number and answer["valid"] is True and answer["member_name"].startswith(body["name"][0])
    assert "*" in answer["member_name"] and set(answer) == {"number", "member_name", "community_name", "reported_on",
                                                            "status", "valid"}
    assert requests.get(f"http://127.0.0.1:{GATEWAY_PORT}/api/v1/public/certificates/{number}",
                        params={"t": "AAAAAAAAAAAAAAAA"}, timeout=30).status_code == 404
    page = requests.get(f"http://127.0.0.1:{GATEWAY_PORT}/check/{number}", params={"t": token}, timeout=30)
    assert page.status_code == 200 and "报到证真实有效" in page.text and body["phone"] not in page.text

    # a script trying numbers from one address is stopped (the suite's limit: 200 a minute), on
    # the route and on the page; another address still checks
    script = {"X-Forwarded-For": "203.0.113.9"}
    statuses = [requests.get(f"http://127.0.0.1:{GATEWAY_PORT}/api/v1/public/certificates/{number}",
                             params={"t": token}, headers=script, timeout=30).status_code for _ in range(200)]
    assert statuses == [200] * 200
    stopped = requests.get(f"http://127.0.0.1:{GATEWAY_PORT}/api/v1/public/certificates/{number}",
                           params={"t": token}, headers=script, timeout=30)
    assert stopped.status_code == 429 and stopped.json()["error"]["code"] == "too_many_checks"
    assert int(stopped.headers["Retry-After"]) > 0
    page = requests.get(f"http://127.0.0.1:{GATEWAY_PORT}/check/{number}", params={"t": token}, headers=script,
                        timeout=30)
    assert page.status_code == 429 and "查验过于频繁" in page.text
    assert requests.get(f"http://127.0.0.1:{GATEWAY_PORT}/check/{number}", params={"t": token},
                        headers={"X-Forwarded-For": "203.0.113.10"}, timeout=30).status_code == 200


def unpublished_community(engine, city):
    """One of the test city's communities whose half year no test has published yet (the first:
    the scoring and feedback tests take the last free ones)."""
    from sqlalchemy import text
    from toolkit.config import now
    period = f"{now().year}H{1 if now().month <= 6 else 2}"
    with engine.connect() as conn:
        taken = set(conn.execute(text("select community_code from scoring.settlements where period = :p and status "
                                      "in ('reviewed', 'published')"), {"p": period}).scalars())
    return next(c["code"] for c in city.communities[1:] if c["code"] not in taken)


def test_d1_after_publication_for_the_community_the_member_and_a_district_batch(platform, city, migrated, tmp_path):
    from toolkit.config import now
    community = unpublished_community(migrated, city)
    staff = platform.as_("community_staff", community)
    code = credit_code(random.Random(12), community[:6], "public_institution")
    unit = platform.post(f"/communities/{community}/unit-registrations", {
        "unit": {"name": "郑州市登记表测试中心", "credit_code": code, "type": "public_institution",
                 "party_org_name": "中共郑州市登记表测试中心支部委员会", "address": "郑州市金水区文化路2号"},
        "contact_officer": "赵书记", "contact_phone": "13900001111", "resources": ["法律咨询"]}).json()["unit_id"]
    reg, body = report(platform, community, unit)
    assert platform.post(f"/units/{unit}/member-registrations/{reg['registration_id']}/opinion",
                         {"decision": "approve", "officer": "赵书记"}).status_code == 200
    assert staff.post(f"/communities/{community}/member-registrations/{reg['registration_id']}/acceptance",
                      {"officer": "李娜", "officer_phone": "0371-68901234"}).status_code == 200
    member = platform.as_("city_admin").get(f"/communities/{community}/member-registrations/{reg['registration_id']}")
    member_id = member.json()["member_id"]
    today = now().date().isoformat()
    deadline = time.time() + 30
    while True:  # the red account opens when scoring hears of the acceptance
        merit = staff.post(f"/communities/{community}/merit-entries", {
            "member_id": member_id, "category": "见义勇为", "reason": "救起落水儿童一名", "points": 20, "occurred_on": today})
        if merit.status_code == 201 or time.time() > deadline:
            break
        time.sleep(0.3)
    assert merit.status_code == 201, merit.text
    period = merit.json()["period"]
    base = f"/communities/{community}/settlements/{period}"
    assert staff.post(f"{base}/draft").status_code == 200
    assert staff.post(f"{base}/review", {"congress_date": today, "attendees": 30, "minutes": "党员群众代表大会审议通过"}
                      ).status_code == 200
    assert staff.post(f"{base}/publication").status_code == 200

    d1 = staff.get(f"/communities/{community}/members/{member_id}/register-d1.pdf", params={"period": period})
    assert d1.status_code == 200, d1.text
    text, fonts, _ = pdf_text(d1.content, tmp_path, "d1.pdf")
    for expected in ("在职党员志愿服务积分评星登记表", body["name"], "救起落水儿童一名", "20", "2星", "已公布",
                     "中共郑州市登记表测试中心支部委员会", "赵书记", body["phone"].replace(" ", "")):
        assert expected in text, expected
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)
    # the member's own; the street officer's, phones masked (they may read the register, not the phone)
    own = platform.as_("member", member_id).get("/me/register-d1.pdf", params={"period": period})
    assert own.status_code == 200 and "救起落水儿童一名" in pdf_text(own.content, tmp_path, "own.pdf")[0]
    # ... and their own certificate B.1, with their phone (theirs to see), the newest or of a year
    mine = platform.as_("member", member_id).get("/me/certificate.pdf")
    assert mine.status_code == 200, mine.text
    text, fonts, _ = pdf_text(mine.content, tmp_path, "mine.pdf")
    assert "在职党员社区报到证" in text and body["name"] in text and re.sub(r"\D", "", body["phone"]) in text
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)
    assert platform.as_("member", member_id).get("/me/certificate.pdf", params={"year": 2001}).status_code == 404
    street = platform.as_("street_officer", community[:9]).get(
        f"/communities/{community}/members/{member_id}/register-d1.pdf", params={"period": period})
    text, _, _ = pdf_text(street.content, tmp_path, "street.pdf")
    phone = re.sub(r"\D", "", body["phone"])
    assert phone not in text and f"{phone[:3]}****{phone[-4:]}" in text

    # the district's registers of the half year: a part per community, a ZIP of one PDF each
    district = community[:6]
    officer = platform.as_("district_officer", district)
    started = officer.post(f"/districts/{district}/documents/registers", {"period": period})
    assert started.status_code == 202, started.text
    job_id, deadline = started.json()["job_id"], time.time() + 90
    while time.time() < deadline:
        state = officer.get(f"/districts/{district}/documents/jobs/{job_id}").json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert state["status"] == "done", state
    assert len(state["parts"]) == len([c for c in city.communities if c["code"].startswith(district)])
    got = officer.get(f"/districts/{district}/documents/jobs/{job_id}/file")
    assert got.status_code == 200 and got.headers["Content-Type"] == "application/zip"
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(got.content)) as archive:
        names = archive.namelist()
        ours = next(n for n in names if community in n)
        (tmp_path / "ours.pdf").write_bytes(archive.read(ours))
    assert len(names) == sum(1 for p in state["parts"] if p["done"] > 0)   # a community with no member: no file
    text, _, pages = pdf_text((tmp_path / "ours.pdf").read_bytes(), tmp_path, "ours.pdf")
    assert "救起落水儿童一名" in text and phone not in text and pages >= 1


def again_same(client, path, content):
    return client.get(path).content == content


def qr_url_of(pdf, tmp_path):
    """The check address the certificate's QR code holds, read back from the page's picture
    (pdftoppm's grey PGM: a header, then one byte per pixel)."""
    import zxingcpp
    (tmp_path / "qr.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-singlefile", str(tmp_path / "qr.pdf"), str(tmp_path / "qr")],
                   check=True)
    magic, size, _depth, pixels = (tmp_path / "qr.pgm").read_bytes().split(b"\n", 3)
    width, height = map(int, size.split())
    found = zxingcpp.read_barcodes(memoryview(pixels).cast("B", shape=[height, width]))
    assert magic == b"P5" and len(found) == 1, found
    return found[0].text


def test_a_500_member_batch_shows_its_progress_and_prints_every_certificate(platform, city, tmp_path):
    from registration.city import import_csv
    community = city.communities[2]["code"]
    code = credit_code(random.Random(13), community[:6], "public_institution")
    unit = platform.post(f"/communities/{community}/unit-registrations", {
        "unit": {"name": "郑州市批量打印测试中心", "credit_code": code, "type": "public_institution",
                 "party_org_name": "中共郑州市批量打印测试中心支部委员会", "address": "郑州市金水区文化路3号"},
        "contact_officer": "钱华", "contact_phone": "0371-68112244", "resources": ["义诊"]}).json()["unit_id"]
    officer = platform.as_("unit_officer", unit)
    for seed in (424_242, 515_151, 626_262):  # a file whose identity numbers another test's members hold gives way
        started = officer.post(f"/units/{unit}/member-imports", params={"filename": "members.csv"},
                               data=import_csv(community, members=500, seed=seed), headers={"Content-Type": "text/csv"})
        assert started.status_code == 202, started.text
        deadline = time.time() + 120
        while time.time() < deadline:
            job = officer.get(f"/units/{unit}/member-imports/{started.json()['job_id']}").json()
            if job["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.3)
        if job["status"] == "succeeded":
            break
    assert job["status"] == "succeeded", job

    staff = platform.as_("community_staff", community)
    started = staff.post(f"/communities/{community}/documents/certificates", {"year": now_year()})
    assert started.status_code == 202 and started.json()["total"] >= 500, started.text
    job_id, seen, deadline = started.json()["job_id"], [], time.time() + 180
    while time.time() < deadline:
        state = staff.get(f"/communities/{community}/documents/jobs/{job_id}").json()
        seen.append((state["status"], state["done"], state["percent"]))
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert state["status"] == "done", state
    # the progress was shown on the way: done counted up in chunks before the job was done
    assert any(status == "running" and 0 < done < state["total"] for status, done, _ in seen), seen
    assert [d for _, d, _ in seen] == sorted(d for _, d, _ in seen)
    whole = staff.get(f"/communities/{community}/documents/jobs/{job_id}/file")
    _, fonts, pages = pdf_text(whole.content, tmp_path, "batch500.pdf")
    assert pages == state["total"] >= 500 and all(line.split()[-5] == "yes" for line in fonts)


def now_year():
    from toolkit.config import now
    return now().year
