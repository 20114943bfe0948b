"""Routes of the volunteering service (认岗 · 承诺 · 践诺): posts, claims, teams, studios,
activities, households, commitments, pairings, co-building projects."""
from marshmallow import fields, validate

from contracts import volunteering as vc
from contracts.access import COMMUNITY_STAFF, DISTRICT_OFFICER
from contracts.rules import broken

from ..nodes import missing
from ..paging import PageQuery
from .common import Route, V1, YearPageQuery, YearQuery, _Strict, _me, _without


PostBody = _without(vc.PostRequest, "community_code")
HouseholdBody = _without(vc.HouseholdRequest, "community_code")
CoverageBody = _without(vc.CoverageRequest, "community_code")


OrganizationLifeBody = _without(vc.OrganizationLifeRequest, "community_code")
PairingBody = _without(vc.PairingRequest, "community_code")
StudioBody = _without(vc.StudioRequest, "community_code")
ProjectBody = _without(vc.ProjectRequest, "community_code")


class UnvisitedQuery(PageQuery):
    days = fields.Integer(load_default=30, validate=validate.Range(1, 366, error=broken(
        "bad_days", "§3.4.5", "天数应为 1–366")))
TeamBody = _without(vc.TeamRequest, "community_code")


TeamActivityBody = _without(vc.ActivityRequest, "community_code", "team_id")


class ActivityBody(vc.ActivityRequest):
    """Announcement of an activity (§3.3.2); the community comes from the path."""
    community_code = fields.String(load_default=None)


class ClaimBody(_Strict):
    post_id = fields.Integer(required=True, strict=True)


class SignUpBody(_Strict):
    activity_id = fields.Integer(required=True, strict=True)


class ClaimListQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(["pending", "approved", "rejected", "left"], error=broken(
        "bad_status", "", "状态应为 pending、approved、rejected、left 之一")))



# --- volunteering (认岗 · 承诺 · 践诺) ------------------------------------------------------------

def design_post(call, community_code):
    return call.volunteering.design_post({**call.body, "community_code": community_code})


def list_posts(call, community_code):
    return call.volunteering.list_posts(community_code)


def suggested_members(call, community_code, post_id):
    return call.volunteering.suggest_members(community_code, post_id)


def list_claims(call, community_code):
    return call.volunteering.list_claims(community_code, call.query["status"])


def review_claim(call, community_code, claim_id):
    return call.volunteering.review_claim(community_code, claim_id, call.body)


def form_team(call, community_code):
    return call.volunteering.form_team({**call.body, "community_code": community_code})


def announce_activity(call, community_code):
    body = dict(call.body)
    if body.get("community_code") not in (None, community_code):
        from toolkit.validation import invalid
        raise invalid("community_code", "community_mismatch", "§3.3.2", "请求体中的社区代码与地址中的社区不一致")
    return call.volunteering.announce_activity({**body, "community_code": community_code})


def list_activities(call, community_code):
    return call.volunteering.list_activities(community_code)


def check_in_code(call, community_code, activity_id):
    return call.volunteering.check_in_code(community_code, activity_id)


def activity_participants(call, community_code, activity_id):
    return call.volunteering.activity_participants(community_code, activity_id)


def assess(call, community_code, activity_id):
    return call.volunteering.assess(community_code, activity_id, call.body)


def my_suggested_posts(call):
    return call.volunteering.suggest_posts(_me(call))


def claim_post(call):
    return call.volunteering.claim_post(_me(call), call.body["post_id"])


def sign_up(call):
    return call.volunteering.sign_up(_me(call), call.body["activity_id"])


def check_in(call, activity_id):
    return call.volunteering.check_in(_me(call), activity_id, call.body)


def check_out(call, activity_id):
    return call.volunteering.check_out(_me(call), activity_id, call.body)


def add_household(call, community_code):
    return call.volunteering.add_household({**call.body, "community_code": community_code})


def list_households(call, community_code):
    return call.volunteering.list_households(community_code)


def set_coverage(call, community_code):
    return call.volunteering.set_coverage({**call.body, "community_code": community_code})


