"""An address said in words keeps its house number, however the number is said."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from backend.people.geocoding import locate, spoken_to_written
from backend.people.schemas import AddressIn, PersonCreate
from backend.people.service import create_person

SAID = [
    ("j'habite au 5 rue d'Ivry", "5 rue d'Ivry"),
    ("j'habite au 5 bis rue d'Ivry", "5 bis rue d'Ivry"),
    ("5bis rue d'Ivry", "5 bis rue d'Ivry"),
    ("c'est au 12 ter rue d'Ivry", "12 ter rue d'Ivry"),
    ("j'habite au cinq rue d'ivry", "5 rue d'Ivry"),
    ("euh c'est au cinq bis rue d'ivry", "5 bis rue d'Ivry"),
    ("au 14 de la rue d'Ivry", "14 rue d'Ivry"),
    ("au quatorze de la rue d'Ivry", "14 rue d'Ivry"),
    ("au numéro 7, rue d'Ivry", "7 rue d'Ivry"),
    ("vingt et un rue d'Ivry à Lyon", "21 rue d'Ivry"),
    ("quatre-vingt-douze rue d'Ivry", "92 rue d'Ivry"),
    ("deux cent douze rue d'Ivry", "212 rue d'Ivry"),
    ("j'habite rue d'Ivry", "rue d'Ivry"),
]


@pytest.mark.parametrize(("said", "street"), SAID)
def test_a_known_street_keeps_the_house_number_as_said(
    session: Session, said: str, street: str
) -> None:
    create_person(
        session,
        PersonCreate(
            display_name="Jeanne Martin",
            address=AddressIn(
                street="40 rue d'Ivry", postcode="69004", city="Lyon", lat=45.77, lon=4.83
            ),
        ),
    )
    session.flush()
    found = locate(session, said)
    assert found is not None and found.street == street
    assert (found.lat, found.lon) == (45.77, 4.83)


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("j'habite au 5 rue Imaginaire", "5 rue Imaginaire"),
        ("c'est au cinq bis rue imaginaire, au deuxième", "5 bis rue imaginaire, au deuxième"),
        ("au 14 de la rue Imaginaire", "14 rue Imaginaire"),
        ("I live at 5 Baker Street", "5 Baker Street"),
        ("i live at five baker street", "5 baker street"),
        ("I live at 221b Baker Street", "221b Baker Street"),
        ("quarante rue imaginaire", "40 rue imaginaire"),
        ("chez ma fille", "chez ma fille"),
        ("j'ai deux chats", "j'ai deux chats"),
    ],
)
def test_an_unknown_address_is_written_from_its_house_number_on(said: str, written: str) -> None:
    assert spoken_to_written(said) == written


@pytest.mark.parametrize(
    ("said", "street"),
    [
        ("j'habite au 5 rue d'Ivry", None),  # another street that only shares "rue"
        ("3 rue des lilas", None),
        ("12 avenue de la République", None),  # the same name, another kind of street
        ("12 rue de la republique", "12 rue de la République"),
        ("12 rue de la républic au troisième", "12 rue de la République"),
        ("douze rue de la république", "12 rue de la République"),
    ],
)
def test_only_a_street_of_the_same_kind_and_a_close_name_is_found(
    session: Session, said: str, street: str | None
) -> None:
    create_person(
        session,
        PersonCreate(
            display_name="Jeanne Martin",
            address=AddressIn(
                street="40 rue de la République", postcode="69002", city="Lyon", lat=45.76, lon=4.83
            ),
        ),
    )
    session.flush()
    found = locate(session, said)
    assert (found.street if found else None) == street
