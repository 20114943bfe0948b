"""the gateway's own database role: the audit log append-only by privilege

The gateway connects as `sbd_gateway` (gateway/gateway/dbrole.py), a login role that owns nothing
and holds exactly what the gateway's code needs, granted here by the schema's owner:

    schema gateway     USAGE
    accounts           SELECT, INSERT, UPDATE   (accounts.py, admin.py, cli.py: made, locked, disabled)
    sessions           SELECT, INSERT, UPDATE   (signed in, refreshed, revoked: never deleted)
    audit_log          SELECT, INSERT           (no UPDATE, DELETE, TRUNCATE: permission denied,
                                                 before the trigger of 0001 is even asked)
    their sequences    USAGE                    (nextval for the ids)

The trigger of 0001 still refuses edits by anyone else; but its owner (or a superuser) can drop a
trigger, and the gateway no longer connects as either. A table added to the schema later is
granted to the role by its own migration, deliberately (no default privileges).

Roles belong to the cluster, not the database: the role is created if missing (the migrating user
needs CREATEROLE for that, or a DBA makes it beforehand: README, "Operating it"), and a downgrade
revokes what this granted but leaves the role (other databases of the cluster may use it).

A password: if GATEWAY_DATABASE_URL names the role with a password, it is set here (sent as a
SCRAM verifier, not in clear); otherwise the role's password is left as it is (trust or peer
authentication needs none; a DBA may set one with ALTER ROLE sbd_gateway PASSWORD).

Revision ID: 0002
Revises: 0001
"""
import sys

from alembic import op
import sqlalchemy as sa

from gateway.dbrole import ROLE, role_password

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

READ_WRITE = ("accounts", "sessions")
APPEND_ONLY = ("audit_log",)
SEQUENCES = ("accounts_id_seq", "audit_log_id_seq")


def upgrade():
    op.execute(f"""
        DO $$
        BEGIN
            IF current_user = '{ROLE}' THEN
                RAISE EXCEPTION 'the gateway''s migrations run as the schema''s owner, not as {ROLE}'
                    USING HINT = 'set GATEWAY_MIGRATE_DATABASE_URL (or DATABASE_URL) to the owner''s URL';
            END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
                CREATE ROLE {ROLE} LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
            END IF;
        EXCEPTION
            -- made meanwhile by the migration of another database of the cluster
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'the role {ROLE} is missing and % may not create it', current_user
                    USING HINT = 'a DBA runs CREATE ROLE {ROLE} LOGIN PASSWORD ''...'' (or grants the migrating user CREATEROLE), then the migration again';
        END $$""")
    # a role that could bypass privileges would make the grants below meaningless
    op.execute(f"""
        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}' AND (rolsuper OR rolbypassrls OR rolcreaterole)) THEN
                RAISE EXCEPTION 'the role {ROLE} is a superuser, bypasses row security or creates roles: it must not'
                    USING HINT = 'ALTER ROLE {ROLE} NOSUPERUSER NOBYPASSRLS NOCREATEROLE';
            END IF;
        END $$""")
    _set_password()
    _revoke()  # exactly what follows, whatever was granted by hand before
    op.execute(f"GRANT USAGE ON SCHEMA gateway TO {ROLE}")
    for table in READ_WRITE:
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON gateway.{table} TO {ROLE}")
    for table in APPEND_ONLY:
        op.execute(f"GRANT SELECT, INSERT ON gateway.{table} TO {ROLE}")
    for sequence in SEQUENCES:
        op.execute(f"GRANT USAGE ON SEQUENCE gateway.{sequence} TO {ROLE}")


def _set_password():
    password = role_password()
    if not password:
        return
    from psycopg2.extensions import encrypt_password
    conn = op.get_bind()
    # hashed here, with the server's algorithm (password_encryption): no clear password in its log
    verifier = encrypt_password(password, ROLE, conn.connection.dbapi_connection)
    try:
        with conn.begin_nested():
            conn.execute(sa.text(f"ALTER ROLE {ROLE} PASSWORD :verifier"), {"verifier": verifier})
    except sa.exc.ProgrammingError as exc:  # no CREATEROLE: the DBA who made the role set its password
        if getattr(exc.orig, "pgcode", None) != "42501":
            raise
        print(f"gateway 0002: the password of {ROLE} is left as the DBA set it "
              f"({conn.execute(sa.text('SELECT current_user')).scalar()} may not alter roles)", file=sys.stderr)


def _revoke():
    op.execute(f"""
        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
                REVOKE ALL ON ALL TABLES IN SCHEMA gateway FROM {ROLE};
                REVOKE ALL ON ALL SEQUENCES IN SCHEMA gateway FROM {ROLE};
                REVOKE ALL ON SCHEMA gateway FROM {ROLE};
            END IF;
        END $$""")


def downgrade():
    # the role stays: it belongs to the cluster (DROP ROLE sbd_gateway, by a DBA, once no
    # database grants it anything)
    _revoke()
