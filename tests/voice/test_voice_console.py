"""A phone call in the dispatchers' console: a caller who hangs up mid-request shows as a
dropped call, and what the dispatcher writes reaches a landline by a call, not an SMS."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.outbox.models import OutboxMessage
from tests.console.console_helpers import log_in, make_staff
from tests.factories import make_resident
from tests.voice.conftest import Line, new_landline


def test_a_dropped_call_is_flagged_in_the_console_and_the_caller_is_called_back(
    line: Line, session: Session
) -> None:
    number = new_landline()
    make_resident(session, "Germaine Roux", phone=number)
    make_staff(session, "claire")
    call = line.call(number)
    call.start()
    call.answer(speech="il me faudrait quelqu'un pour mes courses demain matin")
    call.hang_up("completed")

    # The hotline's public URL is HTTPS, so the console's cookies are Secure: browse over HTTPS.
    line.client.base_url = "https://testserver"  # type: ignore[assignment]
    csrf = log_in(line.client, "claire")
    page = line.client.get("/console/conversations")
    row = page.text[page.text.index("Germaine Roux") :].split("</tr>")[0]
    assert "Téléphone" in row and "Appel coupé" in row
    conversation = line.conversation(number)

    here = f"/console/conversations/{conversation.id}"
    transcript = line.client.get(here).text
    assert "il me faudrait quelqu&#39;un pour mes courses demain matin" in transcript
    line.client.post(f"{here}/take-over", data={"csrf": csrf})
    line.client.post(
        f"{here}/messages",
        data={"csrf": csrf, "text": "Bonjour Madame Roux, je vous rappelle pour vos courses."},
    )
    sent = line.rows(select(OutboxMessage).where(OutboxMessage.kind == "dispatcher_message"))
    assert [(m.channel, m.address) for m in sent] == [("voice_call", number)]
