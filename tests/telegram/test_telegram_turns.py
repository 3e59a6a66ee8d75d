"""One update -> one engine turn: what the engine is given, and what the chat then reads."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dialogues.messages import Contact, Location
from tests.fakes.telegram_api import FakeTelegram, TgUser, post_update
from tests.telegram.conftest import JEANNE, PAUL, SECRET, EchoEngine


def _say(client: TestClient, update: dict[str, object]) -> None:
    response = post_update(client, update, secret=SECRET)
    assert response.status_code == 200, response.text


def test_text_becomes_an_incoming_with_who_and_where(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    update = fake_telegram.text_update(PAUL, "I need help")
    _say(webhook_client, update)

    (incoming,) = echo_engine.incomings
    assert incoming.channel == "telegram"
    assert incoming.address == str(PAUL.id)
    assert incoming.text == "I need help"
    assert incoming.sender_id == str(PAUL.id)
    assert incoming.sender_name == "Paul"
    assert incoming.language == "en"
    assert incoming.external_id == f"tg:{update['update_id']}"


def test_commands_reach_the_engine_as_text_without_the_bot_name(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    for text in ("/start", "/aide@coupdemain_test_bot", "/start@coupdemain_test_bot ref42"):
        _say(webhook_client, fake_telegram.text_update(JEANNE, text))

    assert [i.text for i in echo_engine.incomings] == ["/start", "/aide", "/start ref42"]


def test_pressing_a_button_answers_the_query_and_gives_the_engine_a_choice(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    _say(webhook_client, fake_telegram.text_update(JEANNE, "bonjour"))
    question = fake_telegram.messages_to(JEANNE.id)[-1]
    assert question.buttons == [[("Oui", "yes"), ("Non", "no")]]

    press = fake_telegram.callback_update(JEANNE, question, "yes")
    _say(webhook_client, press)

    assert echo_engine.incomings[-1].choice == "yes"
    assert echo_engine.incomings[-1].text is None
    (answer,) = fake_telegram.calls("answerCallbackQuery")
    assert answer.params["callback_query_id"] == press["callback_query"]["id"]  # type: ignore[index]
    assert fake_telegram.texts_to(JEANNE.id)[-1] == "choisi : yes"
    # The pressed keyboard is spent: its buttons are gone, its text stays.
    assert fake_telegram.messages_to(JEANNE.id)[1].buttons == []
    assert fake_telegram.messages_to(JEANNE.id)[1].text == "D'accord ?"


def test_a_retried_button_press_is_answered_once(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    _say(webhook_client, fake_telegram.text_update(JEANNE, "bonjour"))
    press = fake_telegram.callback_update(JEANNE, fake_telegram.messages_to(JEANNE.id)[-1], "no")

    _say(webhook_client, press)
    _say(webhook_client, press)  # Telegram's retry: the query was already answered

    assert [i.choice for i in echo_engine.incomings if i.choice] == ["no"]
    assert fake_telegram.texts_to(JEANNE.id).count("choisi : no") == 1


def test_shared_contact_becomes_an_incoming_contact_with_the_user_id(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    _say(webhook_client, fake_telegram.text_update(JEANNE, "numéro"))
    asked = fake_telegram.messages_to(JEANNE.id)[-1]
    assert asked.keyboard == [[{"text": "📱 Partager mon numéro", "request_contact": True}]]
    assert asked.reply_markup and asked.reply_markup["one_time_keyboard"] is True

    _say(webhook_client, fake_telegram.contact_update(JEANNE, "+33612345678"))

    assert echo_engine.incomings[-1].contact == Contact(
        phone="+33612345678", user_id=str(JEANNE.id), first_name="Jeanne"
    )
    thanks = fake_telegram.messages_to(JEANNE.id)[-1]
    assert thanks.text == "merci pour +33612345678"
    assert thanks.removes_keyboard  # the conversation moved on: the share button goes


def test_someone_elses_contact_has_no_user_id(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    update = fake_telegram.contact_update(
        JEANNE, "+33698765432", contact_user_id=None, first_name="Voisin"
    )
    _say(webhook_client, update)
    assert echo_engine.incomings[-1].contact == Contact(
        phone="+33698765432", user_id=None, first_name="Voisin"
    )


def test_location_is_asked_with_a_button_and_typed_address_allowed(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    _say(webhook_client, fake_telegram.text_update(PAUL, "adresse"))
    asked = fake_telegram.messages_to(PAUL.id)[-1]
    assert asked.keyboard == [[{"text": "📍 Send my location", "request_location": True}]]
    assert asked.reply_markup and asked.reply_markup["input_field_placeholder"] == (
        "or type the address"
    )

    _say(webhook_client, fake_telegram.location_update(PAUL, 48.8566, 2.3522))

    assert echo_engine.incomings[-1].location == Location(lat=48.8566, lon=2.3522)
    assert fake_telegram.texts_to(PAUL.id)[-1] == "position 48.8566,2.3522"


def test_a_sticker_still_reaches_the_engine_and_gets_an_answer(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    sticker = {"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}
    sticker |= {"is_animated": False, "is_video": False, "type": "regular"}
    _say(webhook_client, fake_telegram.message_update(JEANNE, sticker=sticker))

    incoming = echo_engine.incomings[-1]
    assert (incoming.text, incoming.choice, incoming.contact, incoming.location) == (None,) * 4
    assert fake_telegram.texts_to(JEANNE.id) == ["Je ne lis que le texte."]


def test_a_photo_caption_is_read_as_text(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    photo = [{"file_id": "p", "file_unique_id": "pu", "width": 10, "height": 10}]
    _say(webhook_client, fake_telegram.message_update(JEANNE, photo=photo, caption="ma fuite"))
    assert echo_engine.incomings[-1].text == "ma fuite"


def test_long_labels_get_a_row_each(
    webhook_client: TestClient, fake_telegram: FakeTelegram
) -> None:
    _say(webhook_client, fake_telegram.text_update(JEANNE, "menu"))
    assert fake_telegram.messages_to(JEANNE.id)[-1].buttons == [
        [("Demander de l'aide maintenant", "m0")],
        [("Proposer mon aide aux voisins", "m1")],
    ]


def test_text_over_4096_characters_is_split_with_the_buttons_under_the_last_part(
    webhook_client: TestClient, fake_telegram: FakeTelegram
) -> None:
    _say(webhook_client, fake_telegram.text_update(JEANNE, "long"))
    first, last = fake_telegram.messages_to(JEANNE.id)
    assert len(first.text) <= 4096 and len(last.text) <= 4096
    assert (first.text + " " + last.text).split() == ["mot"] * 2000
    assert first.buttons == [] and last.buttons == [[("OK", "ok")]]


def test_nothing_is_sent_while_a_dispatcher_has_the_conversation(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    _say(webhook_client, fake_telegram.text_update(JEANNE, "silence"))
    assert len(echo_engine.incomings) == 1
    assert fake_telegram.calls("sendMessage") == []


def test_group_messages_are_not_conversations(
    webhook_client: TestClient, fake_telegram: FakeTelegram, echo_engine: EchoEngine
) -> None:
    update = fake_telegram.text_update(JEANNE, "bonjour tout le monde")
    update["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Quartier"}  # type: ignore[index]
    _say(webhook_client, update)
    assert echo_engine.incomings == []
    assert fake_telegram.calls("sendMessage") == []


def test_two_people_each_get_their_own_replies(
    webhook_client: TestClient, fake_telegram: FakeTelegram
) -> None:
    _say(webhook_client, fake_telegram.text_update(JEANNE, "un"))
    _say(webhook_client, fake_telegram.text_update(TgUser(id=777, first_name="Luc"), "deux"))
    assert fake_telegram.texts_to(JEANNE.id)[0] == "écho : un"
    assert fake_telegram.texts_to(777)[0] == "écho : deux"
