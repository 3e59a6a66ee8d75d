from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from backend.ledger import service
from backend.ledger.accounts import open_account
from backend.ledger.funding import issue_time_credits, record_cash_deposit
from backend.ledger.jobs import settle_job
from backend.ledger.models import Account, AccountKind, Transfer, TransferKind, TransferStatus
from backend.ledger.verify import verify
from backend.requests.models import PayMode
from console.money_input import AmountError, parse_amount
from tests.console.console_helpers import hidden, log_in, make_staff
from tests.factories import make_helper, make_request, make_resident


@dataclass
class Neighbours:
    """A cash job (helper owes a commission, paid back partly in cash) and a time-credit job
    whose 90 minutes are held for the helper."""

    requester: int
    helper: int
    request: int  # the time-credit job
    cash_job: int
    commission: int  # transfer id
    deposit: int
    hold: int


def _neighbours(session: Session) -> Neighbours:
    requester = make_resident(session, "Marie Dupont")
    helper = make_helper(session, "Karim Benali")
    cash_job = make_request(session, requester, pay_mode=PayMode.cash, price_cents=2_000)
    time_job = make_request(session, requester, pay_mode=PayMode.time_credits)
    session.flush()
    settled = settle_job(
        session,
        request_id=cash_job.id,
        requester_id=requester.id,
        helper_id=helper.id,
        pay_mode=PayMode.cash,
        price_cents=2_000,
        commission_bps=1_000,
    )
    deposit = record_cash_deposit(session, helper.id, 150)
    issue_time_credits(session, requester.id, 120)
    hold = service.hold(
        session,
        debit_account_id=open_account(session, AccountKind.person_time, requester.id).id,
        credit_account_id=open_account(session, AccountKind.person_time, helper.id).id,
        amount=90,
        memo="courses du mardi",
        job_id=time_job.id,
    )
    make_staff(session, "nadia")  # commits
    assert settled.transfer_id is not None
    return Neighbours(
        requester.id, helper.id, time_job.id, cash_job.id, settled.transfer_id, deposit.id, hold.id
    )


def _rows(page: str, attribute: str) -> list[str]:
    """The visible text of each table row carrying `attribute`, spaces collapsed."""
    found = re.findall(rf"<tr {attribute}=.*?</tr>", page, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in found]


def _form(page: str, testid: str) -> dict[str, str]:
    """The hidden fields of one form of the page, as a browser would send them."""
    found = re.search(rf'<form [^>]*data-testid="{testid}".*?</form>', page, flags=re.S)
    assert found, f"no form {testid!r}"
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', found.group(0)))


# Each read ends its transaction: on SQLite an open one would lock the app out.


def _refund(client: TestClient, n: Neighbours, **typed: str) -> Response:
    """The commission's refund form on the helper's page, filled in and sent."""
    page = client.get(f"/console/payments/people/{n.helper}").text
    form = {**_form(page, f"refund-form-{n.commission}"), **typed}
    return client.post(f"/console/payments/transfers/{n.commission}/refund", data=form)


def _capture(client: TestClient, n: Neighbours, **typed: str) -> Response:
    """The hold's capture form on the requester's page, filled in and sent."""
    page = client.get(f"/console/payments/people/{n.requester}").text
    form = {**_form(page, f"capture-form-{n.hold}"), **typed}
    return client.post(f"/console/payments/holds/{n.hold}/capture", data=form)