def unvisited_households(call, community_code):
    return call.volunteering.unvisited_households(community_code, call.query["days"])


def record_visit(call):
    return call.volunteering.record_visit(_me(call), call.body)


def my_service(call):
    return call.volunteering.my_service(_me(call), call.query["year"])


def commit(call):
    return call.volunteering.commit(_me(call), call.body)


def list_commitments(call, community_code):
    return call.volunteering.list_commitments(community_code, call.query["year"])


def record_organization_life(call, community_code):
    return call.volunteering.record_organization_life({**call.body, "community_code": community_code})


def without_organization_life(call, community_code):
    return call.volunteering.without_organization_life(community_code, call.query["year"])


def pair(call, community_code):
    return call.volunteering.pair({**call.body, "community_code": community_code})


def list_pairings(call, community_code):
    return call.volunteering.list_pairings(community_code)


def open_studio(call, community_code):
    return call.volunteering.open_studio({**call.body, "community_code": community_code})


def community_board(call, community_code):
    return call.volunteering.board(community_code, call.query["year"])


def sign_project(call, community_code):
    return call.volunteering.sign_project({**call.body, "community_code": community_code})


def community_projects(call, community_code):
    return call.volunteering.list_projects({"community_code": community_code})


def unit_projects(call, unit_id):
    return call.volunteering.list_projects({"unit_id": unit_id})


def get_project(call, community_code, project_id):
    return call.volunteering.get_project(community_code, project_id)


def change_project_status(call, community_code, project_id):
    return call.volunteering.change_project_status(community_code, project_id, call.body)


def rate_project(call, community_code, project_id):
    return call.volunteering.rate_project(community_code, project_id, call.body)


def request_late_record(call, activity_id):
    return call.volunteering.request_late_record(_me(call), activity_id, call.body)


def decide_late_record(call, community_code, activity_id, member_id):
    return call.volunteering.decide_late_record(community_code, activity_id, member_id, call.body)


def leave_post(call, claim_id):
    return call.volunteering.leave_post(_me(call), claim_id)


def join_team(call, team_id):
    return call.volunteering.join_team(_me(call), team_id)


def leave_team(call, team_id):
    return call.volunteering.leave_team(_me(call), team_id)


def announce_team_activity(call, team_id):
    return call.volunteering.announce_team_activity(_me(call), team_id, call.body)


def announce_festival_campaign(call, district_code):
    # the communities it names are nodes too: each must exist (the service checks they lie in the district)
    for code in call.data["community_codes"]:
        if not call.gateway.nodes.exists("community", code, call.registration.node_codes):
            raise missing("community", code, field="社区代码（community_codes）：")
    return call.volunteering.announce_festival_campaign(district_code, call.body)



def festivals(call, year):
    return call.volunteering.festivals(year)


