"""Routes of the documents service: the standard's forms as files (the certificate B.1, the
receipt B.2, the register D.1), batches as jobs with progress (a community's certificates, a
district's registers), and the public check a certificate's QR code opens (no login)."""
import base64

from marshmallow import fields, validate
from werkzeug.wrappers import Response

from contracts.access import CITY_ADMIN, COMMUNITY_STAFF, DISTRICT_OFFICER, UNIT_OFFICER
from contracts.rules import broken

from toolkit.config import today

from .common import Route, V1, _Strict, _me
from .scoring import PeriodQuery

FORMS = "表单"


class YearBody(_Strict):
    year = fields.Integer(required=True, strict=False, validate=validate.Range(2000, 2100, error=broken(
        "bad_year", "附录B.1", "年度应为四位数字，如 2026")))


class RegistersBody(_Strict):
    period = fields.String(required=True, validate=validate.Regexp(r"^20\d\dH[12]$", error=broken(
        "bad_period", "§3.5.4", "半年度应写作如 2026H1（上半年）或 2026H2（下半年）")))


class TemplateBody(_Strict):
    sections = fields.Dict(required=True, keys=fields.String(), values=fields.Raw())


class YearQuery(_Strict):
    year = fields.Integer(load_default=None, strict=False, validate=validate.Range(2000, 2100, error=broken(
        "bad_year", "-", "年度应为四位数字，如 2026")))


class KindQuery(_Strict):
    kind = fields.String(load_default="member", validate=validate.OneOf(("member", "unit"), error=broken(
        "bad_kind", "§3.5.6", "榜单类别应为 member（党员）或 unit（党组织）")))


class TokenQuery(_Strict):
    t = fields.String(required=True, validate=validate.Length(4, 64, error=broken(
        "bad_token", "附录B.1", "二维码中的校验码不正确")))


def _download(file):
    """A form's file as the browser saves it (its name in Chinese: RFC 5987)."""
    from urllib.parse import quote
    response = Response(base64.b64decode(file["base64"]), mimetype=file["content_type"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(file['name'])}",
        "X-Content-SHA256": file["sha256"], "Cache-Control": "private, no-store"})
    # phones or addresses on it: the gateway records the reading (gateway.service)
    response.personal_data = ("phone", "home_address") if file.get("personal") else ()
    return response


def certificate_pdf(call, community_code, registration_id):
    return _download(call.documents.certificate_pdf(community_code, registration_id))


def receipt_pdf(call, community_code, registration_id):
    return _download(call.documents.receipt_pdf(community_code, registration_id))


def register_d1_pdf(call, community_code, member_id):
    return _download(call.documents.register_d1_pdf(community_code, member_id, call.query["period"]))


def my_certificate_pdf(call):
    return _download(call.documents.my_certificate_pdf(_me(call), call.query["year"]))


def my_register_d1_pdf(call):
    return _download(call.documents.my_register_d1_pdf(_me(call), call.query["period"]))


def agreement_pdf(call, community_code, project_id):
    return _download(call.documents.agreement_pdf(community_code, project_id))


def agreement_docx(call, community_code, project_id):
    return _download(call.documents.agreement_pdf(community_code, project_id, "docx"))


def receipt_docx(call, community_code, registration_id):
    return _download(call.documents.receipt_pdf(community_code, registration_id, "docx"))


def register_d1_docx(call, community_code, member_id):
    return _download(call.documents.register_d1_pdf(community_code, member_id, call.query["period"], "docx"))


def my_register_d1_docx(call):
    return _download(call.documents.my_register_d1_pdf(_me(call), call.query["period"], "docx"))


def export(what):
    def handler(call, community_code):
        return _download(call.documents.export_xlsx(community_code, what, **call.query))
    handler.__name__ = f"{what}_xlsx"
    return handler


def board_xlsx(call, area_code, period):
    return _download(call.documents.board_xlsx(area_code, period, call.query["kind"]))


def notice_pdf(call, unit_id, notice_id):
    return _download(call.documents.notice_file(unit_id, notice_id, "pdf"))