def _field_error(reply: Response, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', reply.text)
    assert found, f"no error {element_id!r} on the page"
    return html.unescape(found.group(1))


def _balance(session: Session, kind: AccountKind, owner: int) -> tuple[int, int]:
    account = session.scalars(
        select(Account).where(Account.kind == kind, Account.owner_id == owner)
    ).one()
    found = account.balance, account.pending_debits
    session.rollback()
    return found


def _count(session: Session, kind: TransferKind) -> int:
    found = session.scalar(select(func.count()).where(Transfer.kind == kind)) or 0
    session.rollback()
    return found


def _status(session: Session, transfer_id: int) -> str:
    found = session.get_one(Transfer, transfer_id).status
    session.rollback()
    return found


def _assert_sound(session: Session) -> None:
    report = verify(session)
    session.rollback()
    assert report.ok, report.describe()


# --- What the pages show ------------------------------------------------------------------


def test_person_page_shows_the_exact_balances_and_statement(
    client: TestClient, session: Session
) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")

    helper = client.get(f"/console/payments/people/{n.helper}")
    assert helper.status_code == 200
    assert "Comptes de Karim Benali" in helper.text
    assert _rows(helper.text, "data-account") == [
        "Compte avec l'association -0,50 € 0,00 € -0,50 €",
        "Crédits temps 0 min 0 min 0 min",
    ]
    commission, deposit = _rows(helper.text, "data-entry")[::-1]
    assert "Commission -2,00 € -2,00 €" in commission
    assert "Commissions de l'association" in commission
    assert f"Commission · Demande n° {n.cash_job}" in commission
    assert "Dépôt d'espèces +1,50 € -0,50 € Caisse (espèces)" in deposit

    requester = client.get(f"/console/payments/people/{n.requester}")
    assert _rows(requester.text, "data-account") == ["Crédits temps 2 h 00 1 h 30 30 min"]
    (granted,) = _rows(requester.text, "data-entry")
    assert "Crédits accordés +2 h 00 2 h 00 Émission de crédits temps" in granted
    (hold,) = _rows(requester.text, "data-hold")
    assert "Crédits temps" in hold and "Karim Benali" in hold and "1 h 30" in hold
    assert "courses du mardi" in hold and f"Demande n° {n.request}" in hold
    assert f'href="/console/requests/{n.request}"' in requester.text


def test_overview_lists_pending_holds_latest_transfers_and_the_check_button(
    client: TestClient, session: Session
) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    page = client.get("/console/payments")
    assert page.status_code == 200
    (hold,) = _rows(page.text, "data-hold")
    assert hold.startswith("Marie Dupont (Crédits temps) Karim Benali (Crédits temps) 1 h 30")
    assert "Encaisser tout" in hold and "Libérer" in hold
    assert f'data-testid="capture-form-{n.hold}"' in page.text
    assert f'data-testid="release-form-{n.hold}"' in page.text
    transfers = _rows(page.text, "data-transfer")
    assert transfers[0].startswith(
        "Réservation Marie Dupont (Crédits temps) → Karim Benali (Crédits temps) 1 h 30 En attente"
    )
    assert any(
        row.startswith(
            "Commission Karim Benali (Compte avec l'association) → "
            "Commissions de l'association (l'association) 2,00 € Effectué"
        )
        for row in transfers
    )
    assert "Vérifier les comptes" in page.text and 'data-testid="check-ledger"' in page.text
    english = client.get("/console/payments?lang=en")
    assert "Pending holds" in english.text and "Capture all" in english.text


def test_search_by_name_leads_to_the_persons_ledger(client: TestClient, session: Session) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    page = client.get("/console/payments", params={"q": "karim"})
    assert f'href="/console/payments/people/{n.helper}">Karim Benali</a>' in page.text
    assert f"/console/payments/people/{n.requester}" not in page.text.split("pending-holds")[0]
    nobody = client.get("/console/payments", params={"q": "Zorglub"})
    assert "Personne ne correspond à « Zorglub »." in nobody.text


def test_check_the_ledger_says_sound_or_the_problems(client: TestClient, session: Session) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    sound = client.get("/console/payments/check")
    assert sound.status_code == 200 and "Les comptes sont justes." in sound.text
    session.execute(
        text("UPDATE ledger_accounts SET balance = balance + 1 WHERE owner_id = :p"),
        {"p": n.helper},
    )
    session.commit()
    broken = client.get("/console/payments/check")
    assert "Des incohérences ont été trouvées" in broken.text
    assert "balance differs from the sum of its entries" in broken.text


def test_statement_pages_with_the_before_cursor(client: TestClient, session: Session) -> None:
    person = make_resident(session, "Paul")
    for i in range(35):
        issue_time_credits(session, person.id, i + 1, memo=f"grant {i + 1}")
    make_staff(session, "nadia")
    log_in(client, "nadia")
    first = client.get(f"/console/payments/people/{person.id}")
    lines = _rows(first.text, "data-entry")
    assert len(lines) == 30 and "grant 35" in lines[0] and "grant 6 " in lines[-1] + " "
    older = re.search(r'href="([^"]*\?before=\d+)"', first.text)
    assert older
    second = client.get(html.unescape(older.group(1)))
    lines = _rows(second.text, "data-entry")
    assert [line.split("grant ")[1].split()[0] for line in lines] == ["5", "4", "3", "2", "1"]
    assert (
        "Écritures plus anciennes" not in second.text and "Revenir aux plus récentes" in second.text
    )
    # A cursor that is not one shows the newest lines rather than an error.
    assert "grant 35" in client.get(f"/console/payments/people/{person.id}?before=abc").text


# --- Capture, release, refund -------------------------------------------------------------


def test_capture_all_from_the_overview_pays_the_helper(
    client: TestClient, session: Session
) -> None:
    n = _neighbours(session)
    csrf = log_in(client, "nadia")
    form = _form(client.get("/console/payments").text, f"capture-form-{n.hold}")
    assert form["csrf"] == csrf and form["idempotency_key"] and "person" not in form
    reply = client.post(f"/console/payments/holds/{n.hold}/capture", data=form)
    assert reply.status_code == 200 and "Réservation encaissée." in reply.text
    assert str(reply.url).endswith("/console/payments")
    assert _balance(session, AccountKind.person_time, n.requester) == (30, 0)
    assert _balance(session, AccountKind.person_time, n.helper) == (90, 0)
    capture = session.scalars(select(Transfer).where(Transfer.kind == TransferKind.capture)).one()
    assert (capture.amount, capture.pending_id, capture.idempotency_key) == (
        90,
        n.hold,
        form["idempotency_key"],
    )
    assert _status(session, n.hold) == TransferStatus.posted
    _assert_sound(session)
    assert "Réservation encaissée" not in client.get("/console/payments").text  # shown once
    overview = client.get("/console/payments").text
    assert "Aucune réservation en attente." in overview
    kinds = [row.split(" Marie")[0] for row in _rows(overview, "data-transfer")[:2]]
    assert kinds == ["Encaissement", "Réservation"]
    assert "1 h 30 Encaissée" in _rows(overview, "data-transfer")[1]


def test_partial_capture_typed_in_hours_releases_the_rest(
    client: TestClient, session: Session
) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    reply = _capture(client, n, amount="1h")  # the form says which page it came from
    assert str(reply.url).endswith(f"/console/payments/people/{n.requester}")
    assert "Réservation encaissée." in reply.text
    assert _balance(session, AccountKind.person_time, n.requester) == (60, 0)
    assert _balance(session, AccountKind.person_time, n.helper) == (60, 0)
    assert "Aucune réservation en attente." in reply.text
    assert "Crédits temps 1 h 00 0 min 1 h 00" in _rows(reply.text, "data-account")
    assert "Encaissement -1 h 00 1 h 00 Karim Benali" in _rows(reply.text, "data-entry")[0]
    _assert_sound(session)


def test_release_gives_the_time_back_and_moves_nothing(
    client: TestClient, session: Session
) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    form = _form(client.get("/console/payments").text, f"release-form-{n.hold}")
    reply = client.post(f"/console/payments/holds/{n.hold}/release", data=form)
    assert "Réservation libérée." in reply.text
    assert _balance(session, AccountKind.person_time, n.requester) == (120, 0)
    assert _balance(session, AccountKind.person_time, n.helper) == (0, 0)
    assert _status(session, n.hold) == TransferStatus.voided
    _assert_sound(session)
    # Capturing it now is refused with the reason, and moves nothing.
    form = {**form, "idempotency_key": "another-click"}
    late = client.post(f"/console/payments/holds/{n.hold}/capture", data=form)
    assert late.status_code == 200 and "already voided" in late.text
    assert _count(session, TransferKind.capture) == 0


def test_refund_a_commission_gives_it_back_to_the_helper(
    client: TestClient, session: Session
) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    here = f"/console/payments/people/{n.helper}"
    reply = _refund(client, n, amount="0,75 €", memo="geste commercial")
    assert str(reply.url).endswith(here) and "Remboursement enregistré." in reply.text
    assert _balance(session, AccountKind.person_dues, n.helper) == (25, 0)
    latest = _rows(reply.text, "data-entry")[0]
    assert "Remboursement +0,75 € 0,25 € Commissions de l'association" in latest
    assert "geste commercial" in latest
    refund = session.scalars(select(Transfer).where(Transfer.kind == TransferKind.refund)).one()
    assert (refund.amount, refund.reverses_id) == (75, n.commission)
    assert "Au plus 1,25 €" in reply.text  # what is left to refund
    _assert_sound(session)


def test_the_same_form_sent_twice_refunds_once(client: TestClient, session: Session) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    here = f"/console/payments/people/{n.helper}"
    form = {**_form(client.get(here).text, f"refund-form-{n.commission}"), "amount": "1.00"}
    url = f"/console/payments/transfers/{n.commission}/refund"
    first = client.post(url, data=form)
    again = client.post(url, data=form)
    assert "Remboursement enregistré." in first.text
    assert "Déjà fait" in again.text
    assert _count(session, TransferKind.refund) == 1
    assert _balance(session, AccountKind.person_dues, n.helper) == (50, 0)
    _assert_sound(session)


def test_the_same_capture_sent_twice_captures_once(client: TestClient, session: Session) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    form = {
        **_form(
            client.get(f"/console/payments/people/{n.requester}").text, f"capture-form-{n.hold}"
        ),
        "amount": "45",
    }
    url = f"/console/payments/holds/{n.hold}/capture"
    assert "Réservation encaissée." in client.post(url, data=form).text
    assert "Déjà fait" in client.post(url, data=form).text
    assert _count(session, TransferKind.capture) == 1
    assert _balance(session, AccountKind.person_time, n.helper) == (45, 0)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("3,00", "On ne peut pas rembourser plus que ce qui reste : au plus 2,00 €."),
        ("0", "Le montant ne peut pas être nul."),
        ("douze euros", "Montant illisible."),
        ("1,505", "Au plus deux chiffres après la virgule."),
        ("-1", "Le montant doit être positif."),
        ("", "Indiquez un montant."),
    ],
)
def test_a_refused_refund_keeps_what_was_typed_and_changes_nothing(
    client: TestClient, session: Session, typed: str, reason: str
) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    reply = _refund(client, n, amount=typed, memo="mon motif")
    assert reply.status_code in (409, 422)
    assert _field_error(reply, f"refund-error-{n.commission}").startswith(reason)
    assert f'value="{html.escape(typed)}"' in reply.text and 'value="mon motif"' in reply.text
    assert f'aria-describedby="refund-hint-{n.commission} refund-error-{n.commission}"' in (
        reply.text
    )
    assert _count(session, TransferKind.refund) == 0
    assert _balance(session, AccountKind.person_dues, n.helper) == (-50, 0)


