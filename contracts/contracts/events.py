"""Events: facts that happened, published on nameko's per-service topic exchanges.

A service's events go to the exchange `<service>.events` (topic, durable) with the event name as
routing key and the payload as a JSON body, so a nameko `@event_handler("registration",
"member_reported")` and a plain AMQP consumer both read them. Every payload has the envelope
fields below: `event_id` (for idempotent consumers), `occurred_at` (ISO 8601 with the
Asia/Shanghai offset) and the district/street/community codes it concerns.
"""
from marshmallow import Schema, fields, INCLUDE

REGISTRATION = "registration"
VOLUNTEERING = "volunteering"
SCORING = "scoring"
FEEDBACK = "feedback"
DOCUMENTS = "documents"


class Envelope(Schema):
    class Meta:
        unknown = INCLUDE  # consumers accept fields added later; producers never remove any

    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    district_code = fields.String(required=True)
    street_code = fields.String(required=True, allow_none=True)
    community_code = fields.String(required=True, allow_none=True)


class UnitRegistered(Envelope):
    """A unit reported to its community for a year; a co-building pair exists (§3.1.1, §3.2.1)."""
    unit_registration_id = fields.Integer(required=True)
    co_building_pair_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    unit_type = fields.String(required=True)
    year = fields.Integer(required=True)
    resources = fields.List(fields.String(), required=True)


class InvitationSent(Envelope):
    """A street committee sent an invitation letter to a unit (§4.3.1)."""
    invitation_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    credit_code = fields.String(required=True)
    year = fields.Integer(required=True)


class MemberReported(Envelope):
    """A member handed in certificate B.1 (§3.1.2); it waits for the unit's opinion."""
    registration_id = fields.Integer(required=True)
    certificate_no = fields.String(required=True)
    member_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    late = fields.Boolean(required=True)
    community_choice = fields.String(required=True)
    skills = fields.List(fields.String(), required=True)
    service_intentions = fields.List(fields.String(), required=True)
    source = fields.String(required=True)  # "form" or "import:<job id>"
    member_name = fields.String(load_default=None)  # added for the volunteering service's lists


class UnitOpinionGiven(Envelope):
    registration_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    decision = fields.String(required=True)  # approve | reject
    officer = fields.String(required=True)
    opinion_date = fields.Date(required=True)


class MemberRegistrationAccepted(Envelope):
    """The community accepted the report; receipt B.2 exists (§3.1.3)."""
    registration_id = fields.Integer(required=True)
    certificate_no = fields.String(required=True)
    member_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    red_account_no = fields.String(required=True)
    accepted_by = fields.String(required=True)
    # added: what a consumer needs to know an active member (volunteering: posts, teams, boards)
    member_name = fields.String(load_default=None)
    skills = fields.List(fields.String(), load_default=list)
    service_intentions = fields.List(fields.String(), load_default=list)


class RedAccountOpened(Envelope):
    """A red account was opened for a reporting unit or member (R9, §4.3.2)."""
    account_no = fields.String(required=True)
    holder_kind = fields.String(required=True)  # member | unit
    holder_id = fields.Integer(required=True)


class MemberTransferred(Envelope):
    """A member's unit, address or community changed (R7, §4.2); the scope is the old community."""
    transfer_id = fields.Integer(required=True)
    registration_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    new_community_code = fields.String(allow_none=True, required=True)
    deadline = fields.Date(required=True)


class MemberDetailsChanged(Envelope):
    """The community applied a change of a member's position, phone or service intentions that the
    unit or the member reported (B2, §5.3.2); the phone itself is not in the event."""
    member_id = fields.Integer(required=True)
    registration_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    fields_changed = fields.List(fields.String(), required=True)
    service_intentions = fields.List(fields.String(), load_default=None, allow_none=True)


class MemberImportFinished(Envelope):
    """A bulk import ended: `succeeded` with every row written, or `failed` with none."""
    job_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    status = fields.String(required=True)
    rows = fields.Integer(required=True)


# --- volunteering (认岗 · 承诺 · 践诺) -------------------------------------------------------------

