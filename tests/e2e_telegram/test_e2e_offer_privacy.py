"""What a helper reads on Telegram of a request's details: masked while it is only offered,
whole once the job is theirs (DESIGN.md, personal data)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.outbox.models import OutboxMessage
from backend.requests.models import HelpRequest
from tests.e2e_telegram.conftest import Bot, new_user
from tests.factories import make_helper, make_resident

DETAILS = (
    "digicode 4512B, 3e étage, si je ne réponds pas appelez mon fils au 06 12 34 56 78, "
    "les courses sont à déposer au 14 rue Dumenge"
)
SECRETS = ("4512", "3e étage", "06 12 34 56 78", "14 rue Dumenge", "Dumenge")


def test_offered_helpers_read_no_code_phone_or_address_the_assigned_one_reads_all(
    bot: Bot, session: Session
) -> None:
    jeanne, karim, sofia = new_user("Jeanne"), new_user("Karim"), new_user("Sofia")
    make_resident(session, "Jeanne Martin", telegram_id=jeanne.id, lat=45.7745, lon=4.8320)
    make_helper(session, "Karim Haddad", telegram_id=karim.id, lat=45.7760, lon=4.8320)
    make_helper(session, "Sofia Benali", telegram_id=sofia.id, lat=45.7750, lon=4.8330)
    session.commit()
    session.close()

    bot.say(jeanne, "bonjour j'ai besoin de quelqu'un pour mes courses demain matin")
    bot.say(jeanne, "oui")  # at home
    (pay,) = bot.say(jeanne, DETAILS)
    bot.press(jeanne, pay, "pay:volunteer")
    (noted,) = bot.say(jeanne, "oui")
    assert noted.text.startswith("C'est noté !")
    assert bot.one(select(HelpRequest.details)) == DETAILS

    # Both helpers are offered the job: what it is, masked where it would lead to the door.
    assert bot.deliver().sent == 2
    offers = {}
    for helper in (karim, sofia):
        (offer,) = bot.reads(helper)
        assert offer.text.startswith("Un voisin a besoin d'aide : des courses")
        assert (
            "Précision : « digicode [masqué], [étage masqué], si je ne réponds pas appelez mon "
            "fils au [numéro masqué], les courses sont à déposer au [adresse masquée] »."
        ) in offer.text
        for secret in SECRETS:
            assert secret not in offer.text, secret
        offers[helper.id] = offer
    # Nor is any of it kept in the offers' outbox rows.
    for payload in bot.rows(select(OutboxMessage.payload).where(OutboxMessage.kind == "offer")):
        for secret in SECRETS:
            assert secret not in str(payload)

    accept = next(data for row in offers[karim.id].buttons for _, data in row)
    bot.press(karim, offers[karim.id], accept)
    bot.deliver()
    details = bot.reads(karim)[-1]
    assert details.text.startswith("C'est à vous ! Jeanne vous attend")
    assert f"Précision : « {DETAILS} »." in details.text
    assert all(secret not in m.text for m in bot.reads(sofia) for secret in SECRETS)
