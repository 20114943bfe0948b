"""The administrative tree of Zhengzhou, and synthetic cities of any size built on it.

    python -m registration.city tree                       # Zhengzhou's districts only
    python -m registration.city demo                       # the tree and a small demo city
    python -m registration.city load --streets 10 --communities 20 --units 10 --members 30
    python -m registration.city import-file --members 100000 --out members.csv

Districts, county-level cities and development zones are the real ones with their GB/T 2260
codes. Streets, communities, units and members are generated (faker zh_CN names and phones,
valid identity numbers and credit codes, Zhengzhou addresses), deterministically from a seed.
Loading uses COPY and writes the events a live registration would have written to the outbox,
so subscribers hear of a loaded city as of one registered by hand.
"""
import argparse
import csv
import io
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta

from contracts.registration import EDUCATION, SKILLS, UNIT_TYPES
from contracts.rules import credit_code_check_char, id_number_check_char

# GB/T 2260 codes of Zhengzhou (4101). 郑东新区 is run as a district-level zone but has no code
# of its own in GB/T 2260 (it lies in 金水区 and 管城区): the platform gives it 410190 and marks it.
ZHENGZHOU = [
    ("410102", "中原区", "district", True),
    ("410103", "二七区", "district", True),
    ("410104", "管城回族区", "district", True),
    ("410105", "金水区", "district", True),
    ("410106", "上街区", "district", True),
    ("410108", "惠济区", "district", True),
    ("410122", "中牟县", "county", True),
    ("410171", "郑州经济技术开发区", "development_zone", True),
    ("410172", "郑州高新技术产业开发区", "development_zone", True),
    ("410173", "郑州航空港经济综合实验区", "development_zone", True),
    ("410181", "巩义市", "county_city", True),
    ("410182", "荥阳市", "county_city", True),
    ("410183", "新密市", "county_city", True),
    ("410184", "新郑市", "county_city", True),
    ("410185", "登封市", "county_city", True),
    ("410190", "郑东新区", "development_zone", False),
]

STREET_WORDS = ["济源路", "中心路", "新安路", "工业路", "矿山", "建设路", "桐柏路", "林山寨", "绿东村", "秦岭路",
                "嵩山路", "淮河路", "京广路", "铭功路", "福华街", "大学路", "文化路", "丰产路", "东风路", "花园路",
                "经八路", "南阳路", "杜岭", "未来路", "如意湖", "龙子湖", "博学路", "商都路", "祭城路", "北林路"]
COMMUNITY_WORDS = ["和平", "幸福", "朝阳", "锦绣", "康宁", "育才", "振兴", "安泰", "民主", "光明", "翠竹", "春华",
                   "盛世", "金桥", "广场", "铁路", "电厂", "铝城", "长兴", "银河", "兴华", "宏图", "书香", "颐和"]
INTENTIONS = ["政策宣讲", "环境整治", "义务护绿", "调解纠纷", "法律援助", "医疗保健", "科普宣传", "治安巡逻",
              "关爱老人", "助学辅导", "文艺演出", "便民维修", "心理疏导", "垃圾分类", "文明劝导", "扶贫帮困"]
UNIT_SUFFIX = {"government": ["区人社局", "区住建局", "区司法局", "区文旅局", "区税务局"],
               "public_institution": ["人民医院", "第一中学", "实验小学", "图书馆", "疾控中心"],
               "research_institute": ["铝业研究院", "农业科学研究所", "勘察设计院", "环境科学研究所"],
               "private_enterprise": ["科技有限公司", "实业有限公司", "物流有限公司", "建材有限公司"],
               "social_organization": ["志愿者协会", "慈善总会", "社会工作服务中心", "义工联合会"]}
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass
class City:
    districts: list = field(default_factory=list)
    streets: list = field(default_factory=list)
    communities: list = field(default_factory=list)
    units: list = field(default_factory=list)
    members: list = field(default_factory=list)


def id_number(rng, district_code, born, male):
    seq = rng.randrange(0, 50) * 2 + (1 if male else 0)
    body = f"{district_code}{born:%Y%m%d}{rng.randrange(0, 10)}{seq:02d}"
    return body + id_number_check_char(body)


def credit_code(rng, district_code, kind):
    head = {"government": "11", "public_institution": "12", "research_institute": "12",
            "private_enterprise": "91", "social_organization": "51"}[kind]
    body = head + district_code + "".join(rng.choice(_USCC) for _ in range(9))
    return body + credit_code_check_char(body)


def mobile(rng):
    return rng.choice(["13", "15", "17", "18", "19"]) + "".join(str(rng.randrange(10)) for _ in range(9))