class PostDesigned(Envelope):
    """A community designed a volunteer post by category of residents' needs (§3.2.2)."""
    post_id = fields.Integer(required=True)
    category = fields.String(required=True)
    title = fields.String(required=True)
    capacity = fields.Integer(required=True)
    skills = fields.List(fields.String(), required=True)


class PostClaimed(Envelope):
    """A member claimed a post; it waits for the community's review (§3.2.2)."""
    claim_id = fields.Integer(required=True)
    post_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)


class PostClaimReviewed(Envelope):
    claim_id = fields.Integer(required=True)
    post_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    decision = fields.String(required=True)  # approve | reject
    reviewed_by = fields.String(required=True)


class TeamFormed(Envelope):
    """A service team formed by org_led, profession or interest (§3.2.3)."""
    team_id = fields.Integer(required=True)
    name = fields.String(required=True)
    formation = fields.String(required=True)
    post_id = fields.Integer(required=True, allow_none=True)
    leader_member_id = fields.Integer(required=True)
    member_ids = fields.List(fields.Integer(), required=True)


class ActivityAnnounced(Envelope):
    """Content, time, place and contact published before serving (§3.3.2)."""
    activity_id = fields.Integer(required=True)
    kind = fields.String(required=True)               # regular | festival
    festival = fields.String(required=True, allow_none=True)
    title = fields.String(required=True)
    content = fields.String(required=True)
    place = fields.String(required=True)
    contact = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    capacity = fields.Integer(required=True)
    team_id = fields.Integer(required=True, allow_none=True)
    post_id = fields.Integer(required=True, allow_none=True)
    organizer = fields.String(required=True)


class CommitmentPublished(Envelope):
    """A member's commitment for the year, made public (§3.3.3, §5.2.2)."""
    commitment_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    items = fields.List(fields.String(), required=True)
    services = fields.Integer(required=True)
    hours = fields.Float(required=True)
    mode = fields.String(required=True)


class SupportPaired(Envelope):
    """Members paired with a vulnerable resident, one to one or many to one (§3.4.4)."""
    pairing_id = fields.Integer(required=True)
    resident_category = fields.String(required=True)
    mode = fields.String(required=True)
    member_ids = fields.List(fields.Integer(), required=True)


class StudioOpened(Envelope):
    """A specialist member studio named after one member (§3.2.4, §3.3.4)."""
    studio_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    name = fields.String(required=True)
    photo_url = fields.String(required=True, allow_none=True)
    unit_name = fields.String(required=True)
    service_items = fields.List(fields.String(), required=True)
    opening_hours = fields.String(required=True)


class ProjectSigned(Envelope):
    """A co-building project between a unit and the community (§3.3.1, §5.2.1, Annex C)."""
    project_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    title = fields.String(required=True)
    deadline = fields.Date(required=True)
    links = fields.List(fields.String(), required=True)     # which of the five 联 it covers
    service_count = fields.Integer(required=True)
    service_hours = fields.Float(required=True)
    service_mode = fields.String(required=True)


class ProjectStatusChanged(Envelope):
    project_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    status = fields.String(required=True)       # in_progress | completed | cancelled
    changed_by = fields.String(required=True)


class ProjectRated(Envelope):
    """A rating of a project, 0..30, by the community or by the people served (§3.5.1)."""
    rating_id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    rater = fields.String(required=True)        # community | residents
    score = fields.Integer(required=True)
    rated_by = fields.String(required=True)
    recorded_by = fields.String(required=True)


class ServiceCompleted(Envelope):
    """A member served in an activity and the organizer assessed it (§3.5.2): one per participant,
    with all the scoring service needs. `points` is 5 + adjustment (2..8), or the special case's
    override (0..10) with its reason."""
    activity_id = fields.Integer(required=True)
    activity_kind = fields.String(required=True)
    festival = fields.String(required=True, allow_none=True)
    member_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    served_from = fields.AwareDateTime(required=True)
    served_until = fields.AwareDateTime(required=True)
    hours = fields.Float(required=True)
    base_points = fields.Integer(required=True)
    adjustment = fields.Integer(required=True)
    override_points = fields.Integer(required=True, allow_none=True)
    override_reason = fields.String(required=True, allow_none=True)
    points = fields.Integer(required=True)
    approved_by = fields.String(required=True)
    assessed_at = fields.AwareDateTime(required=True)
    # a service recorded after the fact counts only once staff approved it, and says so
    recorded_after_the_fact = fields.Boolean(load_default=False)
    record_approved_by = fields.String(load_default=None, allow_none=True)


