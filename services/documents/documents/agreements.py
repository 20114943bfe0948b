"""Annex C, the co-building agreement (社区党组织党建联建协议书, §3.3.1, §5.2.1): the standard's
wording, which a community may adapt (社区党组织可依据自身发展情况对协议书模板进行修改和补充); its
own wording is kept as versions, the newest used for its next agreements; filled with a co-building
project of volunteering's (the five 联, goals, effects, deadline, services promised)."""
from sqlalchemy import func, insert, select, text

from contracts.errors import Conflict
from toolkit.validation import invalid

from .models import agreement_templates

# the standard's wording (Annex C), as the sections a community may rewrite
STANDARD = {
    "preamble": "为深入贯彻落实党的十九大精神和习近平新时代中国特色社会主义思想，全面推进城市基层党建工作深入开展，"
                "促进区域党组织深入开展党建联建活动，经甲乙双方协商研究，达成如下协议：",
    "guidance": "坚持以习近平新时代中国特色社会主义思想为指导，认真学习贯彻习近平总书记系列重要讲话精神。全面从严治党要求"
                "按照城市基层党建工作部署，以“项目化运作”为载体、以“五联”为抓手，以落实“条块结合、优势互补”为原则，科学整合"
                "双方党建资源，探索完善联建共建机制，实现以联建深化创新、以党建推动发展，促进联建双方统筹协调联动发展。",
    "goals": "通过深入实施党建联建，推动传统社区党建、非公企业党建与公共单位党建深度融合，打破条块分割、封闭运行的传统党建"
             "格局，推动企地双方党建阵地、特长党员、教育培训等各类党建资源的有效整合，逐步实现甲乙双方党组织间的优势互补、"
             "共建共享，促进双方党建工作统筹联动开展，不断强化双方各级党组织的政治功能和服务功能。",
    "organization": "发挥双方职能和资源优势，共同加强企地双方党建工作，强化双方党组织政治和服务功能，加大以“地缘、业缘、"
                    "趣缘”等为纽带组建功能型党组织的探索力度。",
    "members": "建立健全定期报到、公开承诺、双向反馈、积分激励等四项机制。实行党员考核联判，对到社区报到的在职党员的表现"
               "定期考核评定，向其所在党组织反馈，进行全面准确的评价和判定。",
    "activities": "建好用好党建联席会机制，坚持民主集中制原则，围绕扶贫帮困、文化娱乐、知识宣传、治安维稳、志愿服务等共同"
                  "开展各类党建活动。",
    "resources": "整合甲乙双方活动场所、党员人力、优势职能等各类党建资源，严格落实在职党员向社区报到参加活动等做法，组织"
                 "活动场所向辖区内所有党组织和党员开放、建设区域开放性组织活动场所等，发挥好党建网、微信公众号等信息渠道，"
                 "及时发布各类信息，促进党建资源共享共用。",
    "services": "围绕甲乙双方和党员、群众等四方面的不同需求，充分整合辖区各类服务资源，以项目化的方式组织联建单位共同开展"
                "互助、义诊、园艺、文体、帮扶和平安、卫生、文明创建等丰富多彩的服务活动，推动服务资源与服务需求相对接。",
    "requirements": ["双方的联建工作应做到年初有活动计划，全年有活动记录、年终有活动总结。",
                     "双方相互督促，认真执行，坚持相互学习、相互促进的原则，注重活动实效，及时总结各类典型，并加以推广。"],
    "closing": ["本协议未尽事宜，由甲乙双方在联建过程中根据形势发展和实际需要再行协商。", "本协议一式贰份，甲乙双方各执壹份。"],
}
LABELS = {"preamble": "开头", "guidance": "指导思想", "goals": "联建目标", "organization": "组织联建", "members": "党员联管",
          "activities": "活动联搞", "resources": "资源联用", "services": "服务联做", "requirements": "工作要求",
          "closing": "结尾条款"}
FIVE = ("organization", "members", "activities", "resources", "services")


