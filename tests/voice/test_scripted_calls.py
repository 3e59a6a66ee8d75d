"""Scripted calls an 80-year-old can follow, over real signed Twilio webhooks.

Each step asserts what is heard (the TwiML <Say> text) and the end what is stored (the help
request's service, time window and pay mode). The budgets are the issue's: a known caller
books by speech in at most 5 answers, and by keypad alone in at most 8 keys (every key
counts, "#" too). Every phone menu reads at most four keypad options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.requests.models import HelpRequest, PayMode
from bots.voice.render import MAX_KEYPAD_OPTIONS
from bots.voice.simulator import Heard, PhoneCall
from dialogues.wording import PARIS
from tests.factories import make_resident
from tests.voice.conftest import Line, new_landline

MAIN_MENU = (
    "Pour « J'ai besoin d'un coup de main », tapez 1. Pour « Je veux aider », tapez 2. "
    "Pour « Où en est ma demande ? », tapez 3. Pour « Parler à quelqu'un », tapez 0."
)
SERVICE_MENU = [
    "De quoi avez-vous besoin ? Dites-le, ou tapez une touche.",
    "Pour « Des courses », tapez 1. Pour « Une visite ou de la compagnie », tapez 2. "
    "Pour « Un accompagnement en voiture », tapez 3. Pour « Autre chose », tapez 4.",
]
DAY_MENU = [
    "Pour quand ? Par exemple : demain matin, ou samedi vers 14 heures.",
    "Pour « Aujourd'hui », tapez 1. Pour « Demain », tapez 2. Pour « Dès que possible », tapez 3.",
]
PART_MENU = [
    "À quel moment de la journée ?",
    "Pour « Le matin », tapez 1. Pour « L'après-midi », tapez 2. Pour « Le soir », tapez 3.",
]
YES_NO = "Pour « Oui », tapez 1. Pour « Non », tapez 2."
DETAILS = ["Dites-moi en quelques mots ce qu'il faut faire.", "Pour « Passer », tapez dièse."]
PAY_MENU = [
    "Est-ce un coup de main bénévole, ou proposez-vous un paiement ?",
    "Pour « Bénévole », tapez 1. Pour « Payé en espèces », tapez 2. "
    "Pour « Banque de temps », tapez 3.",
]
PRICE = "Combien proposez-vous ? Tapez le montant en euros puis la touche dièse, ou dites-le."
BOOKED = "C'est noté ! Je cherche un voisin disponible. Je vous préviens dès que quelqu'un accepte."


@dataclass
class Caller:
    """A known caller on the line, counting what they do: answers said, keys pressed."""

    call: PhoneCall
    home: str
    answers: int = 0
    keys: int = 0
    heard: list[Heard] = field(default_factory=list)

    def keyed(self, digits: str) -> list[str]:
        self.keys += len(digits)
        return self._answer(self.call.answer(digits=digits))

    def says(self, words: str) -> list[str]:
        return self._answer(self.call.answer(speech=words))

    def _answer(self, heard: Heard) -> list[str]:
        self.answers += 1
        self.heard.append(heard)
        assert len(options_read(heard)) <= MAX_KEYPAD_OPTIONS, heard.said
        return heard.said


def options_read(heard: Heard) -> list[str]:
    return [s for said in heard.said for s in said.split(". ") if ", tapez " in s]


def known_caller(line: Line, session: Session) -> Caller:
    number = new_landline()
    germaine = make_resident(session, "Germaine Roux", phone=number, lat=45.7745, lon=4.8320)
    session.commit()
    call = line.call(number)
    heard = call.start()
    assert heard.said == [
        "Bonjour Germaine ! Ici Coup de main.",
        "Que puis-je faire pour vous ?",
    ] + [MAIN_MENU]
    return Caller(call, germaine.addresses[0].one_line())


def stored(line: Line) -> HelpRequest:
    return line.one(select(HelpRequest))


def local_day(line: Line, days: int, hour: int) -> datetime:
    today = line.clock().astimezone(PARIS)
    return (today + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_a_known_caller_books_by_speech_in_five_answers(line: Line, session: Session) -> None:
    caller = known_caller(line, session)
    said = caller.says("j'ai besoin de quelqu'un pour faire mes courses demain matin")
    assert said == [f"C'est à votre adresse, {caller.home} ?", YES_NO]
    assert caller.says("oui") == DETAILS
    assert caller.says("du pain et du lait") == PAY_MENU
    said = caller.says("dix euros")
    assert said == [
        f"Je récapitule. Des courses, demain matin, au {caller.home}. Payé 10 euros en "
        "espèces. Précision : du pain et du lait. C'est bien ça ?",
        YES_NO,
    ]
    assert not line.rows(select(HelpRequest))  # nothing is stored before the read-back
    assert caller.says("oui")[0] == BOOKED
    assert caller.answers <= 5

    request = stored(line)
    assert request.service == "errands"
    assert request.window_start is not None and request.window_end is not None
    assert request.window_start.astimezone(PARIS) == local_day(line, 1, 8)
    assert request.window_end.astimezone(PARIS) == local_day(line, 1, 12)
    assert (request.pay_mode, request.price_cents) == (PayMode.cash, 1000)


def test_a_known_caller_books_by_keypad_alone_in_eight_keys(line: Line, session: Session) -> None:
    caller = known_caller(line, session)
    assert caller.keyed("1") == SERVICE_MENU  # I need a hand
    assert caller.keyed("1") == DAY_MENU  # errands
    assert caller.keyed("2") == PART_MENU  # tomorrow
    assert caller.keyed("1") == [f"C'est à votre adresse, {caller.home} ?", YES_NO]  # morning
    assert caller.keyed("1") == DETAILS  # at home
    assert caller.keyed("#") == PAY_MENU  # nothing to add
    said = caller.keyed("1")  # volunteer
    assert said == [
        f"Je récapitule. Des courses, demain matin, au {caller.home}. Bénévole. C'est bien ça ?",
        YES_NO,
    ]
    assert caller.keyed("1")[0] == BOOKED
    assert caller.keys <= 8

    request = stored(line)
    assert request.service == "errands"
    assert request.window_start is not None and request.window_end is not None
    assert request.window_start.astimezone(PARIS) == local_day(line, 1, 8)
    assert request.window_end.astimezone(PARIS) == local_day(line, 1, 12)
    assert (request.pay_mode, request.price_cents) == (PayMode.volunteer, None)


def test_an_amount_keyed_in_euros_then_hash_is_paid_in_cash(line: Line, session: Session) -> None:
    caller = known_caller(line, session)
    caller.keyed("1")
    assert caller.keyed("3") == DAY_MENU  # a lift in a car
    assert caller.keyed("1") == PART_MENU  # today (a Sunday, 10:00)
    caller.keyed("2")  # this afternoon
    caller.keyed("1")
    caller.keyed("#")
    assert caller.keyed("2") == [PRICE]  # paid in cash
    said = caller.keyed("10#")
    assert said == [
        f"Je récapitule. Un accompagnement en voiture, cet après-midi, au {caller.home}. "
        "Payé 10 euros en espèces. C'est bien ça ?",
        YES_NO,
    ]
    assert caller.keyed("1")[0] == BOOKED

    request = stored(line)
    assert request.service == "transport"
    assert request.window_start is not None
    assert request.window_start.astimezone(PARIS) == local_day(line, 0, 14)
    assert (request.pay_mode, request.price_cents) == (PayMode.cash, 1000)


def test_ninety_euros_keyed_is_an_amount_not_the_repeat_key(line: Line, session: Session) -> None:
    caller = known_caller(line, session)
    for digits in ("1", "1", "3", "1", "#", "2"):  # errands, as soon as possible, home, cash
        caller.keyed(digits)
    said = caller.keyed("90#")
    assert said[0].startswith("Je récapitule. Des courses, dès que possible")
    assert "Payé 90 euros en espèces." in said[0]


def test_something_else_asks_in_words_with_a_second_short_menu(
    line: Line, session: Session
) -> None:
    caller = known_caller(line, session)
    caller.keyed("1")
    assert caller.keyed("4") == [
        "Dites en quelques mots ce dont vous avez besoin. Ou bien :",
        "Pour « Du bricolage », tapez 1. Pour « De l'aide avec le téléphone ou l'ordinateur », "
        "tapez 2. Pour « Des papiers administratifs », tapez 3. Pour « Du jardinage », tapez 4.",
    ]
    assert caller.says("il faudrait promener mon chien") == DAY_MENU
    for digits in ("3", "1", "#", "1", "1"):  # as soon as possible, home, skip, free, yes
        said = caller.keyed(digits)
    assert said[0] == BOOKED
    assert stored(line).service == "pet_care"