class SettlementRequested(Envelope):
    """Scoring's own work message: draft one community of a settlement run (rule 7); any scoring
    process takes it. Not for other services."""
    run_id = fields.Integer(required=True)
    period = fields.String(required=True)
    requested_by = fields.String(required=True)
    rule_version = fields.Integer(required=True)   # the run fixes the rules and the entries counted
    ledger_upto = fields.Integer(required=True)


class SettlementPublished(Envelope):
    """A community's half year was reviewed by the members' congress and published (§3.5.5); a
    revision (revision > 1, with its reason) supersedes the one before."""
    settlement_id = fields.Integer(required=True)
    period = fields.String(required=True)
    revision = fields.Integer(required=True)
    rule_version = fields.Integer(required=True)
    reason = fields.String(required=True, allow_none=True)
    members = fields.Integer(required=True)
    organizations = fields.Integer(required=True)
    ten_star_members = fields.Integer(required=True)
    # the published lines themselves, so that a subscriber (the feedback service's notices to
    # units, §5.3.1) needs no question back: every member with a red account or entries here, as
    # columns (line i is member_id[i], name[i]...: a city's publication is a third of the bytes it
    # would be as one object per member, and every byte crosses the broker)
    member_lines = fields.Nested(lambda: MemberLines(), load_default=None, allow_none=True)
    unit_results = fields.List(fields.Nested(lambda: UnitResult()), load_default=list)


class MemberLines(Schema):
    member_id = fields.List(fields.Integer(), required=True)
    name = fields.List(fields.String(allow_none=True), required=True)
    unit_id = fields.List(fields.Integer(allow_none=True), required=True)
    points = fields.List(fields.Float(), required=True)
    stars = fields.List(fields.Integer(), required=True)


class UnitResult(Schema):
    unit_id = fields.Integer(required=True)
    name = fields.String(required=True, allow_none=True)
    points = fields.Decimal(required=True, as_string=True)
    stars = fields.Integer(required=True)


class PublishedPoints(Schema):
    member_id = fields.Integer(required=True)
    name = fields.String(required=True, allow_none=True)
    points = fields.Decimal(required=True, as_string=True)
    stars = fields.Integer(required=True)


class OrganizationPoints(Schema):
    points = fields.Decimal(required=True, as_string=True)
    stars = fields.Integer(required=True)


class UnitPointsPublished(Envelope):
    """The feedback fact for one unit (B1, §5.3.1): its members' points and stars in a community's
    published half year, and the unit's own; one event per unit and publication."""
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True, allow_none=True)
    period = fields.String(required=True)
    revision = fields.Integer(required=True)
    settlement_id = fields.Integer(required=True)
    members = fields.List(fields.Nested(PublishedPoints), required=True)
    organization = fields.Nested(OrganizationPoints, required=True, allow_none=True)


class PointsRedeemed(Envelope):
    """A member spent points at the community's supermarket (I3, §3.6.3)."""
    redemption_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    goods_id = fields.Integer(required=True)
    goods_name = fields.String(required=True)
    quantity = fields.Integer(required=True)
    points = fields.Integer(required=True)


class RedemptionCancelled(Envelope):
    """A redemption was cancelled: its points and stock went back."""
    redemption_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    points = fields.Integer(required=True)
    reason = fields.String(required=True)


class RuleVersionPublished(Envelope):
    """The city administrator published a version of the scoring rules: every number of S1–S5, in
    force from `effective_from`, a half year that had not started (S7). Half years before it keep
    the version they are settled under. City-wide: the envelope's district_code is the city's
    code (contracts.access.CITY_AREA), street and community are null."""
    rule_version = fields.Integer(required=True)
    effective_from = fields.String(required=True)   # 2027H1
    base_points = fields.Integer(required=True)      # S2, §3.5.2
    max_adjustment = fields.Integer(required=True)
    override_min = fields.Integer(required=True)
    override_max = fields.Integer(required=True)
    merit_min = fields.Integer(required=True)        # S3, §3.5.3
    merit_max = fields.Integer(required=True)
    max_project_score = fields.Integer(required=True)  # S1, §3.5.1
    points_per_star = fields.Integer(required=True)  # S5, §3.5.5
    max_stars = fields.Integer(required=True)
    published_by = fields.String(required=True)
    reason = fields.String(required=True)