def generate(districts=("410106", "410105"), streets=2, communities=3, units=3, members=5, seed=2026,
             year=None, reported_share=0.7):
    """A synthetic city over real districts. Members carry `status` for the current year:
    accepted, submitted or None (not reported)."""
    from faker import Faker
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    year = year or date.today().year
    city = City()
    names = {code: name for code, name, _, _ in ZHENGZHOU}
    city.districts = [{"code": c, "name": n, "kind": k, "official_code": o} for c, n, k, o in ZHENGZHOU]
    used_id_numbers = set()
    for dcode in districts:
        dname = names[dcode]
        for si in range(1, streets + 1):
            scode = f"{dcode}{si:03d}"
            sname = STREET_WORDS[(si - 1 + int(dcode[-2:])) % len(STREET_WORDS)] + "街道"
            if si > len(STREET_WORDS):
                sname = f"{sname[:-2]}{si}街道"
            city.streets.append({"code": scode, "district_code": dcode, "name": sname})
            for ci in range(1, communities + 1):
                ccode = f"{scode}{ci:03d}"
                cname = COMMUNITY_WORDS[(ci - 1) % len(COMMUNITY_WORDS)] + ("社区" if ci <= len(COMMUNITY_WORDS) else f"{ci}社区")
                city.communities.append({"code": ccode, "street_code": scode, "district_code": dcode,
                                         "name": cname, "service_center_phone": f"0371-6{rng.randrange(1000000, 9999999)}"})
                for ui in range(units):
                    kind = list(UNIT_TYPES)[(ui + ci) % len(UNIT_TYPES)]
                    prefix = dname if kind == "government" else fake.company_prefix() if kind == "private_enterprise" else dname[:-1]
                    uname = prefix + rng.choice(UNIT_SUFFIX[kind])
                    unit = {"id": len(city.units) + 1, "credit_code": credit_code(rng, dcode, kind),
                            "name": uname, "type": kind, "party_org_name": f"中共{uname}支部委员会",
                            "address": f"郑州市{dname}{sname[:-2]}{rng.randrange(1, 300)}号",
                            "community_code": ccode, "street_code": scode, "district_code": dcode,
                            "contact_officer": fake.name(), "contact_phone": mobile(rng),
                            "resources": rng.sample(["会议室", "义诊", "法律咨询", "车辆", "志愿者", "培训场地", "图书"], 2)}
                    city.units.append(unit)
                    for _ in range(members):
                        male = rng.random() < 0.55
                        born = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 38))
                        number = id_number(rng, dcode, born, male)
                        while number in used_id_numbers:
                            number = id_number(rng, dcode, born, male)
                        used_id_numbers.add(number)
                        joined = born + timedelta(days=365 * rng.randrange(19, 35) + rng.randrange(0, 300))
                        joined = min(joined, date.today() - timedelta(days=30))
                        skills = rng.sample(SKILLS[:-1], rng.randrange(0, 4))
                        home = rng.choice(city.communities)  # residence: any community generated so far
                        roll = rng.random()
                        city.members.append({
                            "id": len(city.members) + 1, "id_number": number,
                            "name": fake.name_male() if male else fake.name_female(),
                            "gender": "male" if male else "female", "birth_date": born,
                            "party_join_date": joined, "education": rng.choice(EDUCATION[:5]),
                            "unit_id": unit["id"], "position": rng.choice(["科员", "主任", "教师", "医生", "工程师", "会计", "副科长"]),
                            "phone": mobile(rng),
                            "home_address": f"郑州市{dname}{fake.street_name()}{rng.randrange(1, 200)}号院{rng.randrange(1, 20)}号楼",
                            "community_code": home["code"] if rng.random() < 0.7 else ccode,
                            "community_choice": "residence" if rng.random() < 0.7 else "work",
                            "skills": skills, "other_skill": None,
                            "service_intentions": rng.sample(INTENTIONS, rng.randrange(2, 4)),
                            "status": None if roll > reported_share else ("accepted" if roll < reported_share * 0.8 else "submitted"),
                        })
    return city


# --- loading -------------------------------------------------------------------------------

