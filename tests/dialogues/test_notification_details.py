"""How a request's details read in the messages helpers get (dialogues/notifications.py)."""

from __future__ import annotations

from dialogues.notifications import DETAILS_SAID, render_notification

RAW = "Door code 4512B, 2nd floor, 10 Downing Street; call my son on +44 7700 900123"


def _offer(details: str) -> dict[str, object]:
    return {"offer_id": 7, "request_id": 3, "service": "errands", "details": details}


def test_an_offer_row_written_with_raw_details_is_still_read_masked() -> None:
    (offer,) = render_notification("offer", _offer(RAW), "en")
    assert (
        'Details: "Door code [hidden], [floor hidden], [address hidden]; call my son on '
        '[number hidden]".'
    ) in offer.text
    for secret in ("4512", "Downing", "7700", "2nd floor"):
        assert secret not in offer.text


def test_the_assigned_helper_reads_the_details_whole() -> None:
    (assigned,) = render_notification(
        "assigned_helper", {"request_id": 3, "details": RAW, "address": "10 Downing Street"}, "en"
    )
    assert f'Details: "{RAW}".' in assigned.text


def test_an_offer_without_details_says_none() -> None:
    (offer,) = render_notification("offer", _offer(""), "fr")
    assert "Précision" not in offer.text and ".  " not in offer.text


def test_very_long_details_are_cut_at_a_word_in_messages() -> None:
    (assigned,) = render_notification(
        "assigned_helper", {"request_id": 3, "details": "sac lourd " * 500}, "fr"
    )
    said = assigned.text.split("« ", 1)[1].split(" »", 1)[0]
    assert said.endswith("lourd…") and len(said) <= DETAILS_SAID + 1