# --- feedback (双向反馈, §5.3) ----------------------------------------------------------------

class NoticeStep(Envelope):
    """A unit's feedback notice (Annex E with its rows of Annex F) moved a step: released by the
    district's organization department, read or acknowledged by the unit (B1, §5.3.1, §5.3.3).
    The envelope's district is the releasing one; street and community are null."""
    notice_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True, allow_none=True)
    period = fields.String(required=True)
    revision = fields.Integer(required=True)
    rows = fields.Integer(required=True)
    by = fields.String(required=True)
    changes = fields.List(fields.Dict(), load_default=list)  # a revised notice: what changed


class CommentsWritten(Envelope):
    """A community wrote (or rewrote) 社区评语 of members of its published half year (§5.3.3)."""
    period = fields.String(required=True)
    member_ids = fields.List(fields.Integer(), required=True)
    by = fields.String(required=True)


class ObjectionStep(Envelope):
    """An objection (Annex G, §5.3.4–§5.3.5) raised, assigned, investigated or decided."""
    objection_id = fields.Integer(required=True)
    target = fields.String(required=True)           # entry | missing_service | result
    period = fields.String(required=True)
    member_id = fields.Integer(required=True, allow_none=True)
    unit_id = fields.Integer(required=True, allow_none=True)
    entry_id = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True)           # submitted | investigating | investigated | upheld | rejected
    by = fields.String(required=True)
    department = fields.String(load_default=None, allow_none=True)
    decision_reason = fields.String(load_default=None, allow_none=True)
    compensating_entry_id = fields.Integer(load_default=None, allow_none=True)
    points = fields.Integer(load_default=None, allow_none=True)
    settlement_revision = fields.Integer(load_default=None, allow_none=True)


class DetailChangeStep(Envelope):
    """A change of a member's position, phone or service items reported to the community, and
    its application or refusal (B2, §5.3.2)."""
    change_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True, allow_none=True)
    fields_changed = fields.List(fields.String(), required=True)
    status = fields.String(required=True)           # pending | applied | declined
    by = fields.String(required=True)


class OpinionStep(Envelope):
    """A unit asked a community's opinion on a member before an evaluation, or got it (§4.1)."""
    opinion_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    member_id = fields.Integer(required=True)
    status = fields.String(required=True)           # requested | answered
    by = fields.String(required=True)



class DocumentPartRequested(Envelope):
    """A part of a documents job (one community's forms: its certificates B.1, its registers D.1;
    or a group of a district's units: their notices E with tables F) waits for a documents process:
    the service's own work queue, on its exchange like any event."""
    job_id = fields.Integer(required=True)
    part = fields.Integer(required=True)
    kind = fields.String(required=True)             # certificates | registers | tables


class DocumentJobFinished(Envelope):
    """A documents job (a batch of forms) is done and its file can be downloaded, or it failed."""
    job_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)           # done | failed
    file_name = fields.String(required=True, allow_none=True)
    sha256 = fields.String(required=True, allow_none=True)

