"""Ranking order, exclusions and explanations of rank_helpers, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer, OfferStatus
from backend.errors import InvalidInput
from backend.matching.service import Candidate, rank_helpers
from backend.matching.weights import MatchWeights
from backend.people.models import SERVICES, PersonStatus
from backend.people.schemas import AvailabilityIn
from backend.trust.models import Rating
from tests.factories import make_helper, make_request, make_resident
from tests.matching.matching_data import north, past_job

# Friday 20 November 2026, 11:30 in Paris.
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


def ids(candidates: list[Candidate]) -> list[int]:
    return [c.helper_id for c in candidates]


def factor(candidate: Candidate, name: str) -> dict[str, object]:
    return next(f.as_dict() for f in candidate.factors if f.factor == name)


def test_nearer_helper_ranks_first_everything_else_equal(session: Session) -> None:
    requester = make_resident(session)
    far = make_helper(session, "Loin", lat=north(2.0)[0])
    near = make_helper(session, "Près", lat=north(0.5)[0])
    request = make_request(session, requester)
    assert ids(rank_helpers(session, request, now=NOW)) == [near.id, far.id]


def test_excluded_helpers_are_never_proposed(session: Session) -> None:
    requester = make_resident(session)
    ok = make_helper(session, "Disponible")
    inactive = make_helper(session, "Inactif")
    assert inactive.helper_profile is not None
    inactive.helper_profile.active = False
    suspended = make_helper(session, "Suspendu")
    suspended.status = PersonStatus.suspended
    too_far = make_helper(session, "Trop loin", lat=north(3.0)[0], radius_km=2.0)
    other_service = make_helper(session, "Jardinier", services=["gardening"])
    declined = make_helper(session, "A refusé")
    expired = make_helper(session, "N'a pas répondu")
    excluded = make_helper(session, "Déjà sollicité")
    # The requester is a helper too: never proposed to themselves.
    self_helper = make_helper(session, "Moi-même")
    request = make_request(session, self_helper)
    other_request = make_request(session, requester)
    for helper, status in ((declined, OfferStatus.declined), (expired, OfferStatus.expired)):
        session.add(
            Offer(request_id=request.id, helper_id=helper.id, rank=1, score=0.5,
                  status=status, expires_at=NOW)
        )  # fmt: skip
    session.flush()

    ranked = ids(rank_helpers(session, request, now=NOW, exclude={excluded.id}))

    assert ranked == [ok.id]
    # A refusal for this request says nothing about another one.
    assert {declined.id, expired.id} <= set(ids(rank_helpers(session, other_request, now=NOW)))
    assert too_far.id not in ranked and other_service.id not in ranked


def test_a_wide_radius_helper_far_away_is_found(session: Session) -> None:
    requester = make_resident(session)
    driver = make_helper(session, "Chauffeur", services=["transport"], lat=north(15)[0],
                         radius_km=20)  # fmt: skip
    short = make_helper(session, "Voisin", services=["transport"], lat=north(15)[0], radius_km=5)
    request = make_request(session, requester, service="transport")
    # The neighbour 15 km away does not go that far; the driver does.
    assert ids(rank_helpers(session, request, now=NOW)) == [driver.id]
    assert short.helper_profile is not None and short.helper_profile.radius_km == 5


def test_every_candidate_explains_every_factor_in_french_and_english(session: Session) -> None:
    requester = make_resident(session)
    helper = make_helper(session, "Amélie Poulain", lat=north(0.85)[0])
    assert helper.helper_profile is not None
    helper.helper_profile.verified_at = NOW
    request = make_request(session, requester)
    (candidate,) = rank_helpers(session, request, now=NOW)

    factors = [f.as_dict() for f in candidate.factors]
    assert [f["factor"] for f in factors] == [
        "distance", "availability", "rating", "continuity", "load", "verification", "language",
    ]  # fmt: skip
    for f in factors:
        assert set(f) == {"factor", "value", "score", "weight", "reason_fr", "reason_en"}
        assert 0 <= f["score"] <= 1 and f["reason_fr"] and f["reason_en"]
    assert factor(candidate, "distance")["reason_fr"] == "à 850 m"
    assert factor(candidate, "distance")["reason_en"] == "850 m away"
    assert factor(candidate, "availability")["reason_fr"] == "disponible maintenant, jusqu'à 20h"
    assert factor(candidate, "rating")["reason_fr"] == "pas encore d'avis"
    assert factor(candidate, "verification")["reason_fr"] == "identité vérifiée"
    assert factor(candidate, "language")["reason_fr"] == "parle français"
    assert candidate.display_name == "Amélie Poulain"
    weights = MatchWeights()
    expected = sum(f["score"] * f["weight"] for f in factors) / weights.total
    assert candidate.score == pytest.approx(expected)
    assert candidate.explanation()["factors"] == factors


def test_rating_is_a_bayesian_average_not_a_raw_mean(session: Session) -> None:
    requester = make_resident(session)
    lucky = make_helper(session, "Une seule note")
    steady = make_helper(session, "Vingt notes")
    past_job(session, requester, lucky, at=NOW - timedelta(days=30), stars=5)
    for i in range(20):
        past_job(session, make_resident(session), steady, at=NOW - timedelta(days=30 + i),
                 stars=5 if i % 5 else 4)  # fmt: skip
    request = make_request(session, make_resident(session))
    ranked = {c.helper_id: c for c in rank_helpers(session, request, now=NOW)}

    w = MatchWeights()
    one = factor(ranked[lucky.id], "rating")
    many = factor(ranked[steady.id], "rating")
    assert one["value"] == pytest.approx((w.rating_prior_weight * w.rating_prior + 5) / 6, abs=0.01)
    assert many["value"] == pytest.approx((5 * 4.0 + 96) / 25, abs=0.01)
    assert many["score"] > one["score"]  # 4.8 over 20 reviews beats a single 5
    assert one["reason_fr"] == "note 5,0/5 (1 avis)"
    assert many["reason_fr"] == "note 4,8/5 (20 avis)"
    assert many["reason_en"] == "rated 4.8/5 (20 reviews)"


def test_ratings_received_as_a_requester_do_not_count(session: Session) -> None:
    helper = make_helper(session, "Aidante")
    other_helper = make_helper(session, "Autre")
    # The helper once asked for help herself and was rated 1 star by her own helper.
    job = past_job(session, helper, other_helper, at=NOW - timedelta(days=40))
    session.add(Rating(request_id=job.id, rater_id=other_helper.id, ratee_id=helper.id, stars=1))
    session.flush()
    request = make_request(session, make_resident(session))
    ranked = {c.helper_id: c for c in rank_helpers(session, request, now=NOW)}
    assert factor(ranked[helper.id], "rating")["reason_fr"] == "pas encore d'avis"


def test_a_helper_the_requester_rated_well_comes_first(session: Session) -> None:
    requester = make_resident(session)
    stranger = make_helper(session, "Inconnu", lat=north(0.2)[0])
    known = make_helper(session, "Habituée", lat=north(0.6)[0])
    disliked = make_helper(session, "Pas apprécié", lat=north(0.6)[0])
    past_job(session, requester, known, at=NOW - timedelta(days=60), stars=5)
    past_job(session, requester, disliked, at=NOW - timedelta(days=60), stars=2)
    request = make_request(session, requester)
    ranked = rank_helpers(session, request, now=NOW)
    by_id = {c.helper_id: c for c in ranked}

    assert ranked[0].helper_id == known.id
    assert factor(by_id[known.id], "continuity")["score"] == 1.0
    assert factor(by_id[known.id], "continuity")["reason_fr"] == "vous a déjà aidé (5★)"
    assert factor(by_id[disliked.id], "continuity")["score"] == 0.0
    assert factor(by_id[stranger.id], "continuity")["reason_en"] == "has not helped you before"


def test_recent_load_spreads_the_work(session: Session) -> None:
    requester = make_resident(session)
    busy = make_helper(session, "Très sollicité")
    rested = make_helper(session, "Reposé")
    for days in (1, 2, 3):
        past_job(session, make_resident(session), busy, at=NOW - timedelta(days=days))
    past_job(session, make_resident(session), rested, at=NOW - timedelta(days=10))  # too old
    request = make_request(session, requester)
    ranked = rank_helpers(session, request, now=NOW)
    by_id = {c.helper_id: c for c in ranked}

    assert ids(ranked) == [rested.id, busy.id]
    assert factor(by_id[busy.id], "load")["value"] == 3
    assert factor(by_id[busy.id], "load")["reason_fr"].startswith("3 missions")
    assert factor(by_id[rested.id], "load")["reason_fr"] == "aucune mission ces 7 derniers jours"


def test_language_and_verification_count(session: Session) -> None:
    requester = make_resident(session, language="en")
    french_only = make_helper(session, "Francophone")
    english = make_helper(session, "Anglophone", languages=["fr", "en"])
    request = make_request(session, requester, language="en")
    ranked = rank_helpers(session, request, now=NOW)
    assert ids(ranked) == [english.id, french_only.id]
    assert factor(ranked[1], "language")["reason_fr"] == "ne parle pas anglais"
    assert factor(ranked[0], "language")["reason_en"] == "speaks English"

    assert french_only.helper_profile is not None
    french_only.helper_profile.verified_at = NOW
    french_request = make_request(session, requester)
    assert ids(rank_helpers(session, french_request, now=NOW)) == [french_only.id, english.id]


def test_a_request_without_a_place_cannot_be_ranked(session: Session) -> None:
    requester = make_resident(session)
    request = make_request(session, requester, submit=False)
    request.lat = request.lon = None
    with pytest.raises(InvalidInput):
        rank_helpers(session, request, now=NOW)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_top_few_are_the_same_as_ranking_everyone(session: Session, seed: int) -> None:
    """Ratings and load are read only for helpers who can still make the top: the result must
    be exactly what measuring every helper gives."""
    rng = random.Random(seed)
    residents = [make_resident(session) for _ in range(5)]
    helpers = []
    for i in range(45):
        lat, lon = north(rng.uniform(-3, 3))[0], 4.8357 + rng.uniform(-0.04, 0.04)
        slots = [
            AvailabilityIn(weekday=d, start_minute=s * 60, end_minute=(s + rng.randint(1, 5)) * 60)
            for d in rng.sample(range(7), rng.randint(0, 3))
            for s in [rng.randint(7, 18)]
        ]
        helper = make_helper(session, f"Aidant {i}", lat=lat, lon=lon,
                             radius_km=rng.choice([1, 2, 3, 5]), availability=slots,
                             services=["errands", rng.choice(SERVICES)],
                             languages=rng.choice([["fr"], ["fr", "en"]]))  # fmt: skip
        if rng.random() < 0.5:
            assert helper.helper_profile is not None
            helper.helper_profile.verified_at = NOW
        helpers.append(helper)
    for _ in range(60):
        past_job(session, rng.choice(residents), rng.choice(helpers),
                 at=NOW - timedelta(days=rng.uniform(0, 20)), stars=rng.randint(1, 5))  # fmt: skip
    request = make_request(session, residents[0])
    top = rank_helpers(session, request, limit=4, now=NOW)
    everyone = rank_helpers(session, request, limit=1000, now=NOW)
    assert len(everyone) > 10
    assert [(c.helper_id, c.score) for c in top] == [(c.helper_id, c.score) for c in everyone[:4]]
