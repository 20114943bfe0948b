"""feedback notices (Annexes E, F), comments, objections (Annex G), detail changes, opinions

Revision ID: 0001
Revises:
"""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE feedback.outbox (
            id bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, event_type varchar(80) NOT NULL,
            payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz,
            attempts integer NOT NULL DEFAULT 0, last_error text);
        CREATE INDEX ix_feedback_outbox_id ON feedback.outbox (id) WHERE sent_at IS NULL;
        CREATE TABLE feedback.inbox (
            event_id uuid PRIMARY KEY, event_type varchar(80) NOT NULL, source varchar(40) NOT NULL,
            handled_at timestamptz NOT NULL DEFAULT now());

        CREATE TABLE feedback.units (
            unit_id bigint PRIMARY KEY, name varchar(100), party_org_name varchar(100),
            district_code char(6), community_code char(12));

        -- a notice as released: its header, and its rows as they were (with the comments)
        CREATE TABLE feedback.notices (
            id bigserial PRIMARY KEY, unit_id bigint NOT NULL, unit_name varchar(100), party_org_name varchar(100),
            period varchar(6) NOT NULL, district_code char(6) NOT NULL, district_name varchar(40),
            revision integer NOT NULL, status varchar(12) NOT NULL, changes jsonb NOT NULL DEFAULT '[]',
            fingerprint char(32) NOT NULL,
            released_at timestamptz NOT NULL DEFAULT now(), released_by varchar(80) NOT NULL,
            read_at timestamptz, read_by varchar(80), acknowledged_at timestamptz, acknowledged_by varchar(80),
            CONSTRAINT notices_revision UNIQUE (unit_id, period, district_code, revision),
            CONSTRAINT notices_status CHECK (status IN ('released','read','acknowledged','superseded')));
        CREATE INDEX notices_by_district ON feedback.notices (district_code, period);
        CREATE INDEX notices_by_unit ON feedback.notices (unit_id, period);
        CREATE TABLE feedback.rows (
            notice_id bigint NOT NULL REFERENCES feedback.notices (id), seq integer NOT NULL,
            community_code char(12), community_name varchar(60), member_id bigint NOT NULL, name varchar(30),
            reported boolean NOT NULL, points numeric(8,1), stars integer, comment varchar(300),
            source_revision integer,
            PRIMARY KEY (notice_id, seq));

        CREATE TABLE feedback.comments (
            period varchar(6) NOT NULL, community_code char(12) NOT NULL, member_id bigint NOT NULL,
            comment varchar(300) NOT NULL, written_by varchar(80) NOT NULL, written_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (period, community_code, member_id));

        -- each community's latest publication heard of, with its lines as published: one row per
        -- community (a city's publication is two thousand rows, not three hundred thousand)
        CREATE TABLE feedback.sources (
            community_code char(12) NOT NULL, period varchar(6) NOT NULL, settlement_id bigint NOT NULL,
            revision integer NOT NULL, reason varchar(200), member_lines json NOT NULL,
            heard_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (community_code, period));
        -- kept as it came, uncompressed: a city's publication is written in seconds, and 30 MB a
        -- half year is nothing to store (pglz compression cost more than the rest of the write)
        ALTER TABLE feedback.sources ALTER COLUMN member_lines SET STORAGE EXTERNAL;
        -- the published rows of Annex F as they stand, one per member of a unit (read by district
        -- or community: the sources' key narrows it before anything is unpacked)
        CREATE VIEW feedback.lines AS
            SELECT s.period, s.community_code, CAST(l.unit_id AS bigint) AS unit_id,
                   CAST(l.member_id AS bigint) AS member_id, l.name, true AS reported,
                   CAST(l.points AS numeric(8,1)) AS points, CAST(l.stars AS int) AS stars, s.settlement_id
            FROM feedback.sources s
            CROSS JOIN LATERAL ROWS FROM (
                json_array_elements_text(s.member_lines->'member_id'), json_array_elements_text(s.member_lines->'name'),
                json_array_elements_text(s.member_lines->'unit_id'), json_array_elements_text(s.member_lines->'points'),
                json_array_elements_text(s.member_lines->'stars')) AS l(member_id, name, unit_id, points, stars)
            WHERE l.unit_id IS NOT NULL;

        CREATE TABLE feedback.objections (
            id bigserial PRIMARY KEY, objector_kind varchar(8) NOT NULL, objector_id bigint NOT NULL,
            objector_name varchar(100), member_id bigint, unit_id bigint,
            district_code char(6) NOT NULL, street_code char(9) NOT NULL, community_code char(12) NOT NULL,
            target varchar(16) NOT NULL, entry_id bigint, period varchar(6) NOT NULL, content varchar(500) NOT NULL,
            status varchar(14) NOT NULL, raised_by varchar(80) NOT NULL, raised_at timestamptz NOT NULL DEFAULT now(),
            department varchar(60), assignee varchar(30), assigned_by varchar(80), assigned_at timestamptz,
            findings varchar(1000), investigated_by varchar(80), investigated_at timestamptz,
            decision_reason varchar(500), points integer, compensating_entry_id bigint, settlement_revision integer,
            decided_by varchar(80), decided_at timestamptz,
            CONSTRAINT objections_target CHECK (target IN ('entry','missing_service','result')),
            CONSTRAINT objections_status CHECK (status IN ('submitted','investigating','investigated','deciding','upheld',
                                                             'rejected')),
            CONSTRAINT objections_entry CHECK ((target = 'entry') = (entry_id IS NOT NULL)));
        CREATE INDEX objections_by_community ON feedback.objections (community_code, status);
        CREATE INDEX objections_by_objector ON feedback.objections (objector_kind, objector_id);
        -- one open objection per entry and person (B4)
        CREATE UNIQUE INDEX objections_one_open ON feedback.objections (entry_id, objector_kind, objector_id)
            WHERE entry_id IS NOT NULL AND status NOT IN ('upheld', 'rejected');
        CREATE UNIQUE INDEX objections_one_open_result ON feedback.objections (objector_kind, objector_id, community_code,
            period) WHERE target = 'result' AND status NOT IN ('upheld', 'rejected');

        CREATE TABLE feedback.detail_changes (
            id bigserial PRIMARY KEY, member_id bigint NOT NULL, member_name varchar(30), unit_id bigint,
            district_code char(6) NOT NULL, street_code char(9) NOT NULL, community_code char(12) NOT NULL,
            changes jsonb NOT NULL, note varchar(200), status varchar(10) NOT NULL,
            reported_by varchar(80) NOT NULL, reported_at timestamptz NOT NULL DEFAULT now(),
            decided_by varchar(80), decided_at timestamptz, decline_reason varchar(200),
            CONSTRAINT detail_changes_status CHECK (status IN ('pending','applying','applied','declined')));
        CREATE INDEX detail_changes_by_community ON feedback.detail_changes (community_code, status);

        CREATE TABLE feedback.opinions (
            id bigserial PRIMARY KEY, unit_id bigint NOT NULL, member_id bigint NOT NULL,
            district_code char(6) NOT NULL, street_code char(9) NOT NULL, community_code char(12) NOT NULL,
            purpose varchar(200) NOT NULL, status varchar(10) NOT NULL, requested_by varchar(80) NOT NULL,
            requested_at timestamptz NOT NULL DEFAULT now(), record jsonb, opinion text,
            answered_by varchar(80), answered_at timestamptz,
            CONSTRAINT opinions_status CHECK (status IN ('requested','answered')));
        CREATE INDEX opinions_by_community ON feedback.opinions (community_code, status);
        CREATE INDEX opinions_by_unit ON feedback.opinions (unit_id);
    """)


def downgrade():
    op.execute("DROP VIEW feedback.lines")
    for table in ("opinions", "detail_changes", "objections", "sources", "comments", "rows", "notices", "units", "inbox",
                  "outbox"):
        op.execute(f"DROP TABLE feedback.{table}")
