"""Imports every domain's models so that `Base.metadata` knows all tables (Alembic, tests)."""

from backend.auth import models as auth
from backend.callbacks import models as callbacks
from backend.conversations import models as conversations
from backend.dispatch import models as dispatch
from backend.jobs import models as jobs
from backend.ledger import models as ledger  # noqa: F401  (tables only)
from backend.listings import models as listings
from backend.nlu_corrections import models as nlu_corrections
from backend.outbox import models as outbox
from backend.people import models as people
from backend.requests import models as requests
from backend.trust import models as trust

__all__ = [
    "auth",
    "callbacks",
    "conversations",
    "dispatch",
    "jobs",
    "listings",
    "nlu_corrections",
    "outbox",
    "people",
    "requests",
    "trust",
]
