"""Personal data: retention (the daily purge), the right of access (export) and the right to
erasure. Services only: the CLI (coupdemain/cli_people.py, cli_privacy.py) is a thin layer."""

from backend.privacy.erasure import ErasureReport, erase_person, erased_name
from backend.privacy.export import export_person
from backend.privacy.retention import (
    PURGE_JOB,
    PurgeReport,
    RetentionPolicy,
    purge,
    purge_job,
    schedule_purge,
)

__all__ = [
    "PURGE_JOB",
    "ErasureReport",
    "PurgeReport",
    "RetentionPolicy",
    "erase_person",
    "erased_name",
    "export_person",
    "purge",
    "purge_job",
    "schedule_purge",
]
