"""DocumentsService: the standard's forms (Annexes A–G) as files. It owns no business data: what
a form shows it asks of the service that owns it, as the caller (who is checked there again), and
it keeps only its batch jobs and their files.

    certificate_pdf, receipt_pdf          one B.1 / B.2 of a community's registration
    agreement_pdf, agreement_template     agreement C of a co-building project; the community's wording
    notice_file, objections_file          notice E with table F as a unit received it; a community's table G
    org_chart                             the organization chart of Annex A, drawn from a community's structure
    register_d1_pdf, my_register_d1_pdf   one member's D.1 of a half year
    start_certificates, start_registers   a community's certificates, a district's registers:
    job, job_file                         jobs with progress, and their file
    check_certificate                     the public check behind a certificate's QR code (no login)
"""
import base64
import hashlib
import os
import re

from toolkit.deadletters import event_handler   # bounded tries, then a dead-letter queue
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from sqlalchemy import text

from contracts.access import CITY_ADMIN, CONTEXT_KEY, Caller
from contracts.errors import Conflict, NotFound
from toolkit.caller import CallerOf
from toolkit.db import Database
from toolkit.errors import rpc
from toolkit.logcontext import RequestLog
from toolkit.metrics import Metrics
from toolkit.remote import REMOTE_TIMEOUT, Bounded
from toolkit.validation import half_year, invalid

from . import agreements, certificates, chart, check, excel, exports, feedback, files, guard, jobs, registers, render, word
from .models import metadata

# the service's own identity, for the one question it asks on nobody's behalf: the public check
# of a certificate whose QR token it has verified itself
CHECKER = Caller(0, "system:documents-check", CITY_ADMIN, "")


class ActAs(DependencyProvider):
    """Sets the caller this worker's RPCs carry (a job's part asks as whoever started the job)."""

    def get_dependency(self, worker_ctx):
        def act_as(caller):
            worker_ctx.data[CONTEXT_KEY] = caller.to_context()
        return act_as


class AsCaller:
    """A remote service asked as `caller`, signed afresh at each call: a batch outlives a
    signature (contracts.access.CONTEXT_TTL)."""

    def __init__(self, remote, act_as, caller):
        self.remote, self.act_as, self.caller = remote, act_as, caller

    def __getattr__(self, name):
        method = getattr(self.remote, name)

        def call(*args, **kwargs):
            self.act_as(self.caller)
            return method(*args, **kwargs)
        return call


class Remote:
    """The services a job's part asks, as the job's caller."""

    def __init__(self, service, caller):
        self.registration = AsCaller(service.registration, service.act_as, caller)
        self.scoring = AsCaller(service.scoring, service.act_as, caller)
        self.volunteering = AsCaller(service.volunteering, service.act_as, caller)
        self.feedback = AsCaller(service.feedback, service.act_as, caller)
        self.base_url = service.base_url
        self._names = {}

    def community_name(self, code):
        street = code[:9]
        if street not in self._names:
            self._names[street] = {c["code"].strip(): c["name"] for c in self.registration.list_communities(street)}
        return self._names[street].get(code, code)