def test_a_too_long_refund_reason_is_refused_beside_it(
    client: TestClient, session: Session
) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    reply = _refund(client, n, amount="1", memo="x" * 301)
    assert reply.status_code == 422
    assert _field_error(reply, f"refund-memo-error-{n.commission}").startswith(
        "Le motif fait au plus 300"
    )
    assert 'value="1"' in reply.text
    assert _count(session, TransferKind.refund) == 0


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2h", "On ne peut pas encaisser plus que la réservation : au plus 1 h 30."),
        ("1h75", "Montant illisible."),
        ("0", "Le montant ne peut pas être nul."),
    ],
)
def test_a_refused_capture_keeps_what_was_typed_and_changes_nothing(
    client: TestClient, session: Session, typed: str, reason: str
) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    reply = _capture(client, n, amount=typed)
    assert reply.status_code == 422
    assert _field_error(reply, f"capture-error-{n.hold}").startswith(reason)
    assert f'value="{typed}"' in reply.text
    assert _count(session, TransferKind.capture) == 0
    assert _status(session, n.hold) == TransferStatus.pending
    assert _balance(session, AccountKind.person_time, n.requester) == (120, 90)


def test_a_form_without_its_idempotency_key_moves_nothing(
    client: TestClient, session: Session
) -> None:
    n = _neighbours(session)
    csrf = log_in(client, "nadia")
    reply = client.post(f"/console/payments/holds/{n.hold}/capture", data={"csrf": csrf})
    assert "idempotency key" in reply.text
    assert _status(session, n.hold) == TransferStatus.pending


