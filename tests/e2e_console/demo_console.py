"""The demo neighbourhood in the browser tests' database: a realistic amount of everything
(65 people, their requests, conversations, payments), as `make demo` shows it."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, expect
from sqlalchemy import select

from backend.callbacks.service import close, open_callback
from backend.conversations.models import Conversation
from backend.db import utcnow
from backend.people.models import Person
from backend.requests.models import HelpRequest, RequestStatus
from coupdemain.demo.identities import DISPATCHER
from coupdemain.demo.seed import seed_demo
from tests.e2e_console.conftest import LiveConsole


@dataclass(frozen=True)
class Demo:
    open_requests: list[int]  # open or offered: the ones with candidates to rank
    done_request: int
    resident: int  # someone with an address, requests and a ledger
    conversation: int


def seed(live: LiveConsole) -> Demo:
    with live.factory() as s:
        seed_demo(s, now=utcnow())
        resident = s.scalars(select(Person).where(Person.login.is_(None)).order_by(Person.id))
        first = next(iter(resident))
        # A caller owed a call-back, so that the conversations page shows its list too.
        open_callback(
            s,
            key="voice:CAdemo",
            phone="+33465718939",
            reason="asked_for_human",
            now=utcnow(),
            last_words="je voudrais parler à quelqu'un",
            person_id=first.id,
        )
        # And one answered, so that the list of call-backs done is checked too.
        answered, _ = open_callback(
            s,
            key="voice:CAdemo2",
            phone="+33465718938",
            reason="transfer_unanswered",
            now=utcnow(),
            person_id=first.id,
        )
        staff = s.scalars(select(Person.id).where(Person.login == DISPATCHER.login)).one()
        close(s, answered.id, staff, utcnow(), "Rappelée, Karim passe demain")
        waiting = (RequestStatus.open, RequestStatus.offered)
        demo = Demo(
            open_requests=list(
                s.scalars(select(HelpRequest.id).where(HelpRequest.status.in_(waiting)))
            ),
            done_request=s.scalars(
                select(HelpRequest.id).where(HelpRequest.status == RequestStatus.done)
            ).first()
            or 0,
            resident=first.id,
            conversation=s.scalars(select(Conversation.id).order_by(Conversation.id.desc())).first()
            or 0,
        )
        s.commit()
    return demo


def log_in_as_dispatcher(page: Page, live: LiveConsole, path: str = "/console/requests") -> None:
    page.goto(f"{live.url}{path}")
    page.locator("#username").fill(DISPATCHER.login)
    page.locator("#password").fill(DISPATCHER.password)
    page.locator("form[action='/console/login'] button[type=submit]").click()
    expect(page).to_have_url(f"{live.url}{path}")