SCHEMAS = {
    (REGISTRATION, "unit_registered"): UnitRegistered,
    (REGISTRATION, "invitation_sent"): InvitationSent,
    (REGISTRATION, "member_reported"): MemberReported,
    (REGISTRATION, "unit_opinion_given"): UnitOpinionGiven,
    (REGISTRATION, "member_registration_accepted"): MemberRegistrationAccepted,
    (REGISTRATION, "red_account_opened"): RedAccountOpened,
    (REGISTRATION, "member_transferred"): MemberTransferred,
    (REGISTRATION, "member_import_finished"): MemberImportFinished,
    (REGISTRATION, "member_details_changed"): MemberDetailsChanged,
    (VOLUNTEERING, "post_designed"): PostDesigned,
    (VOLUNTEERING, "post_claimed"): PostClaimed,
    (VOLUNTEERING, "post_claim_reviewed"): PostClaimReviewed,
    (VOLUNTEERING, "team_formed"): TeamFormed,
    (VOLUNTEERING, "activity_announced"): ActivityAnnounced,
    (VOLUNTEERING, "commitment_published"): CommitmentPublished,
    (VOLUNTEERING, "support_paired"): SupportPaired,
    (VOLUNTEERING, "studio_opened"): StudioOpened,
    (VOLUNTEERING, "project_signed"): ProjectSigned,
    (VOLUNTEERING, "project_status_changed"): ProjectStatusChanged,
    (VOLUNTEERING, "project_rated"): ProjectRated,
    (VOLUNTEERING, "service_completed"): ServiceCompleted,
    (SCORING, "settlement_requested"): SettlementRequested,
    (SCORING, "settlement_published"): SettlementPublished,
    (SCORING, "unit_points_published"): UnitPointsPublished,
    (SCORING, "points_redeemed"): PointsRedeemed,
    (SCORING, "redemption_cancelled"): RedemptionCancelled,
    (SCORING, "rule_version_published"): RuleVersionPublished,
    (FEEDBACK, "comments_written"): CommentsWritten,
    (FEEDBACK, "notice_released"): NoticeStep,
    (FEEDBACK, "notice_read"): NoticeStep,
    (FEEDBACK, "notice_acknowledged"): NoticeStep,
    (FEEDBACK, "objection_raised"): ObjectionStep,
    (FEEDBACK, "objection_assigned"): ObjectionStep,
    (FEEDBACK, "objection_investigated"): ObjectionStep,
    (FEEDBACK, "objection_decided"): ObjectionStep,
    (FEEDBACK, "detail_change_reported"): DetailChangeStep,
    (FEEDBACK, "detail_change_decided"): DetailChangeStep,
    (FEEDBACK, "opinion_requested"): OpinionStep,
    (FEEDBACK, "opinion_given"): OpinionStep,
    (DOCUMENTS, "document_part_requested"): DocumentPartRequested,
    (DOCUMENTS, "document_job_finished"): DocumentJobFinished,
}

_SCOPE = {"district_code": "410106", "street_code": "410106001", "community_code": "410106001001"}


def _example(event_type, **payload):
    return {"event_id": "9b2f7c1e-3c55-4d1a-9a52-0c1f3e6c8a10", "event_type": event_type,
            "occurred_at": "2026-03-02T09:30:00+08:00", **_SCOPE, **payload}


