"""How numbers, days and hours read in a reason, in French and in English."""

from __future__ import annotations

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "fr": ("français", "French"),
    "en": ("anglais", "English"),
    "es": ("espagnol", "Spanish"),
    "it": ("italien", "Italian"),
    "de": ("allemand", "German"),
    "pt": ("portugais", "Portuguese"),
    "ar": ("arabe", "Arabic"),
}


def decimal_fr(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def distance_fr(km: float) -> str:
    # Under a kilometre, metres rounded to 50: "850 m" is what people say.
    if km < 1:
        return f"{max(50, round(km * 20) * 50)} m"
    return f"{decimal_fr(km)} km"


def distance_en(km: float) -> str:
    if km < 1:
        return f"{max(50, round(km * 20) * 50)} m"
    return f"{km:.1f} km"


def hour_fr(minute: int) -> str:
    hours, minutes = divmod(minute, 60)
    return f"{hours}h{minutes:02d}" if minutes else f"{hours}h"


def hour_en(minute: int) -> str:
    hours, minutes = divmod(minute, 60)
    return f"{hours:02d}:{minutes:02d}"


def span_fr(start: int, end: int) -> str:
    return f"{hour_fr(start)}-{hour_fr(end)}"


def span_en(start: int, end: int) -> str:
    return f"{hour_en(start)}-{hour_en(end)}"


def language_name(code: str) -> tuple[str, str]:
    return LANGUAGE_NAMES.get(code, (code, code))
