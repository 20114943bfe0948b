from gateway.dbrole import owner_url
from gateway.models import metadata
from toolkit.migrate import run_env

# as the schema's owner: the gateway's own role (GATEWAY_DATABASE_URL) may not change it
run_env(metadata, url=owner_url())
