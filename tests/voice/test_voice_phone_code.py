"""A code that proves a landline (someone typed the number on Telegram) is read by a call, one
digit at a time, twice, and can be replayed; an SMS would never arrive on a landline."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from backend.people import codes
from backend.people.phone_codes import send_phone_code
from tests.factories import make_resident
from tests.voice.conftest import Line, new_landline


def test_the_code_for_a_landline_is_read_slowly_by_a_call(
    line: Line, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(codes, "secrets", SimpleNamespace(randbelow=lambda _n: 482913))
    number = new_landline()
    marcel = make_resident(session, "Marcel Petit", phone=number)
    sent = send_phone_code(session, number, "telegram:6666", person_id=marcel.id)
    session.commit()
    assert sent.channel == "voice_call"

    assert line.deliver().sent == 1
    assert line.fake.sms_to(number) == []
    (placed,) = line.fake.calls_to(number)
    call, heard = line.pick_up(placed)
    digits = "4, 8, 2, 9, 1, 3"
    assert f"Voici le code : {digits}. Je répète : {digits}." in heard.text
    assert "Pour réécouter ce message, tapez 9." in heard.text
    assert f"Voici le code : {digits}." in call.answer(digits="9").text