def notice_xlsx(call, unit_id, notice_id):
    return _download(call.documents.notice_file(unit_id, notice_id, "xlsx"))


def notice_docx(call, unit_id, notice_id):
    return _download(call.documents.notice_file(unit_id, notice_id, "docx"))


def objections_docx(call, community_code):
    return _download(call.documents.objections_file(community_code, "docx"))


def objections_pdf(call, community_code):
    return _download(call.documents.objections_file(community_code, "pdf"))


def objections_xlsx(call, community_code):
    return _download(call.documents.objections_file(community_code, "xlsx"))


def org_chart_pdf(call, community_code):
    return _download(call.documents.org_chart(community_code, call.query["year"] or today().year, "pdf"))


def org_chart_svg(call, community_code):
    return _download(call.documents.org_chart(community_code, call.query["year"] or today().year, "svg"))


def agreement_template(call, community_code):
    return call.documents.agreement_template(community_code)


def write_agreement_template(call, community_code):
    return call.documents.write_agreement_template(community_code, call.body["sections"])


def start_certificates(call, community_code):
    return call.documents.start_certificates(community_code, call.body["year"])


def start_registers(call, district_code):
    return call.documents.start_registers(district_code, call.body["period"])


def start_tables(call, district_code):
    return call.documents.start_tables(district_code, call.body["period"])


def community_document_job(call, community_code, document_job_id):
    return call.documents.job(community_code, document_job_id)


def community_document_job_file(call, community_code, document_job_id):
    return _download(call.documents.job_file(community_code, document_job_id))


def district_document_job(call, district_code, document_job_id):
    return call.documents.job(district_code, document_job_id)


def district_document_job_file(call, district_code, document_job_id):
    return _download(call.documents.job_file(district_code, document_job_id))


def check_certificate(call, number):
    call.gateway.check_throttle.hit(call.client_ip)
    return call.documents.check_certificate(number, call.query["t"])


