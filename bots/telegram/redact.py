"""Keep the bot token out of every log line.

The token is part of every Bot API URL (`.../bot<token>/sendMessage`): httpx logs each request
URL at INFO, PTB logs its base URL at DEBUG, and an error may quote a URL. A filter on one
logger does not see its children's records, nor handlers added later (pytest's, a deployment's),
so the redaction is done where every record is born: in the log record factory. It formats a
record's message once, and only rewrites the records that contain a secret.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

REDACTED = "<redacted>"
# Any Bot API token in a URL, ours or not: digits, a colon, then 30+ URL-safe characters.
_TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]{30,}")

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def protect_token(token: str) -> None:
    """From now on, `token` is replaced by `<redacted>` in every log record of the process."""
    global _installed
    with _lock:
        if token:
            _secrets.add(token)
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _redact(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


def redact(text: str) -> str:
    for secret in tuple(_secrets):
        text = text.replace(secret, REDACTED)
    return _TOKEN_IN_URL.sub("bot" + REDACTED, text)


def _redact(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is logging's business: leave it as it is
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        # Tracebacks are formatted later by each handler: format once now, redacted.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
