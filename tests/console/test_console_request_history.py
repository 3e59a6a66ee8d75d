"""A request's history as a dispatcher reads it: the notes the backend writes in English
('round 1: offered to helpers 43, 49') worded in the page's language, each helper named and
linked to their file; the kinds ('masked_call') in words."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.dispatch.policy import DispatchPolicy
from backend.dispatch.rounds import start_dispatch
from backend.requests.service import record
from tests.console.console_helpers import log_in, make_staff
from tests.dispatch.dispatch_data import helper, requester
from tests.factories import make_request


def history_of(html: str) -> str:
    table = html[html.index('data-testid="history"') :]
    return table[: table.index("</table>")]


def test_a_round_of_offers_names_each_helper_with_a_link_in_both_languages(
    client: TestClient, session: Session
) -> None:
    anne = helper(session, "Anne Moreau", km=0.3)
    karim = helper(session, "Karim Benali", km=0.6)
    lucie = helper(session, "Lucie Durand", km=0.9)
    r = make_request(session, requester(session))
    start_dispatch(session, r, DispatchPolicy(), utcnow())
    record(session, r, "masked_call", actor_id=anne.id, note="call from helper")
    session.commit()
    make_staff(session, "nadia")
    log_in(client, "nadia")

    french = history_of(client.get(f"/console/requests/{r.id}?lang=fr").text)
    people = ", ".join(
        f'<a href="/console/people/{p.id}">{n}</a>'
        for p, n in ((anne, "Anne M."), (karim, "Karim B."), (lucie, "Lucie D."))
    )
    assert f"Proposé à {people} (1er tour)" in french
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in french.split("</tr>")]
    assert any(re.search(r"Appel masqué Anne Moreau Appel de l&#39;aidant·e$", r) for r in rows)
    assert "Appel de l&#39;aidant·e" in french
    for raw in ("offered to helpers", "round 1", "masked_call", "call from"):
        assert raw not in french
    english = history_of(client.get(f"/console/requests/{r.id}?lang=en").text)
    assert f"Offered to {people} (round 1)" in english
    assert "Masked call" in english and "Call from the helper" in english
