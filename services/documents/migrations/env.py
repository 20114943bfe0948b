from documents.models import metadata
from toolkit.migrate import run_env

run_env(metadata)