# --- Who may --------------------------------------------------------------------------------

PAGES = [
    "/console/payments",
    "/console/payments/check",
    "/console/payments/people/1",
]
ACTIONS = [
    "/console/payments/holds/{hold}/capture",
    "/console/payments/holds/{hold}/release",
    "/console/payments/transfers/{commission}/refund",
]


def _unchanged(session: Session, n: Neighbours) -> None:
    session.expire_all()
    assert _status(session, n.hold) == TransferStatus.pending
    assert _count(session, TransferKind.capture) == 0
    assert _count(session, TransferKind.void) == 0
    assert _count(session, TransferKind.refund) == 0


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_the_login_form(client: TestClient, path: str) -> None:
    reply = client.get(path, follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/console/login?next=")


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_refuse_strangers_and_change_nothing(
    client: TestClient, session: Session, action: str
) -> None:
    n = _neighbours(session)
    path = action.format(hold=n.hold, commission=n.commission)
    form = {"csrf": "x", "idempotency_key": "k", "amount": "1"}
    assert client.post(path, data=form, follow_redirects=False).status_code == 401
    _unchanged(session, n)


@pytest.mark.parametrize("path", PAGES + ACTIONS)
def test_a_resident_is_refused_everywhere_and_changes_nothing(
    client: TestClient, session: Session, login_as: object, path: str
) -> None:
    n = _neighbours(session)
    headers = login_as(n.requester)  # type: ignore[operator]
    client.cookies.set("cdm_session", headers["Authorization"].removeprefix("Bearer "))
    path = path.format(hold=n.hold, commission=n.commission)
    if path in PAGES:
        assert client.get(path).status_code == 403
    else:
        form = {"csrf": "x", "idempotency_key": "k", "amount": "1"}
        assert client.post(path, data=form).status_code == 403
    _unchanged(session, n)


def test_a_forged_form_moves_nothing(client: TestClient, session: Session) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    form = _form(client.get("/console/payments").text, f"capture-form-{n.hold}")
    reply = client.post(
        f"/console/payments/holds/{n.hold}/capture", data={**form, "csrf": "forged"}
    )
    assert reply.status_code == 403
    _unchanged(session, n)


def test_an_unknown_person_is_a_404_page(client: TestClient, session: Session) -> None:
    make_staff(session, "nadia")
    log_in(client, "nadia")
    assert client.get("/console/payments/people/999999").status_code == 404


# --- Typed amounts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("12,50", "EUR", 1250),
        ("12.50", "EUR", 1250),
        ("12 €", "EUR", 1200),
        ("€12.5", "EUR", 1250),
        ("0,05", "EUR", 5),
        ("1 234,56", "EUR", 123456),
        ("1.234,56", "EUR", 123456),
        ("1,234.56", "EUR", 123456),
        ("12 EUR", "EUR", 1200),
        ("90", "MIN", 90),
        ("90 min", "MIN", 90),
        ("1h30", "MIN", 90),
        ("1 h 30", "MIN", 90),
        ("2h", "MIN", 120),
        ("1:05", "MIN", 65),
    ],
)
def test_amounts_typed_the_french_or_english_way(typed: str, unit: str, value: int) -> None:
    assert parse_amount(typed, unit) == value