def load(engine, city, year=None, progress=None, with_tree=True):
    """Write a city into the registration schema with COPY, its events into the outbox."""
    from sqlalchemy import text as sql
    from toolkit.config import now
    from toolkit.events import envelope
    from toolkit.bulk import copy_rows
    from toolkit.outbox import copy_events
    from . import domain

    year = year or now().year
    at = now()
    late = domain.is_late(at, year)
    step = progress or (lambda label: None)
    with engine.begin() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        if with_tree:
            cur.execute("INSERT INTO registration.districts (code, name, kind, official_code) SELECT * FROM "
                        "unnest(%s::text[], %s::text[], %s::text[], %s::bool[]) ON CONFLICT DO NOTHING",
                        ([d["code"] for d in city.districts], [d["name"] for d in city.districts],
                         [d["kind"] for d in city.districts], [d["official_code"] for d in city.districts]))
        copy_rows(cur, "registration.streets", ("code", "district_code", "name"),
                   ((s["code"], s["district_code"], s["name"]) for s in city.streets))
        copy_rows(cur, "registration.communities", ("code", "street_code", "district_code", "name", "service_center_phone"),
                   ((c["code"], c["street_code"], c["district_code"], c["name"], c["service_center_phone"]) for c in city.communities))
        step("tree")
        base_unit = conn.execute(sql("SELECT coalesce(max(id), 0) FROM registration.units")).scalar()
        base_member = conn.execute(sql("SELECT coalesce(max(id), 0) FROM registration.members")).scalar()
        base_reg = conn.execute(sql("SELECT coalesce(max(id), 0) FROM registration.member_registrations")).scalar()
        base_ureg = conn.execute(sql("SELECT coalesce(max(id), 0) FROM registration.unit_registrations")).scalar()
        events = []
        copy_rows(cur, "registration.units",
                   ("id", "credit_code", "name", "type", "party_org_name", "address", "community_code", "street_code", "district_code"),
                   ((base_unit + u["id"], u["credit_code"], u["name"], u["type"], u["party_org_name"], u["address"],
                     u["community_code"], u["street_code"], u["district_code"]) for u in city.units))
        copy_rows(cur, "registration.unit_registrations",
                   ("id", "unit_id", "year", "community_code", "street_code", "district_code", "contact_officer", "contact_phone", "resources"),
                   ((base_ureg + i, base_unit + u["id"], year, u["community_code"], u["street_code"], u["district_code"],
                     u["contact_officer"], u["contact_phone"], u["resources"]) for i, u in enumerate(city.units, 1)))
        copy_rows(cur, "registration.co_building_pairs", ("id", "unit_registration_id", "unit_id", "community_code", "year"),
                   ((base_ureg + i, base_ureg + i, base_unit + u["id"], u["community_code"], year) for i, u in enumerate(city.units, 1)))
        copy_rows(cur, "registration.red_accounts", ("account_no", "holder_kind", "holder_id", "community_code"),
                   ((domain.red_account_no("unit", base_unit + u["id"]), "unit", base_unit + u["id"], u["community_code"]) for u in city.units))
        for i, u in enumerate(city.units, 1):
            scope = domain.scope_of_community(u["community_code"])
            uid = base_unit + u["id"]
            events.append(envelope("red_account_opened", scope, {"account_no": domain.red_account_no("unit", uid),
                                                                 "holder_kind": "unit", "holder_id": uid}))
            events.append(envelope("unit_registered", scope, {
                "unit_registration_id": base_ureg + i, "co_building_pair_id": base_ureg + i, "unit_id": uid,
                "unit_name": u["name"], "unit_type": u["type"], "year": year, "resources": u["resources"]}))
        step("units")
        copy_rows(cur, "registration.members",
                   ("id", "id_number", "name", "gender", "birth_date", "party_join_date", "education", "unit_id", "position", "phone", "home_address"),
                   ((base_member + m["id"], m["id_number"], m["name"], m["gender"], m["birth_date"], m["party_join_date"],
                     m["education"], base_unit + m["unit_id"], m["position"], m["phone"], m["home_address"]) for m in city.members))
        step("members")
        reported = [m for m in city.members if m["status"]]
        seqs = {}
        reg_rows, accounts = [], []
        for i, m in enumerate(reported, 1):
            code = m["community_code"]
            seqs[code] = seqs.get(code, 0) + 1
            cert = domain.certificate_no(year, code, seqs[code])
            m["certificate_no"], m["registration_id"] = cert, base_reg + i
            mid, uid = base_member + m["id"], base_unit + m["unit_id"]
            scope = domain.scope_of_community(code)
            accepted = m["status"] == "accepted"
            account = domain.red_account_no("member", mid) if accepted else None
            reg_rows.append((base_reg + i, cert, mid, year, m["status"], late, "generator", code, scope["street_code"],
                             scope["district_code"], m["community_choice"], uid, m["name"], m["gender"], m["birth_date"],
                             m["education"], m["party_join_date"], m["position"], m["phone"], m["home_address"],
                             m["skills"], None, m["service_intentions"], at.isoformat(),
                             "approve" if accepted else None, "单位书记" if accepted else None,
                             at.date() if accepted else None, "社区工作人员" if accepted else None,
                             "0371-60000000" if accepted else None, at.isoformat() if accepted else None, account))
            events.append(envelope("member_reported", scope, {
                "registration_id": base_reg + i, "certificate_no": cert, "member_id": mid, "unit_id": uid,
                "year": year, "late": late, "community_choice": m["community_choice"], "skills": m["skills"],
                "service_intentions": m["service_intentions"], "source": "generator", "member_name": m["name"]}))
            if accepted:
                accounts.append((account, "member", mid, code))
                events.append(envelope("red_account_opened", scope, {"account_no": account, "holder_kind": "member", "holder_id": mid}))
                events.append(envelope("member_registration_accepted", scope, {
                    "registration_id": base_reg + i, "certificate_no": cert, "member_id": mid, "unit_id": uid,
                    "year": year, "red_account_no": account, "accepted_by": "社区工作人员", "member_name": m["name"],
                    "skills": m["skills"], "service_intentions": m["service_intentions"]}))
        copy_rows(cur, "registration.member_registrations",
                   ("id", "certificate_no", "member_id", "year", "status", "late", "source", "community_code", "street_code",
                    "district_code", "community_choice", "unit_id", "name", "gender", "birth_date", "education",
                    "party_join_date", "position", "phone", "home_address", "skills", "other_skill", "service_intentions",
                    "reported_at", "unit_decision", "unit_officer", "unit_opinion_date", "accepted_by", "accepted_by_phone",
                    "accepted_at", "red_account_no"), reg_rows)
        copy_rows(cur, "registration.red_accounts", ("account_no", "holder_kind", "holder_id", "community_code"), accounts)
        cur.execute("""INSERT INTO registration.certificate_counters (community_code, year, last_seq)
                       SELECT * FROM unnest(%s::text[], %s::int[], %s::int[])
                       ON CONFLICT (community_code, year) DO UPDATE
                       SET last_seq = registration.certificate_counters.last_seq + EXCLUDED.last_seq""",
                    (list(seqs), [year] * len(seqs), list(seqs.values())))
        step("registrations")
        copy_events(cur, "registration", events)
        for table in ("units", "members", "member_registrations", "unit_registrations", "co_building_pairs", "red_accounts"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('registration.{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM registration.{table}))")
        step("events")
    return {"districts": len(city.districts), "streets": len(city.streets), "communities": len(city.communities),
            "units": len(city.units), "members": len(city.members), "registrations": len(reported),
            "events": len(events)}


def import_file_rows(city, unit_id=None):
    """Members of a generated city as rows of an import file, headed in the words of form B.1."""
    from contracts.registration import COMMUNITY_CHOICES, GENDERS, IMPORT_COLUMNS
    headings = list(IMPORT_COLUMNS)
    yield headings
    for m in city.members:
        values = {"name": m["name"], "gender": GENDERS[m["gender"]], "birth_date": m["birth_date"].isoformat(),
                  "id_number": m["id_number"], "education": m["education"],
                  "party_join_date": m["party_join_date"].isoformat(), "position": m["position"],
                  "phone": m["phone"], "home_address": m["home_address"], "community_code": m["community_code"],
                  "community_choice": COMMUNITY_CHOICES[m["community_choice"]], "skills": "、".join(m["skills"]),
                  "other_skill": "", "service_intentions": "、".join(m["service_intentions"])}
        yield [values[IMPORT_COLUMNS[h]] for h in headings]


def import_csv(community_code, members=2, seed=7):
    """A small import file (CSV, UTF-8 bytes) of generated members reporting to one community."""
    city = generate(districts=(community_code[:6],), streets=1, communities=1, units=1, members=members, seed=seed)
    for m in city.members:
        m["community_code"] = community_code
    out = io.StringIO()
    csv.writer(out).writerows(import_file_rows(city))
    return out.getvalue().encode("utf-8")


def write_csv(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def demo_nodes(engine):
    """The first community of the first street of the first district, another community in
    another district, a unit sitting in the first community and a member of that unit who
    reported there: the nodes the demo accounts (gateway.cli demo) are bound to."""
    from sqlalchemy import text as sql
    with engine.connect() as conn:
        first = conn.execute(sql("""
            SELECT c.code AS community_code, c.name AS community_name, s.code AS street_code, s.name AS street_name,
                   d.code AS district_code, d.name AS district_name
            FROM registration.communities c JOIN registration.streets s ON s.code = c.street_code
            JOIN registration.districts d ON d.code = s.district_code
            WHERE EXISTS (SELECT 1 FROM registration.units u WHERE u.community_code = c.code)
            ORDER BY c.code LIMIT 1""")).mappings().first()
        if first is None:
            raise SystemExit("no city loaded: python -m registration.city demo")
        other = conn.execute(sql("""
            SELECT code, name FROM registration.communities WHERE district_code <> :d ORDER BY code LIMIT 1"""),
            {"d": first["district_code"]}).mappings().first()
        member = conn.execute(sql("""
            SELECT u.id AS unit_id, u.name AS unit_name, m.id AS member_id, m.name AS member_name
            FROM registration.units u JOIN registration.members m ON m.unit_id = u.id
            JOIN registration.member_registrations r ON r.member_id = m.id AND r.community_code = u.community_code
            WHERE u.community_code = :c ORDER BY r.status = 'accepted' DESC, u.id, m.id LIMIT 1"""),
            {"c": first["community_code"]}).mappings().first()
    if other is None or member is None:
        raise SystemExit("the loaded city has no second district or no registered member")
    return {**first, "other_community_code": other["code"], "other_community_name": other["name"], **member}


def main(argv=None):
    from tqdm import tqdm
    from toolkit.db import make_engine
    from toolkit.config import database_url

    parser = argparse.ArgumentParser(prog="python -m registration.city", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("tree", help="load Zhengzhou's districts")
    sub.add_parser("demo", help="load the small demo city (2 districts)")
    sub.add_parser("demo-nodes", help="print, as JSON, the demo city's nodes the demo accounts are bound to")
    p = sub.add_parser("load", help="load a synthetic city of the given size")
    p.add_argument("--districts", default="410106,410105")
    p.add_argument("--streets", type=int, default=10)
    p.add_argument("--communities", type=int, default=10)
    p.add_argument("--units", type=int, default=5)
    p.add_argument("--members", type=int, default=20, help="members per unit")
    p.add_argument("--seed", type=int, default=2026)
    f = sub.add_parser("import-file", help="write an import file (CSV) of generated members")
    f.add_argument("--members", type=int, default=1000)
    f.add_argument("--community", default="410106001001")
    f.add_argument("--seed", type=int, default=7)
    f.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    if args.cmd == "import-file":
        city = generate(districts=(args.community[:6],), streets=1, communities=1, units=1,
                        members=args.members, seed=args.seed)
        for m in city.members:
            m["community_code"] = args.community
        write_csv(import_file_rows(city), args.out)
        print(f"wrote {len(city.members)} members to {args.out}")
        return
    engine = make_engine(database_url("registration"))
    if args.cmd == "demo-nodes":
        print(json.dumps(demo_nodes(engine), ensure_ascii=False, indent=1))
        return
    if args.cmd == "demo":
        from sqlalchemy import text as sql
        with engine.connect() as conn:
            if conn.execute(sql("SELECT count(*) FROM registration.streets")).scalar():
                print("the demo city is already loaded")
                return
    if args.cmd == "tree":
        city = City(districts=[{"code": c, "name": n, "kind": k, "official_code": o} for c, n, k, o in ZHENGZHOU])
    elif args.cmd == "demo":
        city = generate()
    else:
        city = generate(districts=tuple(args.districts.split(",")), streets=args.streets,
                        communities=args.communities, units=args.units, members=args.members, seed=args.seed)
    steps = ["tree", "units", "members", "registrations", "events"]
    with tqdm(total=len(steps), desc="loading city", unit="step", file=sys.stderr) as bar:
        counts = load(engine, city, progress=lambda label: (bar.set_postfix_str(label), bar.update(1)))
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()


def sample_report(community_code, unit_id, seed=None, **overrides):
    """A valid certificate B.1 request (for tests, benchmarks and the README's walkthrough).
    Each seed gives another member (another identity number)."""
    rng = random.Random(seed)
    male = rng.random() < 0.5
    born = date(1970, 1, 1) + timedelta(days=rng.randrange(0, 365 * 30))
    report = {
        "community_code": community_code, "community_choice": "residence",
        "name": rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军"]),
        "gender": "male" if male else "female", "birth_date": born.isoformat(),
        "id_number": id_number(rng, community_code[:6], born, male), "education": "大学本科",
        "party_join_date": (born + timedelta(days=365 * 25)).isoformat(), "unit_id": unit_id,
        "position": "科员", "phone": mobile(rng), "home_address": "郑州市上街区济源路12号院3号楼",
        "skills": ["写作", "法律"], "other_skill": None, "service_intentions": ["政策宣讲", "法律援助"],
    }
    report.update(overrides)
    return report
