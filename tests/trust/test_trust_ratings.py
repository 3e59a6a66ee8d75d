from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.errors import Conflict, Forbidden, InvalidInput
from backend.trust.models import Rating
from backend.trust.service import helper_rating_summary, rate, ratings_of_helper
from tests.factories import make_helper, make_request, make_resident
from tests.trust.trust_helpers import finished_job


def test_requester_rates_the_helper_and_helper_rates_the_requester(session: Session) -> None:
    request, requester, helper = finished_job(session)
    given = rate(session, request.id, requester.id, 5, "Très gentil, merci !")
    back = rate(session, request.id, helper.id, 4)
    session.commit()
    assert (given.ratee_id, given.stars) == (helper.id, 5)
    assert (back.ratee_id, back.stars) == (requester.id, 4)


def test_a_stranger_cannot_rate_a_job(session: Session) -> None:
    request, _, _ = finished_job(session)
    stranger = make_resident(session)
    with pytest.raises(Forbidden):
        rate(session, request.id, stranger.id, 1)


def test_a_job_that_is_not_done_cannot_be_rated(session: Session) -> None:
    requester = make_resident(session)
    request = make_request(session, requester)
    with pytest.raises(Conflict, match="finished"):
        rate(session, request.id, requester.id, 5)


def test_second_different_rating_is_a_conflict_with_a_clear_message(session: Session) -> None:
    request, requester, _ = finished_job(session)
    rate(session, request.id, requester.id, 5, "Parfait")
    session.commit()
    with pytest.raises(Conflict, match=r"already rated this job \(5/5\)"):
        rate(session, request.id, requester.id, 2, "Finalement non")


def test_the_same_rating_sent_again_returns_the_first(session: Session) -> None:
    request, requester, _ = finished_job(session)
    first = rate(session, request.id, requester.id, 4, "Bien")
    session.commit()
    again = rate(session, request.id, requester.id, 4, "  Bien ")
    session.commit()
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Rating)) == 1


def test_stars_out_of_range_are_refused_by_the_service(session: Session) -> None:
    request, requester, _ = finished_job(session)
    with pytest.raises(InvalidInput):
        rate(session, request.id, requester.id, 6)


def test_summary_counts_only_ratings_received_as_helper_in_one_query(session: Session) -> None:
    helper = make_helper(session, "Karim Benali")
    other = make_helper(session, "Sophie Laurent")
    unrated = make_helper(session)
    for stars in (5, 4, 3):
        request, requester, _ = finished_job(session, helper=helper)
        rate(session, request.id, requester.id, stars)
    # Karim asked for help once, and was rated 1 as a requester: not a helper rating.
    request, _, _ = finished_job(session, requester=helper, helper=other)
    rate(session, request.id, other.id, 1)
    session.commit()

    summary = helper_rating_summary(session, [helper.id, other.id, unrated.id])
    assert summary == {helper.id: (3, pytest.approx(4.0))}
    assert helper_rating_summary(session, []) == {}


def test_public_ratings_show_a_first_name_only(session: Session) -> None:
    request, requester, helper = finished_job(session)
    rate(session, request.id, requester.id, 5, "Très gentil")
    session.commit()
    items, total = ratings_of_helper(session, helper.id)
    assert total == 1
    assert items[0].rater_first_name == "Odette"
    assert "Girard" not in items[0].model_dump_json()


def test_simultaneous_identical_ratings_store_one(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    request, requester, _ = finished_job(session)
    session.commit()
    barrier = threading.Barrier(4)

    def send() -> int:
        barrier.wait()
        with session_factory() as s, s.begin():
            return rate(s, request.id, requester.id, 5, "Merci").id

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(lambda _: send(), range(4)))
    assert len(ids) == 1
    assert session.scalar(select(func.count()).select_from(Rating)) == 1
