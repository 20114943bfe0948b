"""VolunteeringService: posts, teams and activities over nameko RPC, and the registration
service's events that say who is an active member where. Thin: load, check, call, return.

Every RPC validates its request with the contract schema and checks its caller (guard); every
fact others must hear of leaves through the outbox (exchange volunteering.events)."""
import logging

from toolkit.deadletters import event_handler   # bounded tries, then a dead-letter queue
from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from sqlalchemy import text

from contracts import volunteering as v
from toolkit.caller import CallerOf
from toolkit.db import Database
from toolkit.errors import rpc
from toolkit.inbox import handle_once
from toolkit.logcontext import RequestLog
from toolkit.metrics import Metrics
from toolkit.validation import invalid, load

from . import domain, guard, handlers, mine, rules
from .models import metadata

log = logging.getLogger(__name__)


class VolunteeringService:
    name = "volunteering"

    db = Database(metadata)
    metrics = Metrics()
    request_log = RequestLog()
    caller = CallerOf()
    # where a unit sits, for the project a community signs with it (guard.objects)
    registration = RpcProxy("registration")

    # -- who is an active member where (events of the registration service) ----------------

    @event_handler("registration", "member_reported")
    def on_member_reported(self, event):
        handle_once(self.db, "registration", event, handlers.member_reported)

    @event_handler("registration", "member_registration_accepted")
    def on_member_accepted(self, event):
        handle_once(self.db, "registration", event, handlers.member_accepted)

    @event_handler("registration", "member_transferred")
    def on_member_transferred(self, event):
        handle_once(self.db, "registration", event, handlers.member_transferred)

    # -- the scoring rules in force (S7): a service's points follow its half year's version ----

    @event_handler("scoring", "rule_version_published")
    def on_rule_version_published(self, event):
        handle_once(self.db, "scoring", event, rules.rule_version_published)

    # -- posts and claims (P2, §3.2.2) -------------------------------------------------------

    @rpc
    def design_post(self, request):
        """PostRequest -> the post. Emits post_designed."""
        req = load(v.PostRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.design_post(uow, req, self.caller.username)

    @rpc
    def list_posts(self, community_code):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.list_posts(uow.conn, community_code)

    @rpc
    @guard.objects(post_id="post")
    def claim_post(self, member_id, post_id):
        """A member claims a post of their community. Emits post_claimed."""
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.claim_post(uow, member_id, post_id)

    @rpc
    @guard.objects(claim_id="claim")
    def review_claim(self, community_code, claim_id, request):
        """ClaimReview -> {claim_id, status}. Emits post_claim_reviewed."""
        req = load(v.ClaimReview, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.review_claim(uow, community_code, claim_id, req, self.caller.username)

    @rpc
    def list_claims(self, community_code, status=None):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.list_claims(uow.conn, community_code, status)

    @rpc
    def community_member_posts(self, community_code):
        """{member_id: [approved posts]} of the community (认岗情况 of registers D.1, in batches)."""
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.community_member_posts(uow.conn, community_code)

    @rpc
    @guard.objects(member_id="member")
    def member_posts(self, member_id, community_code=None):
        """A member's approved posts: the member themself, or the officers over the community."""
        if community_code is None:
            guard.member(self.caller, member_id)
        else:
            guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.member_posts(uow.conn, member_id, community_code)

    @rpc
    def suggest_posts(self, member_id):
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.suggest_posts(uow.conn, member_id)

    @rpc
    @guard.objects(post_id="post")
    def suggest_members(self, community_code, post_id):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.suggest_members(uow.conn, community_code, post_id)

    @rpc
    @guard.objects(claim_id="claim")
    def leave_post(self, member_id, claim_id):
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.leave_post(uow, member_id, claim_id)

    # -- teams (P3, §3.2.3) --------------------------------------------------------------------

    @rpc
    @guard.objects(team_id="team")
    def join_team(self, member_id, team_id):
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.join_team(uow, member_id, team_id)

    @rpc
    @guard.objects(team_id="team")
    def leave_team(self, member_id, team_id):
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.leave_team(uow, member_id, team_id)

    @rpc
    @guard.objects(post_id="post", leader_member_id="member", member_ids="member")
    def form_team(self, request):
        """TeamRequest -> the team. Emits team_formed."""
        req = load(v.TeamRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.form_team(uow, req, self.caller.username)

    # -- activities (§3.3.2, §3.4) ---------------------------------------------------------------

    @rpc
    def festivals(self, year):
        guard.signed_in(self.caller)
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise invalid("year", "bad_year", "§3.4.2", "年度应为 2000–2100 之间的整数")
        return [{"festival": k, "name": name, "date": day} for k, (name, day) in domain.festival_dates(year).items()]

    @rpc
    @guard.objects(team_id="team", post_id="post")
    def announce_activity(self, request):
        """ActivityRequest -> the activity. Emits activity_announced."""
        req = load(v.ActivityRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.announce_activity(uow, req, self.caller.username)

    @rpc
    @guard.objects(team_id="team", post_id="post")
    def announce_team_activity(self, member_id, team_id, request):
        """A team's leader announces what the team will do (§3.3.2): ActivityRequest less the
        community and the team, which are the team's."""
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            team = handlers.team_led_by(uow.conn, team_id, member_id)
            req = load(v.ActivityRequest, {**request, "community_code": team["community_code"], "team_id": team_id})
            return handlers.announce_activity(uow, req, self.caller.username)

    @rpc
    def announce_festival_campaign(self, district_code, request):
        """CampaignRequest -> one festival activity in each named community of the district."""
        req = load(v.CampaignRequest, request)
        guard.district_officer(self.caller, district_code)
        with self.db.unit_of_work() as uow:
            return handlers.announce_festival_campaign(uow, district_code, req, self.caller.username)

    @rpc
    def list_activities(self, community_code):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.list_activities(uow.conn, community_code)

    @rpc
    @guard.objects(activity_id="activity")
    def sign_up(self, member_id, activity_id):
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.sign_up(uow, member_id, activity_id)

    @rpc
    @guard.objects(activity_id="activity")
    def check_in_code(self, community_code, activity_id):
        """The code the organizer shows volunteers now (it changes every minute)."""
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.current_code(uow.conn, community_code, activity_id)

    @rpc
    @guard.objects(activity_id="activity")
    def check_in(self, member_id, activity_id, request):
        req = load(v.CheckInRequest, request)
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.check_in(uow, member_id, activity_id, req["code"])

    @rpc
    @guard.objects(activity_id="activity")
    def check_out(self, member_id, activity_id, request):
        req = load(v.CheckInRequest, request)
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.check_out(uow, member_id, activity_id, req["code"])

    @rpc
    @guard.objects(activity_id="activity")
    def request_late_record(self, member_id, activity_id, request):
        """LateRecordRequest: a service recorded after the fact, pending staff approval."""
        req = load(v.LateRecordRequest, request)
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.request_late_record(uow, member_id, activity_id, req)

    @rpc
    @guard.objects(activity_id="activity", member_id="participant")
    def decide_late_record(self, community_code, activity_id, member_id, request):
        req = load(v.LateRecordDecision, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.decide_late_record(uow, community_code, activity_id, member_id, req, self.caller.username)

    @rpc
    @guard.objects(activity_id="activity")
    def activity_participants(self, community_code, activity_id):
        """Who signed up, checked in and out, and what each was given: the assessment form's rows."""
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.participants(uow.conn, community_code, activity_id)

    @rpc
    @guard.objects(activity_id="activity", **{"participants.member_id": "participant"})
    def assess(self, community_code, activity_id, request):
        """AssessmentRequest -> {activity_id, assessed}. Emits service_completed per participant."""
        req = load(v.AssessmentRequest, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.assess(uow, community_code, activity_id, req, self.caller.username)

    # -- household coverage and home visits (F5, §3.4.5) ---------------------------------------

    @rpc
    def add_household(self, request):
        req = load(v.HouseholdRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.add_household(uow, req)

    @rpc
    def list_households(self, community_code):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.list_households(uow.conn, community_code)

    @rpc
    @guard.objects(member_id="member", household_ids="household")
    def set_coverage(self, request):
        """CoverageRequest: the 10 to 15 households a member cadre covers (§3.4.5)."""
        req = load(v.CoverageRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.set_coverage(uow, req, self.caller.username)

    @rpc
    @guard.objects(household_id="household")
    def record_visit(self, member_id, request):
        req = load(v.VisitRequest, request)
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.record_visit(uow, member_id, req)

    @rpc
    def unvisited_households(self, community_code, days):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.unvisited(uow.conn, community_code, days)

    # -- commitments (§3.3.3) and organization life (§4.2) --------------------------------------

    @rpc
    def my_service(self, member_id, year):
        """The member's own commitment, teams, claims and households, in one answer."""
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return mine.my_service(uow.conn, member_id, year)

    @rpc
    def commit(self, member_id, request):
        """CommitmentRequest -> the commitment, published. Emits commitment_published."""
        req = load(v.CommitmentRequest, request)
        guard.member(self.caller, member_id)
        with self.db.unit_of_work() as uow:
            return handlers.commit(uow, member_id, req)

    @rpc
    def list_commitments(self, community_code, year):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.list_commitments(uow.conn, community_code, year)

    @rpc
    @guard.objects(attendee_ids="member")
    def record_organization_life(self, request):
        req = load(v.OrganizationLifeRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.record_organization_life(uow, req, self.caller.username)

    @rpc
    def without_organization_life(self, community_code, year):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.without_organization_life(uow.conn, community_code, year)

    # -- support pairings (§3.4.4), studios (§3.2.4), the public board -------------------------

    @rpc
    @guard.objects(member_ids="member")
    def pair(self, request):
        """PairingRequest -> the pairing. Emits support_paired."""
        req = load(v.PairingRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.pair(uow, req, self.caller.username)

    @rpc
    def list_pairings(self, community_code):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.list_pairings(uow.conn, community_code)

    @rpc
    @guard.objects(member_id="member")
    def open_studio(self, request):
        """StudioRequest -> the studio. Emits studio_opened."""
        req = load(v.StudioRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.open_studio(uow, req)

    @rpc
    def board(self, community_code, year):
        """A community's public board: any signed-in account may read it (public fields only)."""
        guard.signed_in(self.caller)
        with self.db.unit_of_work() as uow:
            return handlers.board(uow.conn, community_code, year)

    # -- co-building projects (§3.3.1, §3.4.1, §3.5.1, Annex C) ---------------------------------

    @rpc
    @guard.objects(unit_id="unit")
    def sign_project(self, request):
        """ProjectRequest -> the project, signed. Emits project_signed."""
        req = load(v.ProjectRequest, request)
        guard.community_staff(self.caller, req["community_code"])
        with self.db.unit_of_work() as uow:
            return handlers.sign_project(uow, req, self.caller.username)

    @rpc
    @guard.objects(project_id="project")
    def change_project_status(self, community_code, project_id, request):
        """ProjectStatusChange: signed -> in_progress -> completed (or cancelled). Emits project_status_changed."""
        req = load(v.ProjectStatusChange, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.change_project_status(uow, community_code, project_id, req, self.caller.username)

    @rpc
    @guard.objects(project_id="project")
    def rate_project(self, community_code, project_id, request):
        """ProjectRating (0..30, by the community or the people served). Emits project_rated."""
        req = load(v.ProjectRating, request)
        guard.community_staff(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.rate_project(uow, community_code, project_id, req, self.caller.username)

    @rpc
    @guard.objects(project_id="project")
    def get_project(self, community_code, project_id):
        guard.area(self.caller, community_code)
        with self.db.unit_of_work() as uow:
            return handlers.project_view(uow.conn, project_id, community_code=community_code)

    @rpc
    def list_projects(self, owner):
        """`owner` is {"community_code": ...} (its staff and the officers above) or {"unit_id": ...}
        (the unit's officer; officers above see those of communities they cover)."""
        owner = {k: v for k, v in (owner or {}).items() if k in ("community_code", "unit_id")}
        if "community_code" in owner:
            guard.area(self.caller, owner["community_code"])
        else:
            guard.unit_or_above(self.caller, owner.get("unit_id"))
        with self.db.unit_of_work() as uow:
            rows = handlers.list_projects(uow.conn, **owner)
        return [r for r in rows if self.caller.covers_area(r["community_code"]) or self.caller.covers_unit(r["unit_id"])]

    # -- operations ---------------------------------------------------------------------------

    @http("GET", "/metrics")
    def metrics_endpoint(self, request):
        return self.metrics.response()

    @http("GET", "/health")
    def health(self, request):
        with self.db.unit_of_work() as uow:
            uow.conn.execute(text("SELECT 1"))
        return 200, "ok"
