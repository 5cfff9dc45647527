"""Cloud function `migrate`: upgrades the database schema to the newest Alembic revision.

deploy.sh invokes it after every apply (`yc serverless function invoke`): it runs inside the database's network, so
the database needs no public address. Idempotent, and safe when two deploys overlap (common/store/migrate.py: one
transaction under an advisory lock). Nothing else may invoke it: no gateway route, no trigger.
"""

from common.runtime import logs
from common.runtime.config import load_settings
from common.store.migrate import upgrade

settings = load_settings("database")  # fail the cold start, naming any missing variable


def handler(event: dict | None = None, context: object = None) -> dict:
    revision = upgrade(settings.DATABASE_URL)
    logs.log("migrated", revision=revision)
    return {"revision": revision}
