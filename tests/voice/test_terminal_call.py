"""`coupdemain call`: a call typed in a terminal, over HTTP, signed like Twilio."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from coupdemain.terminal_call import TerminalCall
from tests.factories import make_resident
from tests.voice.conftest import DISPATCHER, Line, new_landline


def test_a_terminal_call_prints_what_is_heard_and_sends_keys_speech_and_silence(
    line: Line, session: Session
) -> None:
    number = new_landline()
    make_resident(session, "Germaine Roux", phone=number)
    session.commit()
    typed = iter(["", "j'ai besoin d'aide pour mes courses", "0"])
    out = io.StringIO()
    spoken: list[tuple[str, str]] = []
    code = TerminalCall(
        line.call(number),
        read=lambda prompt: next(typed),
        out=out,
        speak=lambda text, language: spoken.append((text, language)),
    ).run()
    printed = out.getvalue()
    assert code == 0
    assert "🔊 Bonjour Germaine ! Ici Coup de main." in printed
    assert "🔊 Je ne vous ai pas entendu." in printed
    assert "🔊 Pour quand ? Par exemple : demain matin" in printed
    assert f"☎  transfert vers {DISPATCHER}" in printed
    assert printed.rstrip().endswith("☎  raccroché.")
    assert spoken[0] == ("Bonjour Germaine ! Ici Coup de main.", "fr-FR")
    assert line.transcript(number)[-1] == "[choix] call:ended:completed"
