"""Routes of the scoring service (评星 · 激励): points, merit entries and corrections, settlement,
boards, honour list, candidates, assessment, register D.1, the supermarket, and the rules
themselves (their versions, S7)."""
from marshmallow import fields, validate

from contracts import scoring as sc
from contracts.access import CITY_ADMIN, CITY_AREA, COMMUNITY_STAFF
from contracts.errors import NotFound
from contracts.rules import broken

from .. import pictures
from .common import Route, V1, _Strict, _me, _without


MeritBody = _without(sc.MeritRequest, "community_code")


class PeriodQuery(_Strict):
    period = fields.String(required=True, validate=validate.Regexp(r"^20\d\dH[12]$", error=broken(
        "bad_period", "§3.5.4", "半年度应写作如 2026H1（上半年）或 2026H2（下半年）")))


class BoardQuery(_Strict):
    kind = fields.String(load_default="member", validate=validate.OneOf(("member", "unit"), error=broken(
        "bad_kind", "§3.5.6", "榜单类别应为 member（党员）或 unit（党组织）")))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500, error=broken(
        "bad_limit", "", "名次数应为 1–500")))


class PictureQuery(_Strict):
    kind = BoardQuery._declared_fields["kind"]


class CandidatesQuery(PeriodQuery):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 200, error=broken(
        "bad_limit", "", "人数应为 1–200")))


class PeriodBody(_Strict):
    period = PeriodQuery._declared_fields["period"]


GoodsBody = _without(sc.GoodsRequest, "community_code")


# --- scoring (评星) -----------------------------------------------------------------------------

def my_points(call):
    return call.scoring.member_points(_me(call), call.query["period"])


def member_points(call, community_code, member_id):
    return call.scoring.community_member_points(community_code, member_id, call.query["period"])


def record_merit(call, community_code):
    return call.scoring.record_merit({**call.body, "community_code": community_code})


def correct_entry(call, community_code, entry_id):
    return call.scoring.correct(community_code, entry_id, call.body)


def draft_settlement(call, community_code, period):
    return call.scoring.draft_settlement(community_code, period)


def get_settlement(call, community_code, period):
    return call.scoring.get_settlement(community_code, period)


def review_settlement(call, community_code, period):
    return call.scoring.review_settlement(community_code, period, call.body)


def publish_settlement(call, community_code, period):
    return call.scoring.publish_settlement(community_code, period)


def revise_settlement(call, community_code, period):
    return call.scoring.revise_settlement(community_code, period, call.body)


def settlement_run(level):
    def handler(call, code=None):
        return call.scoring.start_settlement(code or CITY_AREA, call.body["period"])
    handler.__name__ = f"{level}_settlement_run"
    return handler


def settlement_run_status(level):
    def handler(call, run_id, code=None):
        return call.scoring.settlement_run(run_id, code or CITY_AREA)
    handler.__name__ = f"{level}_settlement_run_status"
    return handler


def board(call, area_code, period):
    return call.scoring.board(area_code, period, call.query["kind"], call.query["limit"])


def board_picture(call, area_code, period):
    return pictures.board(call.scoring.board(area_code, period, call.query["kind"], 20))


def honour_list(call, area_code, period):
    return call.scoring.honour_list(area_code, period)


def public_board(call, area_code, period):
    call.gateway.public_throttle.hit(call.client_ip)   # no login: a script must not rank the city in a loop
    call.as_public_reader()
    return call.scoring.public_board(area_code, period, call.query["kind"])


def public_honour_list(call, area_code, period):
    call.gateway.public_throttle.hit(call.client_ip)
    call.as_public_reader()
    return call.scoring.public_honour_list(area_code, period)


def honour_certificate(call, community_code, member_id, period):
    return pictures.certificate(call.scoring.honour_certificate(community_code, member_id, period))


def award_candidates(call, code):
    return call.scoring.award_candidates(code, call.query["period"], call.query["limit"])


def assessment(level):
    def handler(call, code):
        return call.scoring.assessment(code, call.query["period"])
    handler.__name__ = f"{level}_assessment"
    return handler


def register_d1(call, community_code, member_id):
    """Register D.1 whole: the points from scoring, who the member is from registration, the posts
    from volunteering (the phone masked for roles that do not need it, by the gateway as always)."""
    d1 = call.scoring.register_d1(community_code, member_id, call.query["period"])
    return _d1_header(d1, _profile(call, member_id, community_code),
                      call.volunteering.member_posts(member_id, community_code))


def my_register_d1(call):
    d1 = call.scoring.my_register_d1(_me(call), call.query["period"])
    posts = [p for p in call.volunteering.member_posts(_me(call)) if p["community_code"] == d1["community_code"]]
    return _d1_header(d1, _profile(call, _me(call)), posts)