@pytest.mark.parametrize(
    ("typed", "unit", "code"),
    [
        ("", "EUR", "empty"),
        ("   ", "MIN", "empty"),
        ("0", "EUR", "zero"),
        ("0h00", "MIN", "zero"),
        ("-5", "EUR", "negative"),
        ("abc", "EUR", "garbage"),
        ("12,50,3", "EUR", "garbage"),
        ("1.5", "MIN", "garbage"),
        ("1h60", "MIN", "garbage"),
        ("1,234", "EUR", "too_precise"),
        ("99999999999", "EUR", "too_large"),
    ],
)
def test_amounts_that_are_not_one_are_refused_with_a_reason(
    typed: str, unit: str, code: str
) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, unit)
    assert refused.value.code == code


def test_pages_carry_a_fresh_idempotency_key_per_form(client: TestClient, session: Session) -> None:
    n = _neighbours(session)
    log_in(client, "nadia")
    page = client.get(f"/console/payments/people/{n.requester}").text
    keys = re.findall(r'name="idempotency_key" value="([^"]+)"', page)
    again = re.findall(
        r'name="idempotency_key" value="([^"]+)"',
        client.get(f"/console/payments/people/{n.requester}").text,
    )
    assert len(keys) == len(set(keys)) >= 3 and not set(keys) & set(again)
    assert hidden(page, "csrf")
