"""The factors of a ranking: each one's score (0..1) and the reason a person can read.

Scores are computed for every candidate; the wording only for the few that are shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from backend.matching.availability import Availability, Fit
from backend.matching.weights import MatchWeights
from backend.matching.wording import (
    WEEKDAYS_EN,
    WEEKDAYS_FR,
    decimal_fr,
    distance_en,
    distance_fr,
    hour_en,
    hour_fr,
    language_name,
    span_en,
    span_fr,
)


@dataclass(frozen=True, slots=True)
class Factor:
    factor: str
    value: Any  # what was measured: km, stars, a count, a fit; JSON-friendly
    score: float  # 0..1
    weight: float
    reason_fr: str
    reason_en: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class HelperFacts:
    """Everything measured about one helper for one request."""

    helper_id: int
    distance_km: float
    continuity_stars: int | None = None  # the requester's latest rating of this helper
    display_name: str = ""
    languages: Collection[str] = ()
    verified: bool = False
    availability: Availability = Availability(Fit.unknown, 0.3)
    rating_count: int = 0
    rating_sum: int = 0
    jobs: int = 0  # assigned in the load window
    offers: int = 0  # offered (and not taken) in the load window


def bayesian_rating(count: int, total: int, w: MatchWeights) -> float:
    """(C*m + sum) / (C + n): few reviews stay close to the prior m, many speak for themselves."""
    return (w.rating_prior_weight * w.rating_prior + total) / (w.rating_prior_weight + count)


def distance_score(km: float, w: MatchWeights) -> float:
    return 1 / (1 + km / w.distance_half_km)


def continuity_score(stars: int | None, w: MatchWeights) -> float:
    return 1.0 if (stars or 0) >= w.continuity_min_stars else 0.0


def scores(f: HelperFacts, w: MatchWeights, language: str) -> dict[str, float]:
    """Each factor's score, for the explanation (total_score is the fast path)."""
    load_units = f.jobs + w.offer_load_share * f.offers
    return {
        "distance": distance_score(f.distance_km, w),
        "availability": f.availability.score,
        "rating": (bayesian_rating(f.rating_count, f.rating_sum, w) - 1) / 4,
        "continuity": continuity_score(f.continuity_stars, w),
        "load": 1 / (1 + load_units),
        "verification": 1.0 if f.verified else 0.0,
        "language": 1.0 if language in f.languages else 0.0,
    }


def score_without_counts(f: HelperFacts, w: MatchWeights, language: str) -> float:
    """The weighted sum of every factor but rating and load (read last, in batches)."""
    return (
        w.distance * distance_score(f.distance_km, w)
        + w.availability * f.availability.score
        + w.continuity * continuity_score(f.continuity_stars, w)
        + w.verification * (1.0 if f.verified else 0.0)
        + w.language * (1.0 if language in f.languages else 0.0)
    )


def best_possible_score(f: HelperFacts, w: MatchWeights, language: str) -> float:
    """The score this helper would reach with a perfect rating and no load: when it is below
    the current top, their ratings and load need not be read at all."""
    return (score_without_counts(f, w, language) + w.rating + w.load) / w.total


def total_score(f: HelperFacts, w: MatchWeights, language: str) -> float:
    """The weighted mean of the factor scores, 0..1."""
    rating = (bayesian_rating(f.rating_count, f.rating_sum, w) - 1) / 4
    load = 1 / (1 + f.jobs + w.offer_load_share * f.offers)
    return (score_without_counts(f, w, language) + w.rating * rating + w.load * load) / w.total


def explain(f: HelperFacts, w: MatchWeights, language: str) -> list[Factor]:
    s = scores(f, w, language)
    return [
        Factor(
            "distance",
            round(f.distance_km, 3),
            s["distance"],
            w.distance,
            f"à {distance_fr(f.distance_km)}",
            f"{distance_en(f.distance_km)} away",
        ),
        _availability(f.availability, w),
        _rating(f, s["rating"], w),
        _continuity(f.continuity_stars, s["continuity"], w),
        _load(f, s["load"], w),
        Factor(
            "verification",
            f.verified,
            s["verification"],
            w.verification,
            "identité vérifiée" if f.verified else "pas encore vérifié",
            "identity verified" if f.verified else "not verified yet",
        ),
        _language(language, s["language"], w),
    ]


