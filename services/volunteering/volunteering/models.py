"""SQLAlchemy mappings in the `volunteering` schema."""
from sqlalchemy import (BigInteger, Boolean, CHAR, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer,
                        LargeBinary, MetaData, Numeric, String, Table, Text, UniqueConstraint, text)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from toolkit.tables import inbox_table, outbox_table

SCHEMA = "volunteering"
metadata = MetaData(schema=SCHEMA)
NOW = text("now()")


def _scope():
    return (Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
            Column("community_code", CHAR(12), nullable=False, index=True))


# Members as the registration service announced them (member_reported, then
# member_registration_accepted): who may claim posts and serve in which community this year.
members = Table(
    "members", metadata,
    Column("member_id", BigInteger, primary_key=True),
    Column("name", String(30)),
    Column("unit_id", BigInteger, nullable=False),
    *_scope(),
    Column("year", Integer, nullable=False),
    Column("registration_id", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("false")),  # accepted by the community
    Column("skills", ARRAY(Text), nullable=False, server_default="{}"),
    Column("service_intentions", ARRAY(Text), nullable=False, server_default="{}"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

posts = Table(  # P2, §3.2.2
    "posts", metadata,
    Column("id", BigInteger, primary_key=True),
    *_scope(),
    Column("category", String(20), nullable=False),
    Column("title", String(60), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("capacity", Integer, nullable=False),
    Column("place", String(100), nullable=False),
    Column("schedule", String(100), nullable=False),
    Column("skills", ARRAY(Text), nullable=False, server_default="{}"),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

post_claims = Table(
    "post_claims", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("post_id", BigInteger, ForeignKey("posts.id"), nullable=False),
    Column("member_id", BigInteger, ForeignKey("members.member_id"), nullable=False),
    Column("status", String(10), nullable=False, server_default="pending"),  # pending approved rejected left
    Column("claimed_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("reviewed_by", String(64)),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("note", String(200), nullable=False, server_default=""),
    CheckConstraint("status IN ('pending','approved','rejected','left')", name="claim_status"),
    # one live claim of a post per member
    Index("one_live_claim", "post_id", "member_id", unique=True,
          postgresql_where=text("status IN ('pending','approved')")),
)

teams = Table(  # P3, §3.2.3
    "teams", metadata,
    Column("id", BigInteger, primary_key=True),
    *_scope(),
    Column("name", String(40), nullable=False),
    Column("formation", String(12), nullable=False),
    Column("post_id", BigInteger, ForeignKey("posts.id")),
    Column("leader_member_id", BigInteger, ForeignKey("members.member_id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("formation IN ('org_led','profession','interest')", name="team_formation"),
    UniqueConstraint("community_code", "name", name="team_name_in_community"),
)

team_members = Table(
    "team_members", metadata,
    Column("team_id", BigInteger, ForeignKey("teams.id"), primary_key=True),
    Column("member_id", BigInteger, ForeignKey("members.member_id"), primary_key=True),
    Column("joined_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("left_at", DateTime(timezone=True)),
)

activities = Table(  # C2 §3.3.2, F2 §3.4.2, F3 §3.4.3
    "activities", metadata,
    Column("id", BigInteger, primary_key=True),
    *_scope(),
    Column("kind", String(10), nullable=False),
    Column("festival", String(10)),
    Column("title", String(60), nullable=False),
    Column("content", Text, nullable=False),
    Column("place", String(100), nullable=False),
    Column("contact", String(60), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("team_id", BigInteger, ForeignKey("teams.id")),
    Column("post_id", BigInteger, ForeignKey("posts.id")),
    Column("organizer", String(64), nullable=False),       # the account that announced it
    Column("code_secret", LargeBinary, nullable=False),    # for check-in codes; never leaves the service
    Column("announced_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("kind IN ('regular','festival')", name="activity_kind"),
    CheckConstraint("ends_at > starts_at", name="activity_times"),
)

signups = Table(
    "signups", metadata,
    Column("activity_id", BigInteger, ForeignKey("activities.id"), primary_key=True),
    Column("member_id", BigInteger, ForeignKey("members.member_id"), primary_key=True),
    Column("signed_up_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("checked_in_at", DateTime(timezone=True)),
    Column("checked_out_at", DateTime(timezone=True)),
    # the assessment (§3.5.2): once, by the organizer; it emits service_completed
    Column("adjustment", Integer),
    Column("override_points", Integer),
    Column("override_reason", String(200)),
    Column("points", Integer),
    Column("hours", Numeric(5, 2)),
    Column("assessed_by", String(64)),
    Column("assessed_at", DateTime(timezone=True)),
    # a record added after the fact (no code was shown): it counts once community staff approve it
    Column("late_from", DateTime(timezone=True)),
    Column("late_until", DateTime(timezone=True)),
    Column("late_note", String(200)),
    Column("late_status", String(10)),          # pending | approved | rejected
    Column("late_decided_by", String(64)),
    Column("late_decided_at", DateTime(timezone=True)),
    # the ranges are the rule version's (checked by the service); only what no version may pass
    CheckConstraint("adjustment BETWEEN -100 AND 100", name="adjustment_range"),
    CheckConstraint("override_points BETWEEN 0 AND 100", name="override_range"),
)

# The scoring rule versions the scoring service announced (rule_version_published, S7): the
# numbers a service's points and a project's rating need. None heard: version 1's, the
# constants of contracts.volunteering (domain.FIRST).
rule_versions = Table(
    "rule_versions", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("effective_from", String(6), nullable=False, unique=True),   # 2027H1
    Column("base_points", Integer, nullable=False),
    Column("max_adjustment", Integer, nullable=False),
    Column("override_min", Integer, nullable=False),
    Column("override_max", Integer, nullable=False),
    Column("max_project_score", Integer, nullable=False),
    Column("heard_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

households = Table(  # F5, §3.4.5: the households a community's member cadres cover
    "households", metadata,
    Column("id", BigInteger, primary_key=True),
    *_scope(),
    Column("head_name", String(30), nullable=False),
    Column("home_address", String(200), nullable=False),    # personal data: masked by the gateway
    Column("phone", String(20)),
    Column("tags", ARRAY(Text), nullable=False, server_default="{}"),  # 困难党员群众, 残疾人, 空巢老人...
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

household_assignments = Table(
    "household_assignments", metadata,
    Column("household_id", BigInteger, ForeignKey("households.id"), primary_key=True),  # one cadre a household
    Column("member_id", BigInteger, ForeignKey("members.member_id"), nullable=False, index=True),
    Column("assigned_by", String(64), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

household_visits = Table(
    "household_visits", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("household_id", BigInteger, ForeignKey("households.id"), nullable=False, index=True),
    Column("member_id", BigInteger, ForeignKey("members.member_id"), nullable=False),
    Column("visited_on", Date, nullable=False),
    Column("kinds", ARRAY(Text), nullable=False),   # 查民情 讲政策 解难题 办实事
    Column("note", String(500), nullable=False, server_default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

commitments = Table(  # C3, §3.3.3, §5.2.2: a member's public promise for the year
    "commitments", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("member_id", BigInteger, ForeignKey("members.member_id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("community_code", CHAR(12), nullable=False, index=True),
    Column("items", ARRAY(Text), nullable=False),
    Column("services", Integer, nullable=False),       # number of services promised
    Column("hours", Numeric(6, 1), nullable=False),
    Column("mode", String(40), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    UniqueConstraint("member_id", "year", name="one_commitment_a_year"),
)

organization_life = Table(  # F6, §4.2: Party organization life or theme activities in the community
    "organization_life", metadata,
    Column("id", BigInteger, primary_key=True),
    *_scope(),
    Column("kind", String(20), nullable=False),        # organization_life | theme_activity
    Column("title", String(60), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

organization_life_attendance = Table(
    "organization_life_attendance", metadata,
    Column("session_id", BigInteger, ForeignKey("organization_life.id"), primary_key=True),
    Column("member_id", BigInteger, ForeignKey("members.member_id"), primary_key=True),
)

support_pairings = Table(  # F4, §3.4.4: members paired with a vulnerable resident
    "support_pairings", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("community_code", CHAR(12), nullable=False, index=True),
    Column("resident_name", String(30), nullable=False),
    Column("resident_category", String(10), nullable=False),   # 困难党员群众 | 残疾人 | 空巢老人
    Column("mode", String(12), nullable=False),                # one_to_one | many_to_one
    Column("member_ids", ARRAY(BigInteger), nullable=False),
    Column("note", String(200), nullable=False, server_default=""),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("ended_at", DateTime(timezone=True)),
)

studios = Table(  # P4 §3.2.4, C4 §3.3.4: a specialist member studio, named after one member
    "studios", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("community_code", CHAR(12), nullable=False, index=True),
    Column("member_id", BigInteger, ForeignKey("members.member_id"), nullable=False, unique=True),
    Column("name", String(40), nullable=False),
    Column("photo_url", String(300)),
    Column("unit_name", String(100), nullable=False),
    Column("service_items", ARRAY(Text), nullable=False),
    Column("opening_hours", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

projects = Table(  # P1 §3.2.1, C1 §3.3.1, §5.2.1, Annex C
    "projects", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("district_code", CHAR(6), nullable=False), Column("street_code", CHAR(9), nullable=False),
    Column("community_code", CHAR(12), nullable=False, index=True),
    Column("unit_id", BigInteger, nullable=False, index=True),
    Column("title", String(60), nullable=False),
    Column("goals", Text, nullable=False),
    Column("expected_effects", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("links", JSONB, nullable=False),              # the five 联 of Annex C that the project covers
    Column("service_count", Integer, nullable=False),
    Column("service_hours", Numeric(8, 1), nullable=False),
    Column("service_mode", String(60), nullable=False),
    Column("status", String(12), nullable=False, server_default="signed"),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

project_history = Table(  # its status over time: each change, by whom and why
    "project_history", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("status", String(12), nullable=False),
    Column("note", String(200), nullable=False, server_default=""),
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

project_ratings = Table(  # S1, §3.5.1
    "project_ratings", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("rater", String(10), nullable=False),
    Column("score", Integer, nullable=False),
    Column("rated_by", String(60), nullable=False),
    Column("note", String(200), nullable=False, server_default=""),
    Column("recorded_by", String(64), nullable=False),
    Column("rated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("score BETWEEN 0 AND 30", name="project_score_range"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