def _profile(call, member_id, community_code=None):
    """The personal part of D.1; None (the points still shown) if registration has no accepted report."""
    try:
        return call.registration.member_profile(member_id, community_code)
    except NotFound:
        return None


def _d1_header(d1, profile, posts):
    return {**d1, "profile": profile, "claimed_posts": posts}


def add_goods(call, community_code):
    return call.scoring.add_goods({**call.body, "community_code": community_code})


def update_goods(call, community_code, goods_id):
    return call.scoring.update_goods(community_code, goods_id, call.body)


def catalog(call, community_code):
    return call.scoring.catalog(community_code)


def community_redemptions(call, community_code):
    return call.scoring.redemptions(community_code)


class DeskRedemptionBody(sc.RedemptionRequest):
    member_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


def redeem_for(call, community_code):
    body = dict(call.body)
    return call.scoring.redeem_for(community_code, body.pop("member_id"), body)


def cancel_redemption(call, community_code, redemption_id):
    return call.scoring.cancel_redemption(community_code, redemption_id, call.body)


def my_supermarket(call):
    return call.scoring.my_catalog(_me(call))


def redeem(call):
    return call.scoring.redeem(_me(call), call.body)


def my_redemptions(call):
    return call.scoring.my_redemptions(_me(call))


def rule_versions(call):
    return call.scoring.rule_versions()


def publish_rules(call):
    return call.scoring.publish_rules(call.body)



