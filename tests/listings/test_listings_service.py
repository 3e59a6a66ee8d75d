from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.errors import Conflict, Forbidden, InvalidInput
from backend.listings.models import ListingKind, ListingStatus
from backend.listings.schemas import ListingCreate
from backend.listings.service import (
    close_listing,
    create_listing,
    effective_status,
    expire_listings,
    get_listing,
    list_nearby,
)
from backend.people.models import Role
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from tests.factories import CENTRE, make_resident

NOW = utcnow()
# About 1.1 km north and 3.3 km north of the test centre.
NEAR = (CENTRE[0] + 0.01, CENTRE[1])
FAR = (CENTRE[0] + 0.03, CENTRE[1])


def _post(session: Session, author_id: int, **fields: object) -> int:
    data = ListingCreate.model_validate({"kind": "offer", "title": "Je prête ma perceuse"} | fields)
    return create_listing(session, author_id, data, now=NOW).id


def test_listing_defaults_to_the_authors_home_and_a_lifetime(session: Session) -> None:
    author = make_resident(session, "Lucie Bernard")
    listing = get_listing(session, _post(session, author.id))
    assert (listing.lat, listing.lon) == CENTRE
    assert listing.neighbourhood == "Presqu'île"
    assert listing.status == ListingStatus.active
    assert listing.expires_at is not None and listing.expires_at > NOW


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": NOW - timedelta(minutes=1)}, "future"),
        ({"kind": "event"}, "starts_at"),
        ({"expires_at": NOW + timedelta(days=800)}, "one year"),
        (
            {
                "kind": "event",
                "starts_at": NOW + timedelta(days=3),
                "expires_at": NOW + timedelta(days=2),
            },
            "before it starts",
        ),
    ],
)
def test_incoherent_listing_is_refused(
    session: Session, fields: dict[str, object], message: str
) -> None:
    author = make_resident(session)
    with pytest.raises(InvalidInput, match=message):
        _post(session, author.id, **fields)


def test_unknown_kind_or_service_or_blank_title_fails_validation() -> None:
    for bad in ({"kind": "garage_sale"}, {"service": "juggling"}, {"title": "   "}):
        with pytest.raises(ValueError):
            ListingCreate.model_validate({"kind": "offer", "title": "Perceuse"} | bad)


def test_nearby_lists_only_live_listings_nearest_first(session: Session) -> None:
    author = make_resident(session)
    far = _post(session, author.id, title="Loin", lat=FAR[0], lon=FAR[1])
    near = _post(session, author.id, title="Tout près", lat=NEAR[0], lon=NEAR[1])
    here = _post(session, author.id, title="Ici")
    closed = _post(session, author.id, title="Fermée")
    close_listing(session, closed, author, now=NOW)
    expiring = _post(session, author.id, title="Bientôt finie", expires_at=NOW + timedelta(hours=1))
    session.commit()

    hits, total = list_nearby(session, now=NOW, near=CENTRE, radius_km=2)
    assert [h.listing.id for h in hits] == [expiring, here, near]  # a tie: newest first
    assert total == 3
    assert hits[2].distance_km == pytest.approx(1.11, abs=0.02)

    later = NOW + timedelta(hours=2)
    hits, total = list_nearby(session, now=later, near=CENTRE, radius_km=5)
    assert [h.listing.id for h in hits] == [here, near, far]
    assert total == 3


def test_nearby_pages_and_filters_by_kind_and_neighbourhood(session: Session) -> None:
    author = make_resident(session)
    ids = [_post(session, author.id, title=f"Offre {i}") for i in range(3)]
    alert = _post(session, author.id, kind="alert", title="Chat perdu", neighbourhood="Pentes")
    session.commit()

    hits, total = list_nearby(session, now=NOW, limit=2, offset=0)
    assert total == 4
    assert [h.listing.id for h in hits] == [alert, ids[2]]  # newest first
    hits, _ = list_nearby(session, now=NOW, near=CENTRE, limit=2, offset=2)
    assert len(hits) == 2

    hits, total = list_nearby(session, now=NOW, kind=ListingKind.alert)
    assert ([h.listing.id for h in hits], total) == ([alert], 1)
    hits, total = list_nearby(session, now=NOW, neighbourhood="pentes")
    assert ([h.listing.id for h in hits], total) == ([alert], 1)


def test_expired_listing_reads_as_expired_before_the_sweep_marks_it(session: Session) -> None:
    author = make_resident(session)
    short = _post(session, author.id, expires_at=NOW + timedelta(minutes=5))
    long = _post(session, author.id)
    session.commit()
    later = NOW + timedelta(minutes=10)
    assert effective_status(get_listing(session, short), later) == ListingStatus.expired

    assert expire_listings(session, later) == 1
    session.commit()
    assert get_listing(session, short).status == ListingStatus.expired
    assert get_listing(session, long).status == ListingStatus.active
    assert expire_listings(session, later) == 0


def test_only_the_author_or_a_dispatcher_closes_a_listing(session: Session) -> None:
    author = make_resident(session)
    neighbour = make_resident(session)
    dispatcher = create_person(session, PersonCreate(display_name="Nadia", roles=[Role.dispatcher]))
    first, second = _post(session, author.id), _post(session, author.id)

    with pytest.raises(Forbidden):
        close_listing(session, first, neighbour, now=NOW)
    assert close_listing(session, first, author, now=NOW).status == ListingStatus.closed
    assert close_listing(session, first, author, now=NOW).status == ListingStatus.closed
    assert close_listing(session, second, dispatcher, now=NOW).status == ListingStatus.closed


def test_closing_an_expired_listing_is_a_conflict(session: Session) -> None:
    author = make_resident(session)
    listing = _post(session, author.id, expires_at=NOW + timedelta(minutes=5))
    with pytest.raises(Conflict, match="expired"):
        close_listing(session, listing, author, now=NOW + timedelta(hours=1))
