"""Run each service's own Alembic history in its own schema and version table.

    python -m toolkit.migrate services/registration [services/... gateway]   # upgrade to head
    python -m toolkit.migrate                                               # every service and the gateway

Migrations are an explicit step of deployment, never run at service start: with several
replicas starting at once they would race. A service's `migrations/env.py` is two lines that
call `run_env()` with its metadata.
"""
import os
import sys

from alembic import command, context
from alembic.config import Config
from sqlalchemy import create_engine, text

from .config import database_url


def config_for(service_dir):
    service_dir = os.path.abspath(service_dir)
    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(service_dir, "migrations"))
    cfg.set_main_option("service", os.path.basename(service_dir.rstrip("/")))
    return cfg


def upgrade(service_dir, revision="head"):
    command.upgrade(config_for(service_dir), revision)


def run_env(metadata, url=None):
    """Body of a service's migrations/env.py. `url`: the owner's, where the service itself
    connects as a role that may not change its schema (the gateway's, gateway/dbrole.py)."""
    schema = metadata.schema
    url = url or database_url(context.config.get_main_option("service") or schema)
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        conn.commit()
        # a transaction per migration (Alembic's own), so that one may step out of it for what
        # PostgreSQL will not run inside one (CREATE INDEX CONCURRENTLY: autocommit_block)
        context.configure(connection=conn, target_metadata=metadata, version_table="alembic_version",
                          version_table_schema=schema, include_schemas=False, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if __name__ == "__main__":
    for path in sys.argv[1:] or sorted(os.path.join("services", d) for d in os.listdir("services")) + ["gateway"]:
        if os.path.isdir(os.path.join(path, "migrations")):
            print(f"migrating {path}")
            upgrade(path)
