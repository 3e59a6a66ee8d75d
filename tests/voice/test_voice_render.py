"""The engine's replies as TwiML: what a caller hears and which keys answer (no network)."""

from __future__ import annotations

from bots.voice.render import CallUrls, Transfers, render_call, spoken
from bots.voice.simulator import Heard
from dialogues.messages import Choice, Expect, Outgoing

URLS = CallUrls(
    answer="https://h.example/voice/turn?turn=3",
    idle="https://h.example/voice/turn?turn=3&idle=1&lang=fr",
    dialed="https://h.example/voice/dialed?turn=2&lang=fr",
)
PHONES = {7: "+33478000007"}
TRANSFERS = Transfers(dispatcher="+33482539999", hotline="+33482530000", phone_of=PHONES.get)
YES_NO = (Choice("yes", "Oui", "1"), Choice("no", "Non", "2"))


def hear(*replies: Outgoing, language: str = "fr", **options: object) -> Heard:
    return Heard.parse(
        200,
        render_call(list(replies), language, urls=URLS, transfers=TRANSFERS, **options),  # type: ignore[arg-type]
    )


def test_a_question_is_said_inside_a_gather_after_the_statements_and_its_choices_are_keys() -> None:
    heard = hear(
        Outgoing("Bonjour Germaine ! Ici Coup de main."),
        Outgoing("C'est bien ça ?", choices=YES_NO, expect=Expect.yes_no),
    )
    assert heard.said == [
        "Bonjour Germaine ! Ici Coup de main.",
        "C'est bien ça ?",
        "Pour « Oui », tapez 1. Pour « Non », tapez 2.",
    ]
    assert heard.gather is not None
    assert heard.gather["input"] == "dtmf speech" and heard.gather["language"] == "fr-FR"
    assert heard.gather["numDigits"] == "1" and heard.gather["finishOnKey"] == ""
    assert heard.gather["actionOnEmptyResult"] == "true"
    assert heard.gather["speechTimeout"] == "auto"
    assert heard.gather["action"] == URLS.answer
    assert "courses" in heard.gather["hints"] and "Oui" in heard.gather["hints"]
    # The greeting is not interruptible: it comes before the <Gather>.
    assert heard.xml.index("Bonjour Germaine") < heard.xml.index("<Gather")
    assert heard.redirect == URLS.answer


def test_every_sentence_is_slow_and_in_a_polly_voice_of_the_callers_language() -> None:
    heard = hear(Outgoing("Is that right?", choices=YES_NO, expect=Expect.yes_no), language="en")
    assert heard.voices == {"Polly.Joanna"}
    assert heard.gather is not None and heard.gather["language"] == "en-US"
    assert heard.xml.count('<prosody rate="slow">') == 2
    assert heard.said[-1] == 'For "Oui", press 1. For "Non", press 2.'


def test_a_free_answer_waits_for_hash_and_a_hash_choice_is_read_out() -> None:
    amount = hear(Outgoing("Combien proposez-vous, en euros ?", expect=Expect.text))
    assert amount.gather is not None and amount.gather["finishOnKey"] == "#"
    assert "numDigits" not in amount.gather
    skip = hear(
        Outgoing(
            "Dites-moi ce qu'il faut faire.",
            choices=(Choice("skip", "Passer", "#"),),
            expect=Expect.text,
        )
    )
    assert skip.said[-1] == "Pour « Passer », tapez dièse."
    assert skip.gather is not None and skip.gather["finishOnKey"] == ""


def test_choices_without_a_key_are_not_read_and_bare_digits_are_not_repeated() -> None:
    heard = hear(
        Outgoing(
            "Tapez un chiffre de 1 à 5.",
            choices=(Choice("a", "Ménage"), *(Choice(f"s{n}", str(n), str(n)) for n in (1, 2))),
            expect=Expect.choice,
        )
    )
    assert heard.said == ["Tapez un chiffre de 1 à 5."]


def test_a_handoff_dials_the_dispatcher_who_sees_the_callers_own_number() -> None:
    heard = hear(Outgoing("Je vous passe une personne de l'équipe.", handoff=True))
    assert heard.said == ["Je vous passe une personne de l'équipe."]
    assert heard.dialled == ["+33482539999"] and heard.gather is None
    assert heard.dial is not None and "callerId" not in heard.dial
    assert heard.dial["action"] == URLS.dialed + "&to=dispatcher"


def test_a_connect_handoff_dials_the_other_party_with_the_hotline_as_caller_id() -> None:
    heard = hear(
        Outgoing("Je vous mets en relation.", choices=(Choice("connect:7", "Karim"),), handoff=True)
    )
    assert heard.dialled == ["+33478000007"]
    assert heard.dial is not None and heard.dial["callerId"] == "+33482530000"
    assert heard.dial["action"].endswith("&to=party")


def test_without_a_dispatcher_phone_a_handoff_promises_nothing_no_task_backs_and_hangs_up() -> None:
    # The engine owes a call-back before it gets here (dialogues/flows/call_back.py); what
    # reaches the renderer anyway (an application error) says what to do, not "we call back".
    heard = Heard.parse(
        200,
        render_call(
            [Outgoing("Je vous passe une personne.", handoff=True)],
            "fr",
            urls=URLS,
            transfers=Transfers(dispatcher=None, hotline=None, phone_of=PHONES.get),
        ),
    )
    assert heard.hung_up and not heard.dialled
    assert heard.said[-1] == (
        "Je ne peux pas vous passer une personne de l'équipe pour le moment. Rappelez-nous un "
        "peu plus tard. En cas d'urgence, appelez le 15 ou le 112. Au revoir."
    )


def test_an_end_hangs_up_and_a_statement_alone_asks_for_anything_else() -> None:
    goodbye = hear(Outgoing("Au revoir, et à bientôt !", end=True))
    assert goodbye.said == ["Au revoir, et à bientôt !"] and goodbye.hung_up
    statement = hear(Outgoing("C'est noté !"))
    assert statement.said[-1].startswith("Puis-je faire autre chose pour vous ?")
    assert statement.gather is not None and statement.gather["action"] == URLS.idle


def test_a_conversation_a_dispatcher_holds_is_put_through_to_them() -> None:
    heard = hear(silent=True)
    assert heard.dialled == ["+33482539999"]
    assert heard.said == [
        "Je vous passe une personne de l'équipe. Restez en ligne, quelqu'un va vous répondre."
    ]


def test_symbols_are_spoken_as_words() -> None:
    assert spoken("Votre demande n°12 📱\n★★★★", "fr") == "Votre demande numéro 12 4 sur 5"
