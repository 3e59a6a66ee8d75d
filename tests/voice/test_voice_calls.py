"""Whole calls to the hotline: what the caller hears, and what is stored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.dispatch.models import Offer
from backend.people.models import ContactKind, Person
from backend.people.service import find_by_contact
from backend.requests.models import HelpRequest, RequestStatus
from bots.voice.simulator import PhoneCall
from tests.factories import make_helper, make_resident
from tests.voice.conftest import DISPATCHER, Line, new_landline, new_mobile
from tests.voice.voice_data import greeted


def _germaine(session: Session) -> tuple[str, str]:
    """A known caller on a landline; her number and her home as the line reads it back."""
    number = new_landline()
    germaine = make_resident(session, "Germaine Roux", phone=number, lat=45.7745, lon=4.8320)
    session.commit()
    return number, germaine.addresses[0].one_line()


def _germaine_rings(line: Line, session: Session) -> tuple[str, PhoneCall]:
    """Germaine, known, rings from her landline and is greeted: her number and the call."""
    number, _ = _germaine(session)
    return number, greeted(line, number)


def test_known_caller_is_greeted_by_name_and_books_a_request_by_voice_after_a_read_back(
    line: Line, session: Session
) -> None:
    number, home = _germaine(session)
    karim = make_helper(
        session, "Karim Haddad", phone=new_mobile(), services=["errands"], lat=45.776, lon=4.832
    )
    session.commit()
    call = line.call(number)

    heard = call.start()
    assert heard.said[0] == "Bonjour Germaine ! Ici Coup de main."
    assert heard.said[1] == "Que puis-je faire pour vous ?"
    assert "Pour « J'ai besoin d'un coup de main », tapez 1." in heard.said[2]
    heard = call.answer(speech="euh j'aurais besoin de quelqu'un pour mes courses demain matin")
    assert heard.said == [
        f"C'est à votre adresse, {home} ?",
        "Pour « Oui », tapez 1. Pour « Non », tapez 2.",
    ]
    heard = call.answer(speech="oui c'est ça")
    assert heard.said[0] == "Dites-moi en quelques mots ce qu'il faut faire."
    heard = call.answer(speech="du pain et mes médicaments à la pharmacie")
    assert heard.said[0] == "Est-ce un coup de main bénévole, ou proposez-vous un paiement ?"
    heard = call.answer(digits="1")
    assert heard.said[0] == (
        f"Je récapitule. Des courses, demain matin, au {home}. Bénévole. "
        "Précision : du pain et mes médicaments à la pharmacie. C'est bien ça ?"
    )
    assert not line.rows(select(HelpRequest))  # nothing is booked before the read-back
    heard = call.answer(speech="oui")
    assert heard.said[0].startswith("C'est noté ! Je cherche un voisin disponible.")
    assert heard.gather is not None and "idle=1" in heard.gather["action"]
    assert call.answer().hung_up  # silence after "anything else?": goodbye

    request = line.one(select(HelpRequest))
    assert (request.service, request.channel, request.status) == ("errands", "voice", "offered")
    # Karim has no Telegram: the offer goes by SMS through Twilio, answerable by text.
    assert line.deliver().sent == 1
    (sms,) = line.fake.sms_to(karim.contact(ContactKind.phone) or "")
    offer = line.one(select(Offer).where(Offer.helper_id == karim.id))
    # (Said from the real clock's day, while this line lives on the next Sunday.)
    assert sms.body.startswith("Un voisin a besoin d'aide : des courses, ")
    assert (
        "matin, à 0,5 km (Presqu'île). Précision : « du pain et mes médicaments à la "
        "pharmacie ». Bénévole. Pouvez-vous y aller ?"
    ) in sms.body
    assert sms.body.endswith(
        f"Répondez OUI {offer.id} pour accepter, ou NON {offer.id} pour refuser."
    )


def test_a_correction_at_the_read_back_is_read_back_again(line: Line, session: Session) -> None:
    _, call = _germaine_rings(line, session)
    call.answer(speech="je voudrais de l'aide pour mes courses demain matin")
    call.answer(digits="1")  # at home
    call.answer(digits="#")  # no details
    heard = call.answer(digits="1")  # volunteer
    assert heard.said[0].startswith("Je récapitule. Des courses, demain matin")
    heard = call.answer(speech="non plutôt jeudi")
    assert heard.said[0].startswith("Je récapitule. Des courses, jeudi ")
    assert "demain" not in heard.said[0]
    assert not line.rows(select(HelpRequest))


def test_a_caller_using_only_the_keypad_books_a_request(line: Line, session: Session) -> None:
    _, call = _germaine_rings(line, session)
    # menu, errands, tomorrow, morning, home, skip, free
    for digits in ("1", "1", "2", "1", "1", "#", "1"):
        heard = call.answer(digits=digits)
    assert heard.said[0].startswith("Je récapitule. Des courses, demain matin")
    heard = call.answer(digits="1")
    assert heard.said[0].startswith("C'est noté !")
    assert line.one(select(HelpRequest)).status in (RequestStatus.open, RequestStatus.offered)


def test_an_unknown_caller_registers_on_the_phone_with_the_address_read_back(
    line: Line, session: Session
) -> None:
    neighbour = make_resident(session, "Voisine du 3", lat=45.7781, lon=4.8290)
    neighbour.addresses[0].street = "3 rue Dumenge"  # so the street is known to the gazetteer
    session.commit()
    number = new_landline()
    call = line.call(number)
    heard = call.start()
    assert heard.said[0] == "Bonjour ! Ici Coup de main, l'entraide entre voisins."
    assert heard.said[1].startswith("Comment vous appelez-vous ?")
    assert heard.gather is not None and heard.gather["finishOnKey"] == "#"  # a name is said
    heard = call.answer(speech="je m'appelle Marcel Petit")
    assert heard.said[0].startswith("Quelle est votre adresse ?")
    heard = call.answer(speech="12 rue dumenge")
    assert heard.said[0] == "J'ai compris : 12 rue Dumenge, 69002 Lyon. C'est bien ça ?"
    heard = call.answer(digits="1")
    assert "Merci Marcel, votre inscription est faite." in heard.said
    marcel = find_by_contact(session, ContactKind.phone, number)
    assert marcel is not None and marcel.display_name == "Marcel Petit"
    session.rollback()  # on SQLite a reading transaction holds the lock the line needs
    # The next call, he is known.
    assert line.call(number).start().said[0] == "Bonjour Marcel ! Ici Coup de main."


def test_silence_is_asked_again_then_the_keypad_offered_then_a_human(
    line: Line, session: Session
) -> None:
    number, call = _germaine_rings(line, session)
    heard = call.answer()  # silence at the menu
    assert heard.said[:2] == ["Je ne vous ai pas entendu.", "Que puis-je faire pour vous ?"]
    heard = call.answer()
    assert heard.said[0].startswith("Vous pouvez aussi répondre avec les touches")
    assert "Pour « J'ai besoin d'un coup de main », tapez 1." in heard.said[-1]
    heard = call.answer()
    assert heard.said == [
        "Je vous passe une personne de l'équipe. Restez en ligne, quelqu'un va vous répondre."
    ]
    assert heard.dialled == [DISPATCHER]
    conversation = line.conversation(number)
    assert conversation.handled_by == "waiting" and "misunderstood_twice" in conversation.flags
    # Nobody picks up the transfer: the caller is told when someone calls back, and the call
    # goes on (tests/voice/test_voice_callbacks.py).
    heard = call.after_dial("no-answer")
    assert heard.said[0].startswith("Personne de l'équipe n'a pu décrocher pour l'instant.")
    assert not heard.hung_up and heard.waits_for_answer


def test_a_misheard_answer_in_a_flow_follows_the_same_gentle_ladder(
    line: Line, session: Session
) -> None:
    _, call = _germaine_rings(line, session)
    call.answer(speech="j'ai besoin d'aide pour mes courses")
    heard = call.answer(speech="blblbl")
    assert heard.said[0] == "Pardon, je n'ai pas compris."
    heard = call.answer(speech="ouh la la")
    assert heard.said[0].startswith("Vous pouvez aussi répondre avec les touches")
    assert heard.said[-1] == (
        "Pour « Aujourd'hui », tapez 1. Pour « Demain », tapez 2. "
        "Pour « Dès que possible », tapez 3."
    )
    assert call.answer(speech="zzz").dialled == [DISPATCHER]


def test_a_caller_who_asks_for_a_person_is_put_through(line: Line, session: Session) -> None:
    number, call = _germaine_rings(line, session)
    call.answer(speech="j'ai besoin d'aide pour mes courses")
    heard = call.answer(speech="je voudrais parler à un opérateur s'il vous plaît")
    assert heard.dialled == [DISPATCHER]
    assert "asked_for_human" in line.conversation(number).flags
    # Calling back while the dispatcher has the conversation goes straight to them.
    assert line.call(number).start().dialled == [DISPATCHER]


def test_key_zero_is_a_person_and_key_nine_repeats(line: Line, session: Session) -> None:
    number, _ = _germaine(session)
    call = line.call(number)
    first = call.start()
    again = call.answer(digits="9")
    assert again.said == first.said[1:]  # the question and its keys, not the greeting
    assert call.answer(digits="0").dialled == [DISPATCHER]


def test_an_emergency_is_answered_at_once_and_put_through(line: Line, session: Session) -> None:
    number, call = _germaine_rings(line, session)
    call.answer(speech="je voudrais de l'aide pour mes courses")
    heard = call.answer(speech="au secours je suis tombée je ne peux plus me relever")
    assert heard.said[0].startswith("C'est une urgence : appelez tout de suite le 15")
    assert heard.dialled == [DISPATCHER]
    conversation = line.conversation(number)
    assert "emergency" in conversation.flags and conversation.handled_by == "waiting"


def test_a_dropped_call_leaves_a_draft_request_and_an_alert_for_a_dispatcher(
    line: Line, session: Session
) -> None:
    number, call = _germaine_rings(line, session)
    call.answer(speech="il me faudrait quelqu'un pour mes courses demain matin")
    call.hang_up("completed")  # she hangs up at "C'est à votre adresse ?"

    request = line.one(select(HelpRequest))
    assert (request.status, request.service, request.channel) == ("draft", "errands", "voice")
    assert request.window_start is not None and request.needs_dispatcher
    assert request.flag_reason.startswith("appel coupé")
    conversation = line.conversation(number)
    assert "dropped_call" in conversation.flags and conversation.flow is None
    assert conversation.state["last_call"]["status"] == "completed"
    assert line.transcript(number)[-1] == "[choix] call:ended:completed"
    # The status callback retried by Twilio changes nothing twice.
    call.hang_up("completed")
    assert len(line.rows(select(HelpRequest))) == 1
    # She calls back: greeted as usual, not told she was misunderstood.
    heard = line.call(number).start()
    assert heard.said[:2] == [
        "Bonjour Germaine ! Ici Coup de main.",
        "Que puis-je faire pour vous ?",
    ]


def test_a_call_that_ends_at_the_menu_leaves_nothing_to_do(line: Line, session: Session) -> None:
    number, call = _germaine_rings(line, session)
    call.hang_up()
    assert not line.rows(select(HelpRequest))
    assert "dropped_call" not in line.conversation(number).flags


def test_a_withheld_number_is_registered_nowhere_and_can_reach_a_person(
    line: Line, session: Session
) -> None:
    call = line.call("anonymous")
    heard = call.start()
    assert heard.said[0].startswith("Bonjour ! Ici Coup de main")
    assert call.answer(digits="0").dialled == [DISPATCHER]
    assert not line.rows(select(Person))


def test_a_request_booked_from_a_mobile_is_confirmed_by_sms_when_the_call_ends(
    line: Line, session: Session
) -> None:
    number = new_mobile()
    make_resident(session, "Paulette Faure", phone=number)
    session.commit()
    call = greeted(line, number)
    for digits in ("1", "1", "2", "1", "1", "#", "1", "1"):
        heard = call.answer(digits=digits)
    assert heard.said[0].startswith("C'est noté !")
    call.hang_up()
    call.hang_up()  # retried by Twilio: one confirmation
    line.deliver()
    (sms,) = line.fake.sms_to(number)
    request = line.one(select(HelpRequest))
    assert sms.body.startswith(
        f"Coup de main : votre demande n°{request.id} est notée (des courses"
    )


def test_a_landline_caller_is_not_rung_back_to_confirm(line: Line, session: Session) -> None:
    number, call = _germaine_rings(line, session)
    for digits in ("1", "1", "2", "1", "1", "#", "1", "1"):
        call.answer(digits=digits)
    call.hang_up()
    line.deliver()
    assert not line.fake.calls_to(number) and not line.fake.sms_to(number)


def test_an_english_caller_hears_english_in_an_english_voice(line: Line, session: Session) -> None:
    number = new_landline()
    make_resident(session, "Harry Hayes", phone=number, language="en")
    session.commit()
    heard = line.call(number).start()
    assert heard.said[:2] == ["Hello Harry! This is Coup de main.", "What can I do for you?"]
    assert heard.voices == {"Polly.Joanna"}
    assert heard.gather is not None and heard.gather["language"] == "en-US"