ROUTES = [
    Route("GET", f"{V1}/me/points", my_points, "本人半年度积分、星级与积分明细（§3.5）", "member", tag="评星",
          query=PeriodQuery),
    Route("GET", f"{V1}/communities/<community_code>/members/<int:member_id>/points", member_points,
          "党员在本社区的半年度积分、星级与明细（§3.5）", "community", tag="评星", query=PeriodQuery),
    Route("POST", f"{V1}/communities/<community_code>/merit-entries", record_merit,
          "一事一记：记录党员突出事迹加分（§3.5.3）", "community", tag="评星", body=MeritBody, status=201,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/ledger/<int:entry_id>/corrections", correct_entry,
          "更正积分：新增一条冲正记录并注明理由（原记录不改）", "community", tag="评星", body=sc.CorrectionRequest,
          status=201, roles=(COMMUNITY_STAFF,)),
    # settlement (§3.5.4–5): draft, the members' congress reviews, publication, revisions
    Route("POST", f"{V1}/communities/<community_code>/settlements/<period>/draft", draft_settlement,
          "生成（或重新生成）社区半年度积分评星清算草稿（§3.5.4）", "community", tag="评星", roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/settlements/<period>", get_settlement,
          "社区半年度清算：当前版本的党员与党组织积分、星级，以及各修订版（§3.5.4–5）", "community", tag="评星"),
    Route("POST", f"{V1}/communities/<community_code>/settlements/<period>/review", review_settlement,
          "登记党员群众代表大会对清算草稿的审议（§3.5.5）", "community", tag="评星", body=sc.ReviewRequest,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/settlements/<period>/publication", publish_settlement,
          "公布已审议的清算结果：上先锋榜，并向各单位反馈（§3.5.5–6，§5.3.1）", "community", tag="评星",
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/settlements/<period>/revisions", revise_settlement,
          "已公布的半年度需更正时发起修订（写明理由，重新审议、公布）", "community", tag="评星", body=sc.RevisionRequest,
          status=201, roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/city/settlement-runs", settlement_run("city"), "全市各社区半年度清算草稿（逐社区并行生成）",
          "city", tag="评星", body=PeriodBody, status=202),
    Route("POST", f"{V1}/districts/<code>/settlement-runs", settlement_run("district"),
          "县（区）内各社区半年度清算草稿（逐社区并行生成）", "district", tag="评星", body=PeriodBody, status=202),
    Route("POST", f"{V1}/streets/<code>/settlement-runs", settlement_run("street"),
          "街道内各社区半年度清算草稿（逐社区并行生成）", "street", tag="评星", body=PeriodBody, status=202),
    Route("GET", f"{V1}/city/settlement-runs/<int:run_id>", settlement_run_status("city"), "清算任务进度", "city",
          tag="评星"),
    Route("GET", f"{V1}/districts/<code>/settlement-runs/<int:run_id>", settlement_run_status("district"),
          "清算任务进度", "district", tag="评星"),
    Route("GET", f"{V1}/streets/<code>/settlement-runs/<int:run_id>", settlement_run_status("street"),
          "清算任务进度", "street", tag="评星"),
    # what published results show (§3.5.6, §3.6, §5.4)
    Route("GET", f"{V1}/boards/<area_code>/<period>", board,
          "先锋榜：社区、街道、县（区）或全市已公布的党员或党组织积分排名（§3.5.6）", "any", tag="激励", query=BoardQuery),
    Route("GET", f"{V1}/boards/<area_code>/<period>/picture", board_picture, "先锋榜图片（SVG，前 20 名）",
          "any", tag="激励", query=PictureQuery, responses={200: ("image/svg+xml", "先锋榜图片")}),
    Route("GET", f"{V1}/honour-list/<area_code>/<period>", honour_list, "十星级党员志愿者名单（§3.6.2）",
          "any", tag="激励"),
    Route("GET", f"{V1}/public/boards/<area_code>/<period>", public_board,
          "先锋榜（无需登录，供党群服务中心大屏）：已公布半年度的前 50 名：名次、姓名、积分、星级（§3.5.6）", "public",
          tag="激励", query=PictureQuery),
    Route("GET", f"{V1}/public/honour-list/<area_code>/<period>", public_honour_list,
          "十星级党员志愿者名单（无需登录，§3.6.2）", "public", tag="激励"),
    Route("GET", f"{V1}/communities/<community_code>/honour-certificates/<int:member_id>/<period>",
          honour_certificate, "十星级党员志愿者荣誉证书（SVG，§3.6.2）", "any", tag="激励",
          responses={200: ("image/svg+xml", "荣誉证书")}),
    Route("GET", f"{V1}/districts/<code>/award-candidates", award_candidates,
          "评选“最美党员”“荣誉居民”“志愿服务先进集体”的候选名单（§5.4.2，星级优先 §3.6.1）", "district", tag="激励",
          query=CandidatesQuery),
    Route("GET", f"{V1}/districts/<code>/assessment", assessment("district"),
          "社区党建考核：各单位参与、各社区组织志愿服务情况（§5.4.1）", "district", tag="激励", query=PeriodQuery),
    Route("GET", f"{V1}/streets/<code>/assessment", assessment("street"),
          "社区党建考核：各单位参与、各社区组织志愿服务情况（§5.4.1）", "street", tag="激励", query=PeriodQuery),
    Route("GET", f"{V1}/communities/<code>/assessment", assessment("community"),
          "社区党建考核：各单位参与、本社区组织志愿服务情况（§5.4.1）", "community", tag="激励", query=PeriodQuery),
    Route("GET", f"{V1}/communities/<community_code>/members/<int:member_id>/register-d1", register_d1,
          "登记表 D.1：党员半年度服务记录、积分与星级（§3.5.4）", "community", tag="评星", query=PeriodQuery),
    Route("GET", f"{V1}/me/register-d1", my_register_d1, "本人的登记表 D.1（§3.5.4）", "member", tag="评星",
          query=PeriodQuery),
    # the supermarket (§3.6.3)
    Route("POST", f"{V1}/communities/<community_code>/supermarket/goods", add_goods,
          "党员志愿服务超市上架物品或服务（标明所需积分与库存，§3.6.3）", "community", tag="激励", body=GoodsBody,
          status=201, roles=(COMMUNITY_STAFF,)),
    Route("PATCH", f"{V1}/communities/<community_code>/supermarket/goods/<int:goods_id>", update_goods,
          "调整所需积分、库存或上下架", "community", tag="激励", body=sc.GoodsUpdate, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/supermarket/goods", catalog, "超市的物品与服务（含已下架）",
          "community", tag="激励"),
    Route("GET", f"{V1}/communities/<community_code>/supermarket/redemptions", community_redemptions,
          "本社区超市的兑换记录", "community", tag="激励"),
    Route("POST", f"{V1}/communities/<community_code>/supermarket/redemptions", redeem_for,
          "超市柜台为到场党员兑换（规则同党员本人兑换：余额、库存不足则不兑换，§3.6.3）", "community", tag="激励",
          body=DeskRedemptionBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/supermarket/redemptions/<int:redemption_id>/cancellation",
          cancel_redemption, "撤销兑换：积分与库存退回", "community", tag="激励", body=sc.CancellationRequest,
          roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/me/supermarket", my_supermarket, "本人报到社区的志愿服务超市与本人积分余额（§3.6.3）", "member",
          tag="激励"),
    Route("POST", f"{V1}/me/redemptions", redeem, "用积分兑换物品或服务（余额、库存不足则不兑换）", "member", tag="激励",
          body=sc.RedemptionRequest, status=201),
    Route("GET", f"{V1}/me/redemptions", my_redemptions, "本人的兑换记录与积分余额", "member", tag="激励"),
    # the rules as data (S1–S5 as versions, S7)
    Route("GET", f"{V1}/rules", rule_versions,
          "积分评星规则的各个版本（基础分、调整幅度、特殊情况、一事一记、项目满分、每星积分、最高星级）及当前适用的版本",
          "any", tag="评星"),
    Route("POST", f"{V1}/rules", publish_rules,
          "发布新版积分评星规则：自尚未开始的半年度起生效，已清算的半年度仍按原版本（S1–S5）", "city", tag="评星",
          body=sc.RuleVersionRequest, status=201, roles=(CITY_ADMIN,)),
]