PDF = {200: ("application/pdf", "PDF（字体已嵌入）")}
DOCX = {200: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档（可编辑）")}
XLSX = {200: ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格")}

ROUTES = [
    Route("GET", f"{V1}/communities/<community_code>/member-registrations/<int:registration_id>/certificate.pdf",
          certificate_pdf, "打印报到证 B.1（PDF，含查验二维码，§3.1.2）", "community", tag=FORMS,
          roles=(COMMUNITY_STAFF,), responses=PDF),
    Route("GET", f"{V1}/communities/<community_code>/member-registrations/<int:registration_id>/receipt.pdf",
          receipt_pdf, "打印回执单 B.2（PDF，§3.1.3）", "community", tag=FORMS, responses=PDF),
    Route("GET", f"{V1}/communities/<community_code>/members/<int:member_id>/register-d1.pdf", register_d1_pdf,
          "打印登记表 D.1（PDF，§3.5.4；无权查看个人信息的角色，手机号脱敏）", "community", tag=FORMS,
          query=PeriodQuery, responses=PDF),
    Route("GET", f"{V1}/me/certificate.pdf", my_certificate_pdf, "本人的报到证 B.1（PDF，含查验二维码；不写年度为最新一份）",
          "member", tag=FORMS, query=YearQuery, responses=PDF),
    Route("GET", f"{V1}/me/register-d1.pdf", my_register_d1_pdf, "本人的登记表 D.1（PDF）", "member", tag=FORMS,
          query=PeriodQuery, responses=PDF),
    Route("GET", f"{V1}/communities/<community_code>/projects/<int:project_id>/agreement.pdf", agreement_pdf,
          "打印党建联建协议书（附录C，按本社区现行文本，§3.3.1、§5.2.1）", "community", tag=FORMS, responses=PDF),
    Route("GET", f"{V1}/communities/<community_code>/projects/<int:project_id>/agreement.docx", agreement_docx,
          "党建联建协议书（Word，可编辑后打印）", "community", tag=FORMS, responses=DOCX),
    Route("GET", f"{V1}/communities/<community_code>/member-registrations/<int:registration_id>/receipt.docx",
          receipt_docx, "回执单 B.2（Word）", "community", tag=FORMS, responses=DOCX),
    Route("GET", f"{V1}/communities/<community_code>/members/<int:member_id>/register-d1.docx", register_d1_docx,
          "登记表 D.1（Word）", "community", tag=FORMS, query=PeriodQuery, responses=DOCX),
    Route("GET", f"{V1}/me/register-d1.docx", my_register_d1_docx, "本人的登记表 D.1（Word）", "member", tag=FORMS,
          query=PeriodQuery, responses=DOCX),
    Route("GET", f"{V1}/communities/<community_code>/exports/members.xlsx", export("members"),
          "导出本社区当年报到党员名单（Excel）", "community", tag=FORMS, query=YearQuery, responses=XLSX),
    Route("GET", f"{V1}/communities/<community_code>/exports/unreported.xlsx", export("unreported"),
          "导出去年在本社区报到、今年尚未报到的党员（Excel，R5）", "community", tag=FORMS, query=YearQuery,
          responses=XLSX),
    Route("GET", f"{V1}/communities/<community_code>/exports/transfers.xlsx", export("transfers"),
          "导出转出党员及逾期未报到情况（Excel，R7；无权查看个人信息的角色手机号脱敏）", "community", tag=FORMS,
          responses=XLSX),
    Route("GET", f"{V1}/communities/<community_code>/exports/register-d1-lines.xlsx", export("register_lines"),
          "导出半年度登记表 D.1 的全部服务记录与结果（Excel）", "community", tag=FORMS, query=PeriodQuery,
          responses=XLSX),
    Route("GET", f"{V1}/boards/<area_code>/<period>/board.xlsx", board_xlsx, "先锋榜全部名次（Excel，§3.5.6）", "any",
          tag=FORMS, query=KindQuery, responses=XLSX),
    Route("GET", f"{V1}/units/<int:unit_id>/notices/<int:notice_id>/notice.pdf", notice_pdf,
          "打印反馈通知单 E 与汇总表 F（PDF；单位下载即记为已阅）", "unit", tag=FORMS, roles=(UNIT_OFFICER, CITY_ADMIN),
          responses=PDF),
    Route("GET", f"{V1}/units/<int:unit_id>/notices/<int:notice_id>/table.xlsx", notice_xlsx,
          "汇总表 F（Excel）", "unit", tag=FORMS, roles=(UNIT_OFFICER, CITY_ADMIN), responses=XLSX),
    Route("GET", f"{V1}/units/<int:unit_id>/notices/<int:notice_id>/notice.docx", notice_docx,
          "反馈通知单 E 与汇总表 F（Word，可编辑后打印；单位下载即记为已阅）", "unit", tag=FORMS,
          roles=(UNIT_OFFICER, CITY_ADMIN), responses=DOCX),
    Route("GET", f"{V1}/communities/<community_code>/objections.docx", objections_docx,
          "本社区意见反馈表 G（Word）", "community", tag=FORMS, responses=DOCX),
    Route("GET", f"{V1}/communities/<community_code>/objections.pdf", objections_pdf,
          "打印本社区意见反馈表 G（PDF，§5.3.4）", "community", tag=FORMS, responses=PDF),
    Route("GET", f"{V1}/communities/<community_code>/objections.xlsx", objections_xlsx,
          "本社区意见反馈表 G（Excel）", "community", tag=FORMS, responses=XLSX),
    Route("GET", f"{V1}/communities/<community_code>/org-chart.pdf", org_chart_pdf,
          "党员志愿服务组织运行图（附录A，按本社区的组织结构绘制；PDF）", "community", tag=FORMS, query=YearQuery,
          responses=PDF),
    Route("GET", f"{V1}/communities/<community_code>/org-chart.svg", org_chart_svg,
          "党员志愿服务组织运行图（附录A；SVG，供网页显示）", "community", tag=FORMS, query=YearQuery,
          responses={200: ("image/svg+xml", "SVG")}),
    Route("GET", f"{V1}/communities/<community_code>/agreement-template", agreement_template,
          "本社区协议书文本（现行版本；未修改时为标准文本）", "community", tag=FORMS),
    Route("PUT", f"{V1}/communities/<community_code>/agreement-template", write_agreement_template,
          "修改本社区协议书文本：保存为新版本，用于此后的协议书（§3.3.1）", "community", tag=FORMS,
          body=TemplateBody, roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/documents/certificates", start_certificates,
          "批量打印本社区一年的报到证 B.1：开始任务，返回任务编号（进度见任务状态）", "community", tag=FORMS,
          body=YearBody, status=202, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/documents/jobs/<int:document_job_id>", community_document_job,
          "批量任务的状态与进度（已完成/总数、百分比）", "community", tag=FORMS, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/documents/jobs/<int:document_job_id>/file",
          community_document_job_file, "下载批量任务的结果（一个 PDF）", "community", tag=FORMS,
          roles=(COMMUNITY_STAFF,), responses=PDF),
    Route("POST", f"{V1}/districts/<district_code>/documents/registers", start_registers,
          "批量打印全县（区）各社区半年度的登记表 D.1：每个社区一个 PDF，打包为 ZIP（手机号脱敏）", "district",
          tag=FORMS, body=RegistersBody, status=202, roles=(DISTRICT_OFFICER, CITY_ADMIN)),
    Route("POST", f"{V1}/districts/<district_code>/documents/tables", start_tables,
          "批量打印本县（区）半年度已发布的反馈通知单 E 与汇总表 F（按发出时的内容；每组单位一个 PDF）", "district",
          tag=FORMS, body=RegistersBody, status=202, roles=(DISTRICT_OFFICER, CITY_ADMIN)),
    Route("GET", f"{V1}/districts/<district_code>/documents/jobs/<int:document_job_id>", district_document_job,
          "批量任务的状态与进度", "district", tag=FORMS),
    Route("GET", f"{V1}/districts/<district_code>/documents/jobs/<int:document_job_id>/file",
          district_document_job_file, "下载批量任务的结果（一个 PDF，或 ZIP：每个社区或每组单位一个 PDF）", "district", tag=FORMS,
          responses={200: ("application/zip", "ZIP")}),
    Route("GET", f"{V1}/public/certificates/<number>", check_certificate,
          "报到证真伪查验（扫描二维码，无需登录）：编号、姓名（脱敏）、社区、报到日期、状态", "public", tag=FORMS,
          query=TokenQuery),
]


def check_page(found, unavailable=False, throttled=False):
    """The page a certificate's QR code opens on a phone: genuine or not, and nothing more."""
    from html import escape
    if throttled:
        body = "<h1 class='bad'>查验过于频繁</h1><p>本网络地址的查验次数已达上限，请一分钟后再扫码查验。</p>"
    elif unavailable:
        body = "<h1 class='bad'>暂时无法查验</h1><p>查验服务暂时不可用，请稍后再扫码查验。</p>"
    elif found is None:
        body = "<h1 class='bad'>未查到该报到证</h1><p>编号不存在，或二维码不完整。请向发证社区核实。</p>"
    else:
        rows = (("编号", found["number"]), ("姓名", found["member_name"]), ("报到社区", found["community_name"]),
                ("报到日期", found["reported_on"]), ("状态", found["status"]))
        verdict = "<h1 class='ok'>✔ 报到证真实有效</h1>" if found["valid"] else "<h1 class='bad'>报到证真实，但已失效</h1>"
        body = verdict + "<table>" + "".join(f"<tr><th>{k}</th><td>{escape(str(v))}</td></tr>" for k, v in rows) + "</table>"
    return ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'><title>报到证查验</title>"
            "<style>body{font-family:sans-serif;margin:2em auto;max-width:28em;padding:0 1em;color:#3a2a1a}"
            ".ok{color:#1a7f37}.bad{color:#c0161c}th{text-align:left;padding:.4em 1em .4em 0;color:#666}"
            "td{padding:.4em 0}</style></head><body><p>郑州市在职党员“双报到”平台</p>" + body + "</body></html>")