def _availability(a: Availability, w: MatchWeights) -> Factor:
    day_fr = WEEKDAYS_FR[a.day.weekday()] if a.day else ""
    day_en = WEEKDAYS_EN[a.day.weekday()] if a.day else ""
    fr, en = {
        Fit.covers: (
            f"disponible {day_fr} {span_fr(a.start, a.end)}",
            f"available {day_en} {span_en(a.start, a.end)}",
        ),
        Fit.partly: (
            f"disponible en partie : {day_fr} {span_fr(a.start, a.end)}",
            f"partly available: {day_en} {span_en(a.start, a.end)}",
        ),
        Fit.no: (
            f"pas disponible {day_fr} {span_fr(a.start, a.end)}",
            f"not available {day_en} {span_en(a.start, a.end)}",
        ),
        Fit.now: (
            f"disponible maintenant, jusqu'à {hour_fr(a.end)}",
            f"available now, until {hour_en(a.end)}",
        ),
        Fit.today: (
            f"disponible aujourd'hui {span_fr(a.start, a.end)}",
            f"available today {span_en(a.start, a.end)}",
        ),
        Fit.tomorrow: (
            f"disponible demain {span_fr(a.start, a.end)}",
            f"available tomorrow {span_en(a.start, a.end)}",
        ),
        Fit.not_soon: ("pas disponible aujourd'hui ni demain", "not available today or tomorrow"),
        Fit.unknown: ("disponibilités non renseignées", "no availability given"),
    }[a.fit]
    return Factor("availability", str(a.fit), a.score, w.availability, fr, en)


def _rating(f: HelperFacts, score: float, w: MatchWeights) -> Factor:
    value = round(bayesian_rating(f.rating_count, f.rating_sum, w), 2)
    if f.rating_count == 0:
        return Factor("rating", value, score, w.rating, "pas encore d'avis", "no reviews yet")
    mean = f.rating_sum / f.rating_count
    n = f.rating_count
    return Factor(
        "rating",
        value,
        score,
        w.rating,
        f"note {decimal_fr(mean)}/5 ({n} avis)",
        f"rated {mean:.1f}/5 ({n} review{'s' if n > 1 else ''})",
    )


def _continuity(stars: int | None, score: float, w: MatchWeights) -> Factor:
    if stars is None:
        fr, en = "ne vous a encore jamais aidé", "has not helped you before"
    elif score:
        fr, en = f"vous a déjà aidé ({stars}★)", f"has helped you before ({stars}★)"
    else:
        fr, en = f"vous a déjà aidé, noté {stars}★", f"helped you before, rated {stars}★"
    return Factor("continuity", stars, score, w.continuity, fr, en)


def _load(f: HelperFacts, score: float, w: MatchWeights) -> Factor:
    days = w.load_window.days
    if not f.jobs and not f.offers:
        fr, en = f"aucune mission ces {days} derniers jours", f"no jobs in the last {days} days"
    else:
        fr = (
            f"{f.jobs} mission{'s' if f.jobs > 1 else ''} et {f.offers} proposition"
            f"{'s' if f.offers > 1 else ''} ces {days} derniers jours"
        )
        en = (
            f"{f.jobs} job{'s' if f.jobs != 1 else ''} and {f.offers} offer"
            f"{'s' if f.offers != 1 else ''} in the last {days} days"
        )
    return Factor("load", f.jobs + w.offer_load_share * f.offers, score, w.load, fr, en)


def _language(language: str, score: float, w: MatchWeights) -> Factor:
    name_fr, name_en = language_name(language)
    if score:
        fr, en = f"parle {name_fr}", f"speaks {name_en}"
    else:
        fr, en = f"ne parle pas {name_fr}", f"does not speak {name_en}"
    return Factor("language", language, score, w.language, fr, en)