class DocumentsService:
    name = "documents"

    db = Database(metadata)
    metrics = Metrics()
    request_log = RequestLog()
    caller = CallerOf()
    act_as = ActAs()
    # bounded (toolkit.remote): a service that is down fails the call, not the worker for ever
    registration_proxy = RpcProxy("registration", expiration=REMOTE_TIMEOUT)
    scoring_proxy = RpcProxy("scoring", expiration=REMOTE_TIMEOUT)
    volunteering_proxy = RpcProxy("volunteering", expiration=REMOTE_TIMEOUT)
    feedback_proxy = RpcProxy("feedback", expiration=REMOTE_TIMEOUT)

    @property
    def registration(self):
        return Bounded(self.registration_proxy)

    @property
    def scoring(self):
        return Bounded(self.scoring_proxy)

    @property
    def volunteering(self):
        return Bounded(self.volunteering_proxy)

    @property
    def feedback(self):
        return Bounded(self.feedback_proxy)

    @property
    def files(self):
        return files.Directory(os.environ.get("DOCUMENTS_FILES_DIR") or "var/documents")

    @property
    def base_url(self):
        return os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000"

    # --- one form, now ----------------------------------------------------------------------

    @rpc
    def certificate_pdf(self, community_code, registration_id):
        """B.1 of one registration of the community: {name, content_type, sha256, bytes, base64}.
        Its staff only: phone and address are on it."""
        guard.community_staff(self.caller, community_code)
        cert = self.registration.get_certificate(registration_id, {"community_code": community_code})
        personal = self.caller.sees_personal_data
        data = render.pdf("b1", [certificates.b1(cert, self.base_url, personal)], certificates.b1_as_of([cert]))
        return _file(f"报到证-{cert['certificate_no']}.pdf", data, personal=personal)

    @rpc
    def my_certificate_pdf(self, member_id, year=None):
        """The member's own B.1: of `year`, or the newest they have (a member may fetch their own,
        with their phone and address)."""
        guard.member(self.caller, member_id)
        if year is not None and (not isinstance(year, int) or not 2000 <= year <= 2100):
            raise invalid("year", "bad_year", "附录B.1", "年度应为四位数字，如 2026")
        found = [r for r in self.registration.member_registrations(member_id) if year is None or r["year"] == year]
        if not found:
            raise NotFound("certificate_not_found", f"{year or ''}年度没有报到记录" if year else "还没有报到记录")
        cert = found[0]   # newest first
        data = render.pdf("b1", [certificates.b1(cert, self.base_url, True)], certificates.b1_as_of([cert]))
        return _file(f"报到证-{cert['certificate_no']}.pdf", data, personal=True)

    @rpc
    def receipt_pdf(self, community_code, registration_id, fmt="pdf"):
        """B.2 of an accepted registration of the community (fmt "docx": as a Word document)."""
        guard.area(self.caller, community_code)
        receipt = self.registration.get_receipt(community_code, registration_id)
        page = certificates.b2(receipt, self.base_url)
        if _fmt(fmt) == "docx":
            return _file(f"回执单-{receipt['number']}.docx", word.receipt(page, receipt["stamp_date"]), DOCX)
        return _file(f"回执单-{receipt['number']}.pdf", render.pdf("b2", [page], receipt["stamp_date"]))

    @rpc
    def register_d1_pdf(self, community_code, member_id, period, fmt="pdf"):
        """D.1 of a member's half year in the community (phones masked for those who may not see
        them; fmt "docx": as a Word document)."""
        guard.area(self.caller, community_code)
        half_year(period)
        register = self.scoring.register_d1(community_code, member_id, period)
        posts = self.volunteering.member_posts(member_id, community_code)
        return self._d1(register, self._profile(member_id, community_code), posts, _fmt(fmt))

    @rpc
    def my_register_d1_pdf(self, member_id, period, fmt="pdf"):
        """The member's own D.1, in the community of the red account."""
        guard.member(self.caller, member_id)
        half_year(period)
        register = self.scoring.my_register_d1(member_id, period)
        code = register["community_code"]
        posts = [p for p in self.volunteering.member_posts(member_id) if p["community_code"] == code]
        # a member may ask only for their own profile, not a community's (registration's wall)
        return self._d1(register, self._profile(member_id, None), posts, _fmt(fmt))

    def _profile(self, member_id, community_code):
        try:
            return self.registration.member_profile(member_id, community_code)
        except NotFound:  # no accepted report there: the points are still shown
            return None

    def _d1(self, register, profile, posts, fmt):
        code = register["community_code"]
        name = Remote(self, self.caller).community_name(code)
        personal = self.caller.sees_personal_data
        page = registers.d1(register, profile, posts, name, personal)
        stem = f"登记表D.1-{page['name'] or register['member']['member_id']}-{register['period']}"
        if fmt == "docx":
            return _file(f"{stem}.docx", word.register(page, registers.as_of([register])), DOCX, personal)
        return _file(f"{stem}.pdf", render.pdf("d1", [page], registers.as_of([register])), personal=personal)

    @rpc
    def agreement_pdf(self, community_code, project_id, fmt="pdf"):
        """Agreement C of one of the community's co-building projects, in its current wording (fmt
        "docx": a Word document, for the office that edits before it prints)."""
        guard.area(self.caller, community_code)
        project = self.volunteering.get_project(community_code, project_id)
        year = int(str(project["created_at"])[:4])
        units = {u["unit_id"]: u for u in self.registration.list_unit_registrations(community_code, year)}
        with self.db.unit_of_work() as uow:  # the wording in force when the project was signed
            wording = agreements.template(uow.conn, community_code, as_of=project["created_at"])
        name = Remote(self, self.caller).community_name(community_code)
        page = agreements.agreement(wording, project, name, units.get(project["unit_id"]))
        day = str(project["created_at"])[:10]
        if _fmt(fmt) == "docx":
            return _file(f"党建联建协议书-{project['title']}.docx", word.agreement(page, day), DOCX)
        return _file(f"党建联建协议书-{project['title']}.pdf", render.pdf("c", [page], day))

    @rpc
    def notice_file(self, unit_id, notice_id, fmt="pdf"):
        """Notice E and table F as the district released them to the unit (fmt "xlsx": table F as
        Excel). Asked of the feedback service as the caller: the unit's officer reading it is
        recorded there (notice_read), as reading it on the screen is."""
        guard.signed_in(self.caller)
        fmt = _fmt(fmt, ("pdf", "docx", "xlsx"))
        found = self.feedback.read_notice(unit_id, notice_id)
        day = str(found["released_at"])[:10]
        stem = f"反馈通知单-{found['unit_name'] or unit_id}-{found['period']}-第{found['revision']}版"
        if fmt == "xlsx":
            return _file(f"{stem}.xlsx", excel.workbook(feedback.notice_sheets(found), day), XLSX)
        if fmt == "docx":
            return _file(f"{stem}.docx", word.notice(feedback.notice(found), day), DOCX)
        return _file(f"{stem}.pdf", render.pdf("ef", [feedback.notice(found)], day))

    @rpc
    def objections_file(self, community_code, fmt="pdf"):
        """Table G of the community's objections (the newest 500) and their results."""
        guard.area(self.caller, community_code)
        fmt = _fmt(fmt, ("pdf", "docx", "xlsx"))
        found = self.feedback.community_objections(community_code, None)["items"]
        page = feedback.objections(Remote(self, self.caller).community_name(community_code), found)
        days = [str(o.get("decided_at") or o["raised_at"])[:10] for o in found] or ["2000-01-01"]
        stem = f"意见反馈表G-{community_code}"
        if fmt == "xlsx":
            return _file(f"{stem}.xlsx", excel.workbook(feedback.objection_sheets(page), max(days)), XLSX)
        if fmt == "docx":
            return _file(f"{stem}.docx", word.objections(page, max(days)), DOCX)
        return _file(f"{stem}.pdf", render.pdf("g", [page], max(days)))

    @rpc
    def org_chart(self, community_code, year, fmt="pdf"):
        """Annex A for the community (fmt "svg": for a screen): who is above it, what runs its
        volunteering, the units paired to it and its members, with how many there are."""
        guard.area(self.caller, community_code)
        fmt = _fmt(fmt, ("pdf", "svg"))
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise invalid("year", "bad_year", "附录A", "年度应为四位数字，如 2026")
        remote = Remote(self, self.caller)
        district = next((d["name"] for d in self.registration.list_districts() if d["code"] == community_code[:6]),
                        community_code[:6])
        street = next((s["name"] for s in self.registration.list_streets(community_code[:6])
                       if s["code"] == community_code[:9]), community_code[:9])
        page = chart.community(
            {"district": district, "street": street, "community": remote.community_name(community_code)},
            self.registration.community_database("community", community_code, year),
            self.registration.list_unit_registrations(community_code, year),
            self.volunteering.list_posts(community_code), self.volunteering.board(community_code, year), year)
        if fmt == "svg":
            return _file(f"组织运行图-{community_code}-{year}.svg", render.compile_svg("a", [page]), "image/svg+xml")
        return _file(f"组织运行图-{community_code}-{year}.pdf", render.pdf("a", [page], f"{year}-01-01"))

    # --- tables as Excel --------------------------------------------------------------------

    @rpc
    def export_xlsx(self, community_code, what, year=None, period=None):
        """One of the community's lists as an Excel file: `what` is members (the year's reports),
        unreported (reported last year, not this one), transfers (with the overdue ones marked) or
        register_lines (every line of the half year's registers D.1, and each member's result)."""
        guard.area(self.caller, community_code)
        if what not in exports.COMMUNITY:
            raise invalid("what", "bad_export", "-", f"应为 {'、'.join(exports.COMMUNITY)} 之一")
        name, sheets, as_of, personal = exports.COMMUNITY[what](
            Remote(self, self.caller), community_code, year=year, period=period,
            personal=self.caller.sees_personal_data)
        return _file(f"{name}.xlsx", excel.workbook(sheets, as_of), XLSX, personal)

    @rpc
    def board_xlsx(self, area_code, period, kind="member"):
        """A published vanguard board (§3.5.6) as an Excel file: every rank, not only the top."""
        guard.signed_in(self.caller)
        half_year(period)
        name, sheets, as_of = exports.board(Remote(self, self.caller), area_code, period, kind)
        return _file(f"{name}.xlsx", excel.workbook(sheets, as_of), XLSX)

    @rpc
    def agreement_template(self, community_code):
        """The wording the community's next agreement takes (its newest version, or the standard's)."""
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return agreements.template(uow.conn, community_code)

    @rpc
    def write_agreement_template(self, community_code, sections):
        """A new version of the community's wording: the sections it changes (the rest stay the
        standard's). Its staff only (§3.3.1)."""
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return agreements.write(uow, community_code, sections, self.caller.username)

    # --- batches ----------------------------------------------------------------------------

    @rpc
    def start_certificates(self, community_code, year):
        """Every certificate (B.1) of the community's year as one PDF, as a job: {job_id, total}."""
        guard.community_staff(self.caller, community_code)
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise invalid("year", "bad_year", "附录B.1", "年度应为四位数字，如 2026")
        total = self.registration.community_certificates(community_code, year, 0, 1)["total"]
        if not total:
            raise _nothing("year", "附录B.1", f"本社区 {year} 年没有可打印的报到证")
        with self.db.unit_of_work() as uow:
            job_id = jobs.start(uow, self.caller, "certificates", community_code, [community_code],
                                {"community_code": community_code, "year": year}, [total])
        return {"job_id": job_id, "total": total, "status": "queued"}

    @rpc
    def start_registers(self, district_code, period):
        """Every member's register D.1 of the half year in each community of the district, as a job
        (a part per community; the file a ZIP of one PDF per community)."""
        guard.district(self.caller, district_code)
        half_year(period)
        if not isinstance(district_code, str) or not re.fullmatch(r"\d{6}", district_code):
            raise invalid("district_code", "bad_district", "GB/T 2260", "县（区）编码应为 6 位数字")
        codes = [c for c in self.registration.node_codes()["communities"] if c.startswith(district_code)]
        if not codes:
            raise NotFound("district_not_found", f"县（区）{district_code} 不存在或没有社区")
        with self.db.unit_of_work() as uow:
            job_id = jobs.start(uow, self.caller, "registers", district_code, codes,
                                {"district_code": district_code, "period": period}, [0] * len(codes))
        return {"job_id": job_id, "communities": len(codes), "status": "queued"}

    @rpc
    def start_tables(self, district_code, period):
        """The notices E with tables F the district released for the half year, as sent, as a job
        (a part per group of units; one PDF, or a ZIP of one PDF a group)."""
        guard.district(self.caller, district_code)
        half_year(period)
        if not isinstance(district_code, str) or not re.fullmatch(r"\d{6}", district_code):
            raise invalid("district_code", "bad_district", "GB/T 2260", "县（区）编码应为 6 位数字")
        units = self.feedback.released_notice_units(district_code, period)
        if not units:
            raise _nothing("period", "§5.3.3",
                          f"本县（区）{registers.half_year(period)}尚未发布反馈通知单，无可打印的汇总表")
        groups = [units[i:i + jobs.UNITS_PER_PART] for i in range(0, len(units), jobs.UNITS_PER_PART)]
        with self.db.unit_of_work() as uow:
            job_id = jobs.start(uow, self.caller, "tables", district_code, [district_code] * len(groups),
                                {"district_code": district_code, "period": period, "units": groups},
                                [len(g) for g in groups])
        return {"job_id": job_id, "total": len(units), "status": "queued"}

    @rpc
    def job(self, area_code, job_id):
        """Where a job of the area stands: status, done of total, percent, its file once done."""
        guard.area(self.caller, area_code)
        with self.db.unit_of_work() as uow:
            return jobs.status(uow.conn, area_code, job_id, self.caller)

    @rpc
    def job_file(self, area_code, job_id):
        """The finished job's file (404 until it is done)."""
        guard.area(self.caller, area_code)
        with self.db.unit_of_work() as uow:
            state = jobs.status(uow.conn, area_code, job_id, self.caller)
            row = jobs.job_row(uow.conn, job_id)
        if state["status"] != "done":
            raise NotFound("job_not_done", f"任务 {job_id} 尚未完成（{state['done']}/{state['total']}）")
        personal = jobs.caller_of(row).sees_personal_data
        if personal and not self.caller.sees_personal_data:  # made for someone who may see what this caller may not
            raise NotFound("job_not_found", f"任务 {job_id} 不存在")
        data = self.files.get(row["result_key"])
        kind = "application/zip" if row["result_name"].endswith(".zip") else "application/pdf"
        return _file(row["result_name"], data, content_type=kind, personal=personal)

    @event_handler("documents", "document_part_requested")
    def document_part(self, event):
        with self.db.unit_of_work() as uow:
            row = jobs.job_row(uow.conn, event["job_id"])
        if row is None:
            return  # a part of a job this database never had: nothing to do
        jobs.render_part(self.db, self.files, Remote(self, jobs.caller_of(row)), event)

    # --- the public check -------------------------------------------------------------------

    @rpc
    def check_certificate(self, number, token):
        """No login: a certificate's number and the token of its QR code -> {number, member_name
        (masked), community_name, reported_on, status, valid}; nothing more. A wrong token is
        answered as a number that does not exist."""
        if not isinstance(number, str) or not check.genuine(number, token):
            raise NotFound("certificate_not_found", f"报到证编号 {number} 不存在或二维码无效")
        found = AsCaller(self.registration, self.act_as, CHECKER).verify_certificate(number)
        return {"number": found["certificate_no"], "member_name": found["member_name"],
                "community_name": found["community_name"], "reported_on": found["reported_on"],
                "status": certificates.STATUS_TEXT.get(found["status"], found["status"]), "valid": found["valid"]}

    # --- operations -------------------------------------------------------------------------

    @http("GET", "/metrics")
    def metrics_endpoint(self, request):
        return self.metrics.response()

    @http("GET", "/health")
    def health(self, request):
        with self.db.unit_of_work() as uow:
            uow.conn.execute(text("SELECT 1"))
        return 200, "ok"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fmt(fmt, allowed=("pdf", "docx")):
    if fmt not in allowed:
        raise invalid("fmt", "bad_format", "-", f"格式应为 {' 或 '.join(allowed)}")
    return fmt


def _file(name, data, content_type="application/pdf", personal=False):
    """A file as an RPC answer; `personal`: it shows phones or addresses (the gateway records the
    reading, as it does for JSON answers)."""
    return {"name": name, "content_type": content_type, "bytes": len(data), "personal": personal,
            "sha256": hashlib.sha256(data).hexdigest(), "base64": base64.b64encode(data).decode()}


def _nothing(field, rule, message):
    """A well-formed request for a year or half year that has nothing to print yet: the state of
    the records, not the request, is what stops it (409, as the document says)."""
    return Conflict(fields=invalid(field, "nothing_to_print", rule, message).fields)