EXAMPLES = {
    (REGISTRATION, "unit_registered"): _example(
        "unit_registered", unit_registration_id=7, co_building_pair_id=7, unit_id=3,
        unit_name="上街区人民医院", unit_type="public_institution", year=2026,
        resources=["义诊", "健康讲座"]),
    (REGISTRATION, "invitation_sent"): _example(
        "invitation_sent", invitation_id=2, unit_name="郑州市某科技有限公司",
        credit_code="91410106MA44XXXX0A", year=2026),
    (REGISTRATION, "member_reported"): _example(
        "member_reported", registration_id=41, certificate_no="2026-410106001001-000041-5",
        member_id=40, unit_id=3, year=2026, late=False, community_choice="residence",
        skills=["医疗保健", "心理辅导"], service_intentions=["义诊", "健康宣教"], source="form", member_name="刘芳"),
    (REGISTRATION, "unit_opinion_given"): _example(
        "unit_opinion_given", registration_id=41, member_id=40, unit_id=3, decision="approve",
        officer="王书记", opinion_date="2026-03-03"),
    (REGISTRATION, "member_registration_accepted"): _example(
        "member_registration_accepted", registration_id=41,
        certificate_no="2026-410106001001-000041-5", member_id=40, unit_id=3, year=2026,
        red_account_no="RA-M-00000040", accepted_by="李娜", member_name="刘芳", skills=["医疗保健", "心理辅导"],
        service_intentions=["义诊", "健康宣教"]),
    (REGISTRATION, "red_account_opened"): _example(
        "red_account_opened", account_no="RA-M-00000040", holder_kind="member", holder_id=40),
    (REGISTRATION, "member_transferred"): _example(
        "member_transferred", transfer_id=5, registration_id=41, member_id=40,
        reason="address_changed", new_community_code="410106002003", deadline="2026-05-02"),
    (REGISTRATION, "member_import_finished"): _example(
        "member_import_finished", job_id=9, unit_id=3, status="succeeded", rows=250),
    (VOLUNTEERING, "post_designed"): _example(
        "post_designed", post_id=4, category="助老服务", title="独居老人周末探访", capacity=10, skills=["医疗保健"]),
    (VOLUNTEERING, "post_claimed"): _example("post_claimed", claim_id=11, post_id=4, member_id=40, unit_id=3),
    (VOLUNTEERING, "post_claim_reviewed"): _example(
        "post_claim_reviewed", claim_id=11, post_id=4, member_id=40, decision="approve", reviewed_by="staff01"),
    (VOLUNTEERING, "team_formed"): _example(
        "team_formed", team_id=2, name="银龄关爱服务队", formation="profession", post_id=4, leader_member_id=40,
        member_ids=[40, 41, 42]),
    (VOLUNTEERING, "activity_announced"): _example(
        "activity_announced", activity_id=9, kind="festival", festival="chongyang", title="重阳敬老义诊",
        content="为辖区老人测血压、讲健康知识", place="社区党群服务中心", contact="李娜 0371-68901234",
        starts_at="2026-10-18T09:00:00+08:00", ends_at="2026-10-18T11:30:00+08:00", capacity=30, team_id=2,
        post_id=4, organizer="staff01"),
    (VOLUNTEERING, "commitment_published"): _example(
        "commitment_published", commitment_id=3, member_id=40, unit_id=3, year=2026, items=["义诊", "健康讲座"],
        services=12, hours=36.0, mode="每月一次，线下"),
    (VOLUNTEERING, "support_paired"): _example(
        "support_paired", pairing_id=6, resident_category="空巢老人", mode="many_to_one", member_ids=[40, 41]),
    (VOLUNTEERING, "studio_opened"): _example(
        "studio_opened", studio_id=1, member_id=40, name="刘芳健康工作室", photo_url=None, unit_name="上街区人民医院",
        service_items=["健康咨询", "慢病管理"], opening_hours="每周六 9:00–11:00"),
    (VOLUNTEERING, "project_signed"): _example(
        "project_signed", project_id=5, unit_id=3, title="健康进社区", deadline="2026-12-31",
        links=["activities", "services"], service_count=12, service_hours=48.0, service_mode="每月一次义诊"),
    (VOLUNTEERING, "project_status_changed"): _example(
        "project_status_changed", project_id=5, unit_id=3, status="in_progress", changed_by="staff01"),
    (VOLUNTEERING, "project_rated"): _example(
        "project_rated", rating_id=8, project_id=5, unit_id=3, rater="residents", score=27, rated_by="居民代表王某",
        recorded_by="staff01"),
    (VOLUNTEERING, "service_completed"): _example(
        "service_completed", activity_id=9, activity_kind="festival", festival="chongyang", member_id=40, unit_id=3,
        served_from="2026-10-18T08:55:00+08:00", served_until="2026-10-18T11:35:00+08:00", hours=2.67,
        base_points=5, adjustment=2, override_points=None, override_reason=None, points=7, approved_by="staff01",
        assessed_at="2026-10-18T12:00:00+08:00", recorded_after_the_fact=False, record_approved_by=None),
    (SCORING, "settlement_requested"): _example("settlement_requested", run_id=3, period="2026H1",
                                                requested_by="district01", rule_version=1, ledger_upto=5999870),
    (SCORING, "settlement_published"): _example(
        "settlement_published", settlement_id=12, period="2026H1", revision=1, rule_version=1, reason=None,
        members=148, organizations=6, ten_star_members=3,
        member_lines={"member_id": [40, 41], "name": ["刘芳", "张伟"], "unit_id": [3, None], "points": [105.0, 9.0],
                      "stars": [10, 0]},
        unit_results=[{"unit_id": 3, "name": "上街区人民医院", "points": "27.5", "stars": 2}]),
    (SCORING, "unit_points_published"): _example(
        "unit_points_published", unit_id=3, unit_name="上街区人民医院", period="2026H1", revision=1, settlement_id=12,
        members=[{"member_id": 40, "name": "刘芳", "points": "105.0", "stars": 10},
                 {"member_id": 41, "name": "张伟", "points": "9.0", "stars": 0}],
        organization={"points": "27.5", "stars": 2}),
    (SCORING, "points_redeemed"): _example(
        "points_redeemed", redemption_id=5, member_id=40, goods_id=2, goods_name="理发服务券", quantity=1, points=20),
    (SCORING, "redemption_cancelled"): _example(
        "redemption_cancelled", redemption_id=5, member_id=40, points=20, reason="党员未到场领取"),
    (SCORING, "rule_version_published"): _example(
        "rule_version_published", district_code="4101", street_code=None, community_code=None, rule_version=2,
        effective_from="2027H1", base_points=6, max_adjustment=3, override_min=0, override_max=10, merit_min=1,
        merit_max=20, max_project_score=30, points_per_star=12, max_stars=10, published_by="admin",
        reason="按市委组织部通知，自2027年上半年起调整基础分和每星所需积分"),
}