ROUTES = [
    # volunteering: posts and claims (§3.2.2), teams (§3.2.3), activities (§3.3.2, §3.4)
    Route("POST", f"{V1}/communities/<community_code>/posts", design_post, "社区按居民需求类别设计志愿服务岗位（§3.2.2）",
          "community", tag="认岗", body=PostBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/posts", list_posts, "社区的志愿服务岗位", "community", tag="认岗",
          sort=("id", "-id", "category", "title")),
    Route("GET", f"{V1}/communities/<community_code>/posts/<int:post_id>/suggested-members", suggested_members,
          "适合该岗位的党员（特长与需求匹配，附理由）", "community", tag="认岗", sort=("member_id", "name")),
    Route("GET", f"{V1}/communities/<community_code>/post-claims", list_claims, "认岗申请（可按状态筛选）",
          "community", tag="认岗", query=ClaimListQuery, sort=("id", "-id", "post_id", "status")),
    Route("POST", f"{V1}/communities/<community_code>/post-claims/<int:claim_id>/review", review_claim,
          "审核认岗申请（§3.2.2）", "community", tag="认岗", body=vc.ClaimReview, roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/teams", form_team,
          "组建服务队：组织领建、专业同建或兴趣联建（§3.2.3）", "community", tag="认岗", body=TeamBody, status=201,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/activities", announce_activity,
          "发布服务活动：内容、时间、地点、联系方式（§3.3.2）；节日集中服务（§3.4.2）", "community", tag="践诺",
          body=ActivityBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/activities", list_activities, "社区的服务活动", "community",
          tag="践诺", sort=("-starts_at", "starts_at", "id")),
    Route("GET", f"{V1}/communities/<community_code>/activities/<int:activity_id>/check-in-code", check_in_code,
          "组织者出示的签到码（每分钟更换）", "community", tag="践诺", roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/activities/<int:activity_id>/participants", activity_participants,
          "活动的报名党员：签到、签退时间与评价结果（评价表逐人填写）", "community", tag="践诺"),
    Route("POST", f"{V1}/communities/<community_code>/activities/<int:activity_id>/assessment", assess,
          "组织者评价每位参与党员的服务质量和成效（按服务所在半年度适用的积分规则，第 1 版为基础分5分、±3分，§3.5.2）", "community", tag="践诺",
          body=vc.AssessmentRequest, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/me/suggested-posts", my_suggested_posts, "推荐给本人的岗位（附理由）", "member", tag="认岗"),
    Route("POST", f"{V1}/me/post-claims", claim_post, "认领本人报到社区的岗位（§3.2.2）", "member", tag="认岗",
          body=ClaimBody, status=201),
    Route("POST", f"{V1}/me/activity-signups", sign_up, "报名参加活动", "member", tag="践诺", body=SignUpBody, status=201),
    Route("POST", f"{V1}/me/activities/<int:activity_id>/check-in", check_in, "凭组织者出示的签到码签到", "member",
          tag="践诺", body=vc.CheckInRequest),
    Route("POST", f"{V1}/me/activities/<int:activity_id>/check-out", check_out, "凭组织者出示的签到码签退", "member",
          tag="践诺", body=vc.CheckInRequest),
    Route("POST", f"{V1}/communities/<community_code>/households", add_household, "登记联系户（§3.4.5）", "community",
          tag="践诺", body=HouseholdBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/households", list_households, "联系户、联系的党员干部与最近走访",
          "community", tag="践诺", sort=("household_id", "head_name", "last_visit")),
    Route("POST", f"{V1}/communities/<community_code>/household-coverage", set_coverage,
          "为党员干部确定联系户：每人 10–15 户（§3.4.5）", "community", tag="践诺", body=CoverageBody,
          roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/households/unvisited", unvisited_households,
          "若干天内未走访的联系户（§3.4.5）", "community", tag="践诺", query=UnvisitedQuery, sort=("household_id", "last_visit")),
    Route("POST", f"{V1}/me/household-visits", record_visit, "登记走访：查民情、讲政策、解难题、办实事（§3.4.5）",
          "member", tag="践诺", body=vc.VisitRequest, status=201),
    Route("GET", f"{V1}/me/service", my_service,
          "本人的服务：年度承诺及践诺进度、本社区服务队、认领的岗位、联系户及最近走访（§3.2、§3.3.3、§3.4.5）", "member",
          tag="践诺", query=YearQuery),
    Route("POST", f"{V1}/me/commitments", commit, "公开本人本年度服务承诺：项目、次数、时长、方式（§3.3.3）", "member",
          tag="承诺", body=vc.CommitmentRequest, status=201),
    Route("GET", f"{V1}/communities/<community_code>/commitments", list_commitments,
          "社区党员的年度服务承诺及践诺进度（§3.3.3）", "community", tag="承诺", query=YearPageQuery,
          sort=("id", "member_id", "progress")),
    Route("POST", f"{V1}/communities/<community_code>/organization-life", record_organization_life,
          "登记在报到社区参加组织生活或主题活动的党员（§4.2）", "community", tag="践诺", body=OrganizationLifeBody,
          status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/organization-life/missing", without_organization_life,
          "本年度尚未在本社区参加组织生活或主题活动的党员（§4.2）", "community", tag="践诺", query=YearPageQuery,
          sort=("member_id", "name")),
    Route("POST", f"{V1}/communities/<community_code>/support-pairings", pair,
          "党员与困难党员群众、残疾人、空巢老人结对帮扶：一对一或多对一（§3.4.4）", "community", tag="践诺",
          body=PairingBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/support-pairings", list_pairings, "社区的结对帮扶（§3.4.4）",
          "community", tag="践诺", sort=("id", "resident_category")),
    Route("POST", f"{V1}/communities/<community_code>/studios", open_studio,
          "以党员名字命名的特长党员工作室：照片、姓名、单位、服务项目、开放时间（§3.2.4、§3.3.4）", "community",
          tag="认岗", body=StudioBody, status=201, roles=(COMMUNITY_STAFF,)),
    # the public board: names, teams and progress only, for every signed-in account
    Route("GET", f"{V1}/communities/<community_code>/board", community_board,
          "社区公示栏：服务队、特长党员工作室、党员承诺及践诺进度、近期活动（仅公开信息）", "any", tag="承诺",
          query=YearQuery),
    Route("POST", f"{V1}/communities/<community_code>/projects", sign_project,
          "签订党建联建项目：目标、预期效果、期限、“五联”、服务次数、时长和方式（§3.3.1、§5.2.1、附录C）", "community",
          tag="承诺", body=ProjectBody, status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/communities/<community_code>/projects", community_projects, "社区的党建联建项目", "community",
          tag="承诺", sort=("id", "deadline", "status")),
    Route("GET", f"{V1}/communities/<community_code>/projects/<int:project_id>", get_project,
          "联建项目及其状态变化与评价", "community", tag="承诺"),
    Route("POST", f"{V1}/communities/<community_code>/projects/<int:project_id>/status", change_project_status,
          "项目进展：实施中、已完成或取消（§3.4.1）", "community", tag="践诺", body=vc.ProjectStatusChange,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/communities/<community_code>/projects/<int:project_id>/ratings", rate_project,
          "社区或服务对象对项目的评价，每项 0 至当期积分规则的最高分（第 1 版为 30 分，§3.5.1）", "community", tag="评星", body=vc.ProjectRating,
          status=201, roles=(COMMUNITY_STAFF,)),
    Route("GET", f"{V1}/units/<int:unit_id>/projects", unit_projects, "本单位的党建联建项目", "unit", tag="承诺",
          sort=("id", "deadline", "status")),
    Route("POST", f"{V1}/me/activities/<int:activity_id>/late-record", request_late_record,
          "事后补录服务记录（须社区审核，审核后注明为补录）", "member", tag="践诺", body=vc.LateRecordRequest, status=201),
    Route("POST", f"{V1}/communities/<community_code>/activities/<int:activity_id>/late-records/<int:member_id>/decision",
          decide_late_record, "审核事后补录的服务记录", "community", tag="践诺", body=vc.LateRecordDecision,
          roles=(COMMUNITY_STAFF,)),
    Route("POST", f"{V1}/me/post-claims/<int:claim_id>/leave", leave_post, "退出已认领的岗位", "member", tag="认岗"),
    Route("POST", f"{V1}/me/teams/<int:team_id>/join", join_team, "加入本人报到社区的服务队（§3.2.3）", "member", tag="认岗"),
    Route("POST", f"{V1}/me/teams/<int:team_id>/leave", leave_team, "退出服务队", "member", tag="认岗"),
    Route("POST", f"{V1}/me/teams/<int:team_id>/activities", announce_team_activity,
          "服务队队长发布本队的服务内容、时间、地点和联系方式（§3.3.2）", "member", tag="承诺", body=TeamActivityBody,
          status=201),
    Route("POST", f"{V1}/districts/<district_code>/festival-campaigns", announce_festival_campaign,
          "县（区）组织七一、端午、重阳、春节集中服务：在所列社区各发布一场活动（§3.4.2）", "district", tag="践诺",
          body=vc.CampaignRequest, status=201, roles=(DISTRICT_OFFICER,)),
    Route("GET", f"{V1}/festivals/<int:year>", festivals, "某年的节日集中服务日期（七一、端午、重阳、春节，农历自动换算）",
          "any", tag="践诺"),
]
