"""The people pages: search, a person's file, verifying helpers and addresses, suspending."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from backend.auth.models import AuthToken
from backend.conversations.models import Conversation
from backend.people.models import Person, PersonStatus, PostcardCode, Role
from backend.people.postcards import redeem_postcard_code
from backend.people.schemas import PersonCreate
from backend.people.service import create_person
from backend.trust.models import Vouch
from backend.trust.service import rate, report
from tests.console.console_helpers import log_in, make_staff
from tests.factories import make_helper, make_request, make_resident
from tests.trust.trust_helpers import finished_job

Login = Callable[[int], dict[str, str]]
VERIFIED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

PAGES = ["/console/people", "/console/people/{id}"]
ACTIONS = [
    "/console/people/{id}/verify-helper",
    "/console/people/{id}/suspend",
    "/console/people/{id}/reinstate",
    "/console/people/{id}/postcard",
    "/console/people/{id}/vouches",
]


def _desk(client: TestClient, session: Session) -> str:
    make_staff(session, "nadia")
    return log_in(client, "nadia")


def _verified_neighbour(session: Session, name: str) -> Person:
    person = make_resident(session, name)
    person.addresses[0].verified_at = VERIFIED_AT
    session.flush()
    return person


def _post(client: TestClient, path: str, csrf: str, **data: str) -> object:
    """A form posted from the page it is on, as a browser does (the Referer says where)."""
    page = re.sub(r"/[a-z-]+$", "", path)
    return client.post(path, data={"csrf": csrf, **data}, headers={"Referer": page})


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-person="\d+">\s*<th scope="row"><a [^>]*>([^<]*)</a>', html)


# On SQLite every transaction holds the write lock: the checks below read in a session of
# their own, closed before the next request (which would wait for it otherwise).


def _person(session: Session, person_id: int) -> Person:
    with Session(session.get_bind(), expire_on_commit=False) as reader:
        person = reader.get_one(Person, person_id)
        _ = person.helper_profile, person.addresses  # loaded for the assertions
        reader.commit()
    return person


def _all(session: Session, stmt: Select[Any]) -> list[Any]:
    with Session(session.get_bind(), expire_on_commit=False) as reader:
        rows = list(reader.scalars(stmt))
        reader.commit()
    return rows


def _count(session: Session, model: type[Any]) -> int:
    return len(_all(session, select(model)))


# -- search ---------------------------------------------------------------------------------


def test_search_by_name_finds_part_of_a_name_whatever_the_case(
    client: TestClient, session: Session
) -> None:
    csrf = _desk(client, session)
    assert csrf
    make_resident(session, "Jeanne Martin")
    make_resident(session, "Paul Roux")
    session.commit()
    page = client.get("/console/people", params={"q": "jeanne"})
    assert page.status_code == 200
    assert _rows(page.text) == ["Jeanne Martin"]
    assert "Personnes trouvées : 1" in page.text
    assert 'value="jeanne"' in page.text  # the search stays in its box
    assert '<label for="q">Nom ou téléphone</label>' in page.text


def test_search_by_a_phone_typed_the_french_way(client: TestClient, session: Session) -> None:
    _desk(client, session)
    make_resident(session, "Odette Girard", phone="+33465718939")
    make_resident(session, "Paul Roux", phone="+33465000000")
    session.commit()
    typed = client.get("/console/people", params={"q": "04 65 71 89 39"})
    assert _rows(typed.text) == ["Odette Girard"]
    assert "Numéro recherché : +33 4 65 71 89 39" in typed.text
    assert "+33 4 65 71 89 39" in typed.text.split("<tbody>")[1]  # shown readable in the row
    for q in ("0465718939", "+33 4 65 71 89 39", "71 89 39"):
        assert _rows(client.get("/console/people", params={"q": q}).text) == ["Odette Girard"], q
    assert _rows(client.get("/console/people", params={"q": "04 65"}).text) == [
        "Paul Roux",
        "Odette Girard",
    ]


def test_role_and_status_filters(client: TestClient, session: Session) -> None:
    _desk(client, session)
    make_resident(session, "Jeanne Martin")
    make_helper(session, "Karim Benali")
    suspended = make_resident(session, "Gaston Suspendu")
    suspended.status = PersonStatus.suspended
    session.commit()
    helpers = client.get("/console/people", params={"role": "helper"})
    assert _rows(helpers.text) == ["Karim Benali"]
    assert '<option value="helper" selected>' in helpers.text
    assert _rows(client.get("/console/people?role=dispatcher").text) == ["Nadia"]
    assert _rows(client.get("/console/people?status=suspended").text) == ["Gaston Suspendu"]
    both = client.get("/console/people?role=resident&status=active")
    assert _rows(both.text) == ["Karim Benali", "Jeanne Martin"]
    # A hand-edited value shows everyone rather than an error.
    assert len(_rows(client.get("/console/people?role=king&page=x").text)) == 4


def test_fifty_people_a_page_with_previous_and_next(client: TestClient, session: Session) -> None:
    _desk(client, session)
    for n in range(55):
        create_person(session, PersonCreate(display_name=f"Voisin {n:02d}"))
    session.commit()
    first = client.get("/console/people")
    assert _rows(first.text) == [f"Voisin {n:02d}" for n in range(54, 4, -1)]  # newest first
    assert "Page 1 sur 2" in first.text
    assert 'href="/console/people?page=2"' in first.text and 'rel="prev"' not in first.text
    second = client.get("/console/people?page=2")
    assert _rows(second.text) == [f"Voisin {n:02d}" for n in range(4, -1, -1)] + ["Nadia"]
    assert 'href="/console/people?page=1"' in second.text and 'rel="next"' not in second.text
    # The filters ride along from page to page.
    filtered = client.get("/console/people?q=voisin&status=active")
    assert 'href="/console/people?q=voisin&amp;status=active&amp;page=2"' in filtered.text


def test_the_newest_members_come_first_in_an_order_that_holds_from_page_to_page(
    client: TestClient, session: Session
) -> None:
    _desk(client, session)
    joined = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    # Entered in this order; joined on other days (an older member typed in late), two of
    # them at the same moment: the id settles those, the same way at every page.
    for name, days_ago in (("Ancien", 30), ("Récent", 1), ("Moyen", 10), ("Jumeau A", 5)):
        person = make_resident(session, name)
        person.created_at = joined - timedelta(days=days_ago)
    twin = make_resident(session, "Jumeau B")
    twin.created_at = joined - timedelta(days=5)
    session.commit()
    everyone = _rows(client.get("/console/people?role=resident").text)
    assert everyone == ["Récent", "Jumeau B", "Jumeau A", "Moyen", "Ancien"]
    assert _rows(client.get("/console/people?q=jumeau").text) == ["Jumeau B", "Jumeau A"]


# -- a person's file ------------------------------------------------------------------------


def test_the_file_shows_contacts_addresses_profile_history_and_trust(
    client: TestClient, session: Session
) -> None:
    _desk(client, session)
    karim = make_helper(session, "Karim Benali", phone="06 12 34 56 78", telegram_id=4242)
    job, odette, _ = finished_job(session, helper=karim)
    asked = make_request(session, karim, service="diy")
    rate(session, job.id, odette.id, 4, "très gentil")
    report(session, odette.id, "rude", "a claqué la porte", about_id=karim.id)
    chat = Conversation(channel="telegram", address="4242", person_id=karim.id, state={})
    session.add(chat)
    session.commit()

    page = client.get(f"/console/people/{karim.id}")
    assert page.status_code == 200
    html = page.text
    assert "<h1><span data-user-content>Karim Benali</span>" in html
    assert "+33 6 12 34 56 78" in html and "4242" in html
    assert karim.addresses[0].one_line() in html and "Presqu&#39;île" in html
    assert "non vérifiée" in html  # the address
    assert "aidant·e, habitant·e" in html and "français" in html
    helper = html.split('data-testid="helper-profile"')[1]
    assert "Courses" in helper and "5 km" in helper and "Disponible pour des offres" in helper
    assert f'href="/console/requests/{job.id}"' in html
    assert f'href="/console/requests/{asked.id}"' in html
    requests_table = html.split('data-testid="person-requests"')[1].split("</table>")[0]
    assert "demandeur·se" in requests_table and "Odette Girard" in requests_table
    assert "Faite" in requests_table and "Bricolage" in requests_table
    assert f'href="/console/conversations/{chat.id}"' in html
    assert f'href="/console/payments/people/{karim.id}"' in html
    trust = html.split('data-testid="person-trust"')[1]
    assert "1 avis reçus comme aidant·e, moyenne 4,0 sur 5." in trust
    assert "Signalements à traiter : 1" in trust and "comportement impoli" in trust


def test_an_unknown_person_is_a_404_page(client: TestClient, session: Session) -> None:
    _desk(client, session)
    page = client.get("/console/people/999")
    assert page.status_code == 404 and "Introuvable" in page.text


# -- helper verification, suspension ---------------------------------------------------------


def test_verifying_a_helper_is_stored_and_shown(client: TestClient, session: Session) -> None:
    csrf = _desk(client, session)
    karim = make_helper(session, "Karim Benali")
    session.commit()
    assert 'data-testid="verify-helper-form"' in client.get(f"/console/people/{karim.id}").text

    reply = _post(client, f"/console/people/{karim.id}/verify-helper", csrf)
    assert reply.status_code == 200  # type: ignore[attr-defined]
    assert "L&#39;aidant·e est marqué·e comme vérifié·e." in reply.text  # type: ignore[attr-defined]
    assert 'data-testid="verify-helper-form"' not in reply.text  # type: ignore[attr-defined]
    profile = _person(session, karim.id).helper_profile
    assert profile is not None and profile.verified_at is not None


def test_verifying_someone_without_a_helper_profile_is_refused(
    client: TestClient, session: Session
) -> None:
    csrf = _desk(client, session)
    jeanne = make_resident(session, "Jeanne Martin")
    session.commit()
    reply = _post(client, f"/console/people/{jeanne.id}/verify-helper", csrf)
    assert str(reply.url).endswith(f"/console/people/{jeanne.id}")  # type: ignore[attr-defined]
    assert "pas de profil d&#39;aidant·e à vérifier" in reply.text  # type: ignore[attr-defined]
    assert _person(session, jeanne.id).helper_profile is None


def test_suspending_ends_every_session_and_reinstating_brings_none_back(
    client: TestClient, session: Session, login_as: Login
) -> None:
    csrf = _desk(client, session)
    jeanne = make_resident(session, "Jeanne Martin")
    session.commit()
    api = login_as(jeanne.id)
    assert client.get("/api/v1/people/me", headers=api).status_code == 200

    suspended = _post(client, f"/console/people/{jeanne.id}/suspend", csrf)
    assert "Compte suspendu : ses sessions sont fermées." in suspended.text  # type: ignore[attr-defined]
    assert 'data-testid="reinstate-form"' in suspended.text  # type: ignore[attr-defined]
    assert _person(session, jeanne.id).status == PersonStatus.suspended
    tokens = _all(session, select(AuthToken).where(AuthToken.person_id == jeanne.id))
    assert tokens and all(t.revoked_at is not None for t in tokens)
    assert client.get("/api/v1/people/me", headers=api).status_code == 401

    reinstated = _post(client, f"/console/people/{jeanne.id}/reinstate", csrf)
    assert "Compte réactivé." in reinstated.text  # type: ignore[attr-defined]
    assert _person(session, jeanne.id).status == PersonStatus.active
    assert client.get("/api/v1/people/me", headers=api).status_code == 401  # log in anew
    assert client.get("/api/v1/people/me", headers=login_as(jeanne.id)).status_code == 200


def test_the_suspend_button_asks_for_confirmation(client: TestClient, session: Session) -> None:
    _desk(client, session)
    jeanne = make_resident(session, "Jeanne Martin")
    session.commit()
    page = client.get(f"/console/people/{jeanne.id}").text
    form = page.split(f'action="/console/people/{jeanne.id}/suspend"')[1].split(">")[0]
    assert 'data-confirm="Suspendre Jeanne Martin ?' in form


def test_a_dispatcher_cannot_suspend_themselves(client: TestClient, session: Session) -> None:
    csrf = _desk(client, session)
    [nadia] = _all(session, select(Person).where(Person.login == "nadia"))
    reply = _post(client, f"/console/people/{nadia.id}/suspend", csrf)
    assert "Vous ne pouvez pas suspendre votre propre compte." in reply.text  # type: ignore[attr-defined]
    assert _person(session, nadia.id).status == PersonStatus.active
    assert client.get("/console/people").status_code == 200  # still logged in


# -- postcards ------------------------------------------------------------------------------


def test_the_postcard_code_is_shown_once_then_only_as_pending(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    csrf = _desk(client, session)
    jeanne = make_resident(session, "Jeanne Martin")
    session.commit()
    with caplog.at_level(logging.DEBUG):
        issued = client.post(
            f"/console/people/{jeanne.id}/postcard", data={"csrf": csrf}, follow_redirects=False
        )
    assert issued.status_code == 201
    assert issued.headers["cache-control"] == "no-store"
    found = re.search(r'class="postcard-code">(\d{3}) (\d{3})<', issued.text)
    assert found, issued.text
    code = found.group(1) + found.group(2)
    shown = issued.text.split('data-testid="postcard-code"')[1].split("</div>")[0]
    assert f"Jeanne Martin, {jeanne.addresses[0].one_line()}" in shown
    assert "Valable jusqu&#39;au" in shown and "affiché qu&#39;une fois" in shown
    assert code not in caplog.text and code not in str(issued.url)

    later = client.get(f"/console/people/{jeanne.id}").text
    assert code not in later and found.group(0) not in later
    assert "Carte envoyée le" in later and "0 essai(s) sur 5" in later
    assert "Envoyer une nouvelle carte" in later  # replacing it asks first
    # Reloading the page the form answered, or switching its language, shows the file.
    english = client.get(f"/console/people/{jeanne.id}/postcard?lang=en")
    assert english.url.path == f"/console/people/{jeanne.id}" and "Card sent on" in english.text
    client.get(f"/console/people/{jeanne.id}?lang=fr")

    assert redeem_postcard_code(session, jeanne.id, code).verified
    session.commit()
    verified = client.get(f"/console/people/{jeanne.id}").text
    assert 'data-testid="address-verified"' in verified and "Carte envoyée" not in verified
    assert 'data-testid="postcard-form"' not in verified


def test_no_postcard_without_an_address_nor_for_a_verified_one(
    client: TestClient, session: Session
) -> None:
    csrf = _desk(client, session)
    nobody = create_person(session, PersonCreate(display_name="Sans Adresse"))
    verified = _verified_neighbour(session, "Paul Roux")
    session.commit()
    page = client.get(f"/console/people/{nobody.id}").text
    assert "Pas d&#39;adresse : rien à vérifier." in page
    assert 'data-testid="postcard-form"' not in page

    refused = _post(client, f"/console/people/{nobody.id}/postcard", csrf)
    assert refused.status_code == 200  # type: ignore[attr-defined]
    assert "n&#39;a pas d&#39;adresse à vérifier" in refused.text  # type: ignore[attr-defined]
    again = _post(client, f"/console/people/{verified.id}/postcard", csrf)
    assert "Cette adresse est déjà vérifiée." in again.text  # type: ignore[attr-defined]
    assert _count(session, PostcardCode) == 0


# -- vouching -------------------------------------------------------------------------------


def test_two_vouches_from_verified_neighbours_verify_the_address(
    client: TestClient, session: Session
) -> None:
    csrf = _desk(client, session)
    jeanne = make_resident(session, "Jeanne Martin")
    paul = _verified_neighbour(session, "Paul Roux")
    lucie = _verified_neighbour(session, "Lucie Bon")
    make_resident(session, "Pas Vérifié")  # a neighbour, but not verified: not offered
    session.commit()
    page = client.get(f"/console/people/{jeanne.id}").text
    assert "Deux parrainages de voisins dont l&#39;adresse est vérifiée" in page
    options = re.findall(r'<option value="(\d+)"[^>]*>([^—<]+) —', page)
    assert sorted(name.strip() for _, name in options) == ["Lucie Bon", "Paul Roux"]
    assert '<label for="voucher_id">' in page and '<label for="vouch-note">' in page

    first = _post(
        client,
        f"/console/people/{jeanne.id}/vouches",
        csrf,
        voucher_id=str(paul.id),
        note="voisin de palier",
    )
    assert "Parrainage enregistré." in first.text  # type: ignore[attr-defined]
    assert "Pour l&#39;adresse actuelle : 1 sur 2." in first.text  # type: ignore[attr-defined]
    listed = first.text.split('data-testid="vouches"')[1].split("</ul>")[0]  # type: ignore[attr-defined]
    assert "Paul Roux" in listed and "voisin de palier" in listed
    assert _person(session, jeanne.id).addresses[0].verified_at is None

    second = _post(client, f"/console/people/{jeanne.id}/vouches", csrf, voucher_id=str(lucie.id))
    assert "l&#39;adresse est maintenant vérifiée" in second.text  # type: ignore[attr-defined]
    assert _person(session, jeanne.id).addresses[0].verified_at is not None
    recorded = _all(session, select(Vouch).where(Vouch.person_id == jeanne.id))
    assert {(v.voucher_id, v.note) for v in recorded} == {
        (paul.id, "voisin de palier"),
        (lucie.id, ""),
    }
    [nadia] = _all(session, select(Person).where(Person.login == "nadia"))
    assert {v.recorded_by_id for v in recorded} == {nadia.id}


def test_a_refused_vouch_keeps_the_note_and_records_nothing(
    client: TestClient, session: Session
) -> None:
    csrf = _desk(client, session)
    jeanne = make_resident(session, "Jeanne Martin")
    paul = _verified_neighbour(session, "Paul Roux")
    unverified = make_resident(session, "Pas Vérifié")
    nobody = create_person(session, PersonCreate(display_name="Sans Adresse"))
    session.commit()
    path = f"/console/people/{jeanne.id}/vouches"
    _post(client, path, csrf, voucher_id=str(paul.id))

    twice = _post(client, path, csrf, voucher_id=str(paul.id), note="encore lui")
    assert twice.status_code == 409  # type: ignore[attr-defined]
    assert "a déjà parrainé cette adresse" in twice.text  # type: ignore[attr-defined]
    assert 'role="alert" id="vouch-error"' in twice.text  # type: ignore[attr-defined]
    assert ">encore lui</textarea>" in twice.text  # type: ignore[attr-defined]

    not_verified = _post(client, path, csrf, voucher_id=str(unverified.id), note="sûr")
    assert not_verified.status_code == 422  # type: ignore[attr-defined]
    assert "n&#39;est pas vérifiée" in not_verified.text  # type: ignore[attr-defined]
    itself = _post(client, path, csrf, voucher_id=str(jeanne.id))
    assert "ne peut pas se parrainer elle-même" in itself.text  # type: ignore[attr-defined]
    unchosen = _post(client, path, csrf, voucher_id="", note="oubli")
    assert unchosen.status_code == 422  # type: ignore[attr-defined]
    assert "Choisissez le ou la voisin·e" in unchosen.text  # type: ignore[attr-defined]
    no_home = _post(client, f"/console/people/{nobody.id}/vouches", csrf, voucher_id=str(paul.id))
    assert no_home.status_code == 409  # type: ignore[attr-defined]
    assert "n&#39;a pas d&#39;adresse à vérifier" in no_home.text  # type: ignore[attr-defined]

    assert _count(session, Vouch) == 1
    assert _person(session, jeanne.id).addresses[0].verified_at is None


# -- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_the_login_form(
    client: TestClient, session: Session, path: str
) -> None:
    jeanne = make_resident(session, "Jeanne Martin")
    session.commit()
    reply = client.get(path.format(id=jeanne.id), follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/console/login?next=")


def _untouched(session: Session, person_id: int) -> None:
    person = _person(session, person_id)
    assert person.status == PersonStatus.active
    assert person.helper_profile is not None and person.helper_profile.verified_at is None
    assert _count(session, PostcardCode) == 0
    assert _count(session, Vouch) == 0
    assert all(t.revoked_at is None for t in _all(session, select(AuthToken)))


@pytest.mark.parametrize("path", ACTIONS)
def test_actions_refuse_strangers_and_change_nothing(
    client: TestClient, session: Session, path: str
) -> None:
    karim = make_helper(session, "Karim Benali")
    paul = _verified_neighbour(session, "Paul Roux")
    session.commit()
    reply = client.post(
        path.format(id=karim.id),
        data={"csrf": "x", "voucher_id": str(paul.id)},
        follow_redirects=False,
    )
    assert reply.status_code == 401
    _untouched(session, karim.id)


@pytest.mark.parametrize("path", PAGES + ACTIONS)
def test_a_resident_is_refused_every_page_and_action(
    client: TestClient, session: Session, login_as: Login, path: str
) -> None:
    karim = make_helper(session, "Karim Benali")
    paul = _verified_neighbour(session, "Paul Roux")
    jeanne = make_resident(session, "Jeanne Martin")
    session.commit()
    token = login_as(jeanne.id)["Authorization"].removeprefix("Bearer ")
    client.cookies.set("cdm_session", token)
    target = path.format(id=karim.id)
    if path in PAGES:
        reply = client.get(target)
    else:
        reply = client.post(target, data={"csrf": "x", "voucher_id": str(paul.id)})
    assert reply.status_code == 403
    assert "réservée aux opérateurs" in reply.text
    _untouched(session, karim.id)


def test_a_helper_with_a_session_is_refused_too(
    client: TestClient, session: Session, login_as: Login
) -> None:
    karim = make_helper(session, "Karim Benali")
    session.commit()
    client.cookies.set("cdm_session", login_as(karim.id)["Authorization"].removeprefix("Bearer "))
    assert karim.has_role(Role.helper)
    assert client.get("/console/people").status_code == 403