_NOTICE = dict(notice_id=7, unit_id=3, unit_name="上街区人民医院", period="2026H1", revision=1, rows=12, changes=[],
               district_code="410106", street_code=None, community_code=None)
_OBJECTION = dict(objection_id=4, target="entry", period="2026H1", member_id=40, unit_id=3, entry_id=1201)
EXAMPLES.update({
    (REGISTRATION, "member_details_changed"): _example(
        "member_details_changed", member_id=40, registration_id=77, unit_id=3, fields_changed=["phone", "position"],
        service_intentions=None),
    (FEEDBACK, "comments_written"): _example("comments_written", period="2026H1", member_ids=[40, 41], by="staff01"),
    (FEEDBACK, "notice_released"): _example("notice_released", **{**_NOTICE, "by": "district01"}),
    (FEEDBACK, "notice_read"): _example("notice_read", **{**_NOTICE, "by": "unit03"}),
    (FEEDBACK, "notice_acknowledged"): _example("notice_acknowledged", **{**_NOTICE, "by": "unit03"}),
    (FEEDBACK, "objection_raised"): _example("objection_raised", **_OBJECTION, status="submitted", by="member40"),
    (FEEDBACK, "objection_assigned"): _example("objection_assigned", **_OBJECTION, status="investigating",
                                               by="staff01", department="社区党委组织委员"),
    (FEEDBACK, "objection_investigated"): _example("objection_investigated", **_OBJECTION, status="investigated",
                                                   by="staff02", department="社区党委组织委员"),
    (FEEDBACK, "objection_decided"): _example(
        "objection_decided", **_OBJECTION, status="upheld", by="staff01", department="社区党委组织委员",
        decision_reason="经核实，当日服务时长记录有误", compensating_entry_id=1388, points=3, settlement_revision=2),
    (FEEDBACK, "detail_change_reported"): _example(
        "detail_change_reported", change_id=2, member_id=40, unit_id=3, fields_changed=["phone"], status="pending",
        by="unit03"),
    (FEEDBACK, "detail_change_decided"): _example(
        "detail_change_decided", change_id=2, member_id=40, unit_id=3, fields_changed=["phone"], status="applied",
        by="staff01"),
    (FEEDBACK, "opinion_requested"): _example("opinion_requested", opinion_id=5, unit_id=3, member_id=40,
                                              status="requested", by="unit03"),
    (FEEDBACK, "opinion_given"): _example("opinion_given", opinion_id=5, unit_id=3, member_id=40, status="answered",
                                          by="staff01"),
    (DOCUMENTS, "document_part_requested"): _example("document_part_requested", job_id=12, part=1,
                                                     kind="certificates"),
    (DOCUMENTS, "document_job_finished"): _example(
        "document_job_finished", job_id=12, kind="certificates", status="done",
        file_name="certificates-410106001001-2026.pdf",
        sha256="5f1c0e8b9a7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c"),
})


def validate_event(service, event_type, payload):
    """Errors of `payload` against the published schema ({} when it conforms)."""
    return SCHEMAS[(service, event_type)]().validate(payload)
