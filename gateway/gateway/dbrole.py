"""The database role the gateway connects as, and who migrates its schema.

The gateway's process and `python -m gateway.cli` connect as `sbd_gateway` (GATEWAY_DATABASE_URL):
a login role that owns nothing and may only read and write what the gateway writes (accounts,
sessions) and only INSERT and SELECT on the audit log (migration 0002). It cannot drop the audit
log's trigger, nor UPDATE, DELETE or TRUNCATE the log: the log is append-only by privilege, not
only by a trigger its owner could drop.

The gateway's migrations run as the owner of the schema: GATEWAY_MIGRATE_DATABASE_URL if set,
else GATEWAY_DATABASE_URL when it names another user than `sbd_gateway` (an older set-up in
which the gateway connected as the owner), else DATABASE_URL.

    python -m gateway.dbrole url postgresql+psycopg2://root@127.0.0.1:5432/root
    # -> postgresql+psycopg2://sbd_gateway@127.0.0.1:5432/root   (deploy/local/run.sh uses it)
"""
import sys

from sqlalchemy.engine import URL, make_url

from toolkit.config import DEFAULT_DATABASE_URL, env

ROLE = "sbd_gateway"


def role_url(owner_url):
    """The owner's URL with the gateway's role as its user (and no password: where the server
    asks for one, give GATEWAY_DATABASE_URL with it, and the migration sets it)."""
    url = make_url(owner_url)
    return URL.create(url.drivername, username=ROLE, host=url.host, port=url.port, database=url.database,
                      query=url.query).render_as_string(hide_password=False)


def _is_role(url):
    return url is not None and make_url(url).username == ROLE


def owner_url():
    """Where the gateway's migrations connect: as the schema's owner, never as the role."""
    explicit = env("GATEWAY_MIGRATE_DATABASE_URL")
    if explicit:
        return explicit
    gateway = env("GATEWAY_DATABASE_URL")
    if gateway and not _is_role(gateway):
        return gateway
    return env("DATABASE_URL", DEFAULT_DATABASE_URL)


def role_password():
    """The password GATEWAY_DATABASE_URL gives the role, if it names the role and gives one: the
    migration sets it, so the gateway signs in with what it was given (None: left as it is)."""
    gateway = env("GATEWAY_DATABASE_URL")
    if not _is_role(gateway):
        return None
    return make_url(gateway).password or None


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "url":
        sys.exit("usage: python -m gateway.dbrole url OWNER_DATABASE_URL")
    print(role_url(sys.argv[2]))