def template(conn, community_code, as_of=None):
    """The wording the community's next agreement takes: its newest version, or the standard's;
    with `as_of`, the one in force then (an agreement printed again keeps the text it was signed
    with)."""
    stmt = select(agreement_templates).where(agreement_templates.c.community_code == community_code)
    if as_of is not None:
        stmt = stmt.where(agreement_templates.c.written_at <= as_of)
    row = conn.execute(stmt.order_by(agreement_templates.c.version.desc()).limit(1)).mappings().first()
    if row is None:
        return {"community_code": community_code, "version": 0, "source": "standard", "sections": STANDARD,
                "labels": LABELS}
    return {"community_code": community_code, "version": row["version"], "source": "community",
            "sections": {**STANDARD, **row["sections"]}, "labels": LABELS, "written_by": row["written_by"],
            "written_at": row["written_at"]}


def check_sections(sections):
    """Every section a known one, texts of 2-2,000 characters, lists of 1-10 such (附录C)."""
    if not isinstance(sections, dict) or not sections:
        raise invalid("sections", "bad_sections", "附录C", "应为要修改的条款，如 {\"goals\": \"……\"}")
    for key, value in sections.items():
        label = LABELS.get(key)
        if label is None:
            raise invalid(f"sections.{key}", "unknown_section", "附录C",
                          f"没有名为 {key} 的条款；可修改：{'、'.join(f'{k}（{v}）' for k, v in LABELS.items())}")
        items = value if isinstance(STANDARD[key], list) else [value]
        if (isinstance(STANDARD[key], list) and not (isinstance(value, list) and 1 <= len(value) <= 10)) or \
                not all(isinstance(t, str) and 2 <= len(t.strip()) <= 2000 for t in items):
            shape = "1–10 条，每条 2–2000 字" if isinstance(STANDARD[key], list) else "2–2000 字"
            raise invalid(f"sections.{key}", "bad_section_text", "附录C", f"“{label}”应为{shape}")
    return {k: ([t.strip() for t in v] if isinstance(v, list) else v.strip()) for k, v in sections.items()}


def write(uow, community_code, sections, by):
    """A new version of the community's wording (the sections it changes; the rest stay the
    standard's); the agreements printed before keep the wording they were printed with."""
    sections = check_sections(sections)
    # one writer per community at a time: two saves at once would take the same version number
    uow.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('agreement-template:' || :c))"),
                     {"c": community_code})
    current = template(uow.conn, community_code)
    if current["source"] == "community" and {**STANDARD, **sections} == current["sections"]:
        raise Conflict("template_unchanged", "与现行版本相同，未保存新版本")
    version = (uow.conn.execute(select(func.max(agreement_templates.c.version)).where(
        agreement_templates.c.community_code == community_code)).scalar() or 0) + 1
    uow.conn.execute(insert(agreement_templates).values(community_code=community_code, version=version,
                                                        sections=sections, written_by=by))
    return template(uow.conn, community_code)


def agreement(wording, project, community_name, unit):
    """The data of forms/c.typ: the wording, with the project's particulars where the standard
    leaves them open (the parties, the five 联 the project covers, goals, effects, deadline, and
    the services promised: count, hours, mode, §5.2.1)."""
    s = wording["sections"]
    links = project.get("links") or {}
    return {
        "party_a": f"{community_name}党组织", "party_b": (unit or {}).get("party_org_name") or (unit or {}).get("unit_name")
        or f"单位 {project['unit_id']}", "party_b_head": (unit or {}).get("contact_officer") or "",
        "preamble": s["preamble"], "guidance": s["guidance"], "goals": s["goals"],
        "links": [{"name": LABELS[k], "text": s[k], "project": links.get(k)} for k in FIVE],
        "project": {"title": project["title"], "goals": project["goals"], "effects": project["expected_effects"],
                    "deadline": str(project["deadline"])[:10], "count": project["service_count"],
                    "hours": _number(project["service_hours"]), "mode": project["service_mode"]},
        "requirements": list(s["requirements"]), "closing": list(s["closing"]),
        "signed_on": str(project.get("created_at") or "")[:10] or None,
        "wording": f"本协议采用{'本社区修订的第 ' + str(wording['version']) + ' 版' if wording['version'] else '标准'}文本",
    }


def _number(value):
    text = f"{float(value)}"
    return text[:-2] if text.endswith(".0") else text
