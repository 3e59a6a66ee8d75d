"""A small neighbourhood with a history, for the export and erasure tests.

Jeanne Martin asked for help twice: once done by Bruno (paid in cash, rated both ways), once
still offered to Bruno and Chloé. She talks to the bot on Telegram and calls the hotline;
a dispatcher typed her name and number in someone else's conversation and in a ledger memo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from backend.callbacks.models import CallbackReason, CallbackTask
from backend.conversations.models import Conversation, ConversationMessage
from backend.db import utcnow
from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.service import accept_offer, complete_job, start_dispatch
from backend.ledger.funding import issue_time_credits, record_cash_deposit
from backend.outbox.service import enqueue
from backend.people.models import Person, Role
from backend.people.schemas import AddressIn, PersonCreate
from backend.people.service import create_person
from backend.requests.models import HelpRequest, PayMode
from backend.trust.service import rate, report
from tests.factories import CENTRE, make_helper, make_request

NAME = "Jeanne Martin"
PHONE = "+33611112222"
PHONE_WRITTEN = "06 11 11 22 22"
TELEGRAM = 987654321
STREET = "12 rue Imbert-Colomès"
OTHER_NAME = "Bruno Lefort"
OTHER_PHONE = "+33633334444"
OTHER_STREET = "3 rue Mercière"
POLICY = DispatchPolicy(offers_per_round=3, offer_ttl=timedelta(hours=1), max_rounds=1)


@dataclass
class Scene:
    jeanne: Person
    bruno: Person
    chloe: Person
    dispatcher: Person
    done: HelpRequest
    pending: HelpRequest


def build(session: Session, *, with_open_request: bool = True) -> Scene:
    jeanne = create_person(
        session,
        PersonCreate(
            display_name=NAME,
            phone=PHONE,
            telegram_id=TELEGRAM,
            login="jeanne.martin",
            address=AddressIn(
                street=STREET,
                postcode="69001",
                city="Lyon",
                neighbourhood="Pentes",
                lat=CENTRE[0],
                lon=CENTRE[1],
            ),
        ),
    )
    bruno = make_helper(session, OTHER_NAME, phone=OTHER_PHONE)
    bruno.addresses[0].street = OTHER_STREET
    chloe = make_helper(session, "Chloé Bernard", phone="+33655556666")
    dispatcher = create_person(
        session,
        PersonCreate(display_name="Régine Dispatch", roles=[Role.dispatcher], login="regine"),
    )
    now = utcnow()

    done = make_request(
        session, jeanne, submit=True, pay_mode=PayMode.cash, price_cents=2000, duration_minutes=60
    )
    done.details = f"Courses pour {NAME}, sonner deux fois"
    offers = start_dispatch(session, done, POLICY, now)
    (bruno_offer,) = [o for o in offers if o.helper_id == bruno.id]
    accept_offer(session, bruno_offer.id, bruno.id, now)
    complete_job(session, done.id, bruno.id, commission_bps=1000)
    rate(session, done.id, jeanne.id, 5, "Bruno est adorable")
    rate(session, done.id, bruno.id, 4, f"{NAME} très gentille, {STREET} au 3e")
    report(session, reporter_id=bruno.id, request_id=done.id, kind="other",
           text=f"Appeler {NAME} au {PHONE_WRITTEN} avant de venir")  # fmt: skip
    record_cash_deposit(session, bruno.id, 200, memo=f"commission du job chez {NAME}")
    issue_time_credits(session, jeanne.id, 120, memo="crédits de bienvenue")

    pending = done
    if with_open_request:
        pending = make_request(session, jeanne, submit=True, service="errands")
        pending.details = "Porter mes bouteilles d'eau"
        start_dispatch(session, pending, POLICY, now)

    tg = Conversation(channel="telegram", address=str(TELEGRAM), person_id=jeanne.id)
    call = Conversation(channel="voice", address=PHONE, person_id=jeanne.id)
    bruno_tg = Conversation(channel="sms", address=OTHER_PHONE, person_id=bruno.id)
    session.add_all([tg, call, bruno_tg])
    session.flush()
    for conv, author, text in (
        (tg, "person", f"Bonjour, je suis {NAME}, j'habite {STREET}"),
        (tg, "bot", "Merci Jeanne, c'est noté."),
        (call, "person", f"mon numéro c'est le {PHONE_WRITTEN}"),
        (bruno_tg, "dispatcher", f"Bruno, {NAME} ({PHONE_WRITTEN}) vous attend"),
        (bruno_tg, "person", "Très bien, j'y vais"),
    ):
        session.add(ConversationMessage(conversation_id=conv.id, direction="in", author=author,
                                        text=text, payload={}))  # fmt: skip
    enqueue(session, channel="telegram", address=str(TELEGRAM), kind="reminder",
            payload={"text": f"Rappel pour {NAME}"}, person_id=jeanne.id)  # fmt: skip
    session.add(CallbackTask(key="voice:CAerase", person_id=jeanne.id, phone=PHONE,
                             reason=CallbackReason.asked_for_human, due_by=utcnow(),
                             last_words=f"c'est {NAME} au {PHONE_WRITTEN}"))  # fmt: skip
    session.commit()
    return Scene(jeanne, bruno, chloe, dispatcher, done, pending)
