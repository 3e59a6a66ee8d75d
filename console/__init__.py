"""The dispatchers' web console: server-rendered pages (Jinja2), live updates by Server-Sent
Events, French and English. `mount_console(app, ...)` adds it to the main app."""

from console.app import mount_console
from console.live import Nudges

__all__ = ["Nudges", "mount_console"]
