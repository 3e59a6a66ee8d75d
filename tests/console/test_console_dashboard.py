"""The dashboard over HTTP: the week of tests/stats (every timestamp known) read in French
and in English, its charts and their tables, an empty neighbourhood, periods, refusals."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.dispatch.service import cancel_request
from backend.requests.models import RequestStatus
from backend.requests.service import transition
from console.pages.dashboard import clock
from tests.console.console_helpers import log_in, make_staff
from tests.dispatch.dispatch_data import helper, requester
from tests.factories import make_resident
from tests.stats.test_stats_service import NOW, accepted, done, opened, week

__all__ = ["week"]  # the fixture, shared with the figures' own tests

SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\xa0"  # French writes "50 %" with a no-break space


class _Texts(HTMLParser):
    """The text of every element carrying a data-testid, whitespace squeezed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None]] = []
        self.texts: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "input", "meta", "link", "circle", "line"):
            return
        testid = dict(attrs).get("data-testid")
        self.open.append((tag, testid))
        if testid:
            self.texts[testid] = []

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, testid in self.open:
            if testid:
                self.texts[testid].append(data)


def texts(html: str) -> dict[str, str]:
    parser = _Texts()
    parser.feed(html)
    return {k: re.sub(r"[ \t\r\n]+", " ", "".join(v)).strip() for k, v in parser.texts.items()}


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", html, re.S)]


def rows(html: str, testid: str) -> list[list[str]]:
    """The table rows under one chart: [label, value, ...]."""
    block = re.search(rf'data-testid="{testid}".*?</figure>', html, re.S)
    assert block, testid
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)
        ]
        for r in re.findall(r"<tr>(.*?)</tr>", block.group(0), re.S)
    ]


@pytest.fixture
def dispatcher(client: TestClient, session: Session) -> TestClient:
    """A dispatcher logged in, the figures judged at the fixed moment of the stats tests."""
    make_staff(session, "nadia")
    log_in(client, "nadia")
    client.app.dependency_overrides[clock] = lambda: NOW  # type: ignore[attr-defined]
    return client


def test_the_week_reads_in_french_with_exact_figures(
    dispatcher: TestClient, week: dict[str, Any]
) -> None:
    page = dispatcher.get("/console/dashboard?days=7&lang=fr")
    assert page.status_code == 200
    shown = texts(page.text)

    assert shown["dash-card-requests"].startswith("Demandes 9 ")
    assert f"50{NBSP}%" in shown["dash-card-fulfilled"]
    assert "Abouties : 2 ; annulées : 1 ; expirées : 1." in shown["dash-card-fulfilled"]
    # Accepted after 4, 10, 16 and 30 minutes; the hand assignment is left apart.
    assert "13 min" in shown["dash-card-median"]
    assert "Acceptations par un·e bénévole : 4." in shown["dash-card-median"]
    assert "Attributions à la main, non comptées : 1." in shown["dash-card-median"]
    assert "26 min" in shown["dash-card-p90"]  # 25.8 minutes
    assert "3 / 5" in shown["dash-card-helpers"]
    # Each figure of the moment links to the requests page's queue it counts.
    assert {s: shown[f"dash-now-{s}"] for s in ("open", "offered", "assigned", "late")} == {
        "open": "Ouvertes 3",
        "offered": "Proposées à des bénévoles 1",
        "assigned": "Attribuées ou en cours 2",
        "late": "En retard 2",
    }
    for queue in ("open", "offered", "assigned", "late"):
        assert (
            f'href="/console/requests?status={queue}" data-testid="dash-now-{queue}"' in page.text
        )
    assert "Du 14 novembre 2026 au 20 novembre 2026" in page.text


def test_the_period_links_mark_the_current_one(
    dispatcher: TestClient, week: dict[str, Any]
) -> None:
    page = dispatcher.get("/console/dashboard?days=7")

    current = re.findall(r'<a href="([^"]+)" data-testid="dash-period-\d+" aria-current', page.text)
    assert current == ["/console/dashboard?days=7"]
    assert "28 derniers jours" in texts(page.text)["dash-periods"]
    # Without a period, the last 28 days, which take in the jobs of the 10th and the 13th.
    default = dispatcher.get("/console/dashboard")
    assert 'data-testid="dash-period-28" aria-current="page"' in default.text
    assert texts(default.text)["dash-card-requests"].startswith("Demandes 11 ")


def test_the_charts_are_svg_images_with_titles_and_day_labels_in_french(
    dispatcher: TestClient, week: dict[str, Any]
) -> None:
    page = dispatcher.get("/console/dashboard?days=7")
    charts = svgs(page.text)

    assert [c.findtext(f"{SVG}title") for c in charts] == [
        "Demandes par jour",
        "Demandes par service",
        "Délai médian avant acceptation, par semaine (minutes)",
        "Demandes closes, abouties ou non",
    ]
    assert all(c.get("role") == "img" for c in charts)
    per_day, per_service, weekly, share = (c.findtext(f"{SVG}desc") or "" for c in charts)
    assert per_day.startswith("sam. 14 : 1; dim. 15 : 0; lun. 16 : 1") and "ven. 20 : 3" in per_day
    assert per_service == "Courses : 6; Bricolage : 1; Jardinage : 1; Service non précisé : 1"
    assert weekly == "9 nov. : 4 min; 16 nov. : 16 min"
    assert share == (
        f"Abouties : 2 (50{NBSP}%); Annulées : 1 (25{NBSP}%); Expirées : 1 (25{NBSP}%)"
    )


def test_under_each_chart_a_table_holds_the_same_numbers(
    dispatcher: TestClient, week: dict[str, Any]
) -> None:
    page = dispatcher.get("/console/dashboard?days=7")

    assert page.text.count("<details>") == 4
    per_day = rows(page.text, "dash-chart-per_day")
    assert per_day[0] == ["Jour", "Demandes"]
    assert per_day[1:3] == [["samedi 14 novembre", "1"], ["dimanche 15 novembre", "0"]]
    assert per_day[-1] == ["vendredi 20 novembre", "3"]
    assert rows(page.text, "dash-chart-per_service")[1:] == [
        ["Courses", "6"],
        ["Bricolage", "1"],
        ["Jardinage", "1"],
        ["Service non précisé", "1"],
    ]
    assert rows(page.text, "dash-chart-weekly_accept") == [
        ["Semaine", "Acceptations", "Délai médian"],
        ["semaine du lundi 9 novembre", "1", "4 min"],
        ["semaine du lundi 16 novembre", "3", "16 min"],
    ]
    assert rows(page.text, "dash-chart-fulfilment")[1:] == [
        ["Abouties", "2", f"50{NBSP}%"],
        ["Annulées", "1", f"25{NBSP}%"],
        ["Expirées", "1", f"25{NBSP}%"],
    ]
    assert '<th scope="row">' in page.text and "<caption>Demandes par jour</caption>" in page.text


def test_the_week_reads_in_english(dispatcher: TestClient, week: dict[str, Any]) -> None:
    page = dispatcher.get("/console/dashboard?days=7&lang=en")
    shown = texts(page.text)

    assert '<html lang="en">' in page.text
    assert shown["dash-card-requests"].startswith("Requests 9 ")
    assert "50%" in shown["dash-card-fulfilled"]
    assert "Fulfilled: 2; cancelled: 1; expired: 1." in shown["dash-card-fulfilled"]
    assert "13 min" in shown["dash-card-median"] and "26 min" in shown["dash-card-p90"]
    assert shown["dash-now-late"] == "Late 2"
    per_day = svgs(page.text)[0].findtext(f"{SVG}desc") or ""
    assert per_day.startswith("Sat 14: 1; Sun 15: 0; Mon 16: 1")
    assert rows(page.text, "dash-chart-per_service")[1] == ["Errands", "6"]
    assert rows(page.text, "dash-chart-weekly_accept")[1] == [
        "week of Monday 9 November",
        "1",
        "4 min",
    ]
    assert rows(page.text, "dash-chart-fulfilment")[2] == ["Cancelled", "1", "25%"]


def test_decimals_and_hours_are_written_the_page_language_way(
    dispatcher: TestClient, session: Session
) -> None:
    """Two of three closed requests fulfilled, both accepted after 65 minutes."""
    amelie = helper(session, "Amélie", services=["errands"])
    jeanne = requester(session)
    for hour in (7, 8):
        request = accepted(
            session, opened(session, jeanne, NOW - timedelta(hours=hour)), amelie, 65
        )
        done(session, request, NOW - timedelta(minutes=30))
    dropped = opened(session, jeanne, NOW - timedelta(hours=2))
    cancel_request(session, dropped.id, jeanne.id, "plus besoin")
    session.commit()

    french = texts(dispatcher.get("/console/dashboard?days=7&lang=fr").text)
    english = texts(dispatcher.get("/console/dashboard?days=7&lang=en").text)

    assert f"66,7{NBSP}%" in french["dash-card-fulfilled"]
    assert "66.7%" in english["dash-card-fulfilled"]
    assert "1 h 05" in french["dash-card-median"] and "1h 5min" in english["dash-card-p90"]


def test_a_job_in_progress_counts_with_the_assigned_ones_as_the_requests_queue_does(
    dispatcher: TestClient, session: Session
) -> None:
    amelie = helper(session, "Amélie", services=["errands"])
    jeanne = requester(session)
    started = accepted(session, opened(session, jeanne, NOW - timedelta(hours=3)), amelie, 5)
    transition(session, started, RequestStatus.in_progress, actor_id=amelie.id)
    accepted(session, opened(session, jeanne, NOW - timedelta(hours=2)), amelie, 5)
    session.commit()

    shown = texts(dispatcher.get("/console/dashboard?days=7").text)

    assert shown["dash-now-assigned"] == "Attribuées ou en cours 2"


def test_an_empty_neighbourhood_says_no_data(dispatcher: TestClient) -> None:
    page = dispatcher.get("/console/dashboard?days=90")
    assert page.status_code == 200
    shown = texts(page.text)

    assert shown["dash-no-requests"] == "Aucune demande sur cette période."
    assert shown["dash-card-requests"].startswith("Demandes 0 ")
    assert "—" in shown["dash-card-fulfilled"] and "—" in shown["dash-card-median"]
    charts = svgs(page.text)
    assert len(charts) == 4
    assert all(c.findtext(f"{SVG}desc") == "Aucune donnée sur cette période." for c in charts)
    assert all(c.find(f".//{SVG}rect") is None for c in charts)
    assert "<table" not in page.text and page.text.count("<details>") == 4


@pytest.mark.parametrize("days", ["30", "0", "-7", "abc", "7.5", "1000"])
def test_a_period_outside_7_28_90_is_refused_with_the_right_ones_offered(
    dispatcher: TestClient, days: str
) -> None:
    page = dispatcher.get(f"/console/dashboard?days={days}")

    assert page.status_code == 400
    assert (
        texts(page.text)["dash-bad-period"] == "Période inconnue : choisissez l'une de celles-ci."
    )
    assert 'role="alert"' in page.text
    for p in (7, 28, 90):
        assert f'href="/console/dashboard?days={p}"' in page.text
    assert "<svg" not in page.text


PAGES = ["/console/dashboard", "/console/dashboard?days=7", "/console/dashboard?days=30"]


@pytest.mark.parametrize("path", PAGES)
def test_a_stranger_is_sent_to_the_login_form(client: TestClient, path: str) -> None:
    reply = client.get(path, follow_redirects=False)

    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/console/login?next=%2Fconsole%2Fdashboard")


@pytest.mark.parametrize("path", PAGES)
def test_a_resident_is_refused(
    client: TestClient, session: Session, login_as: Callable[[int], dict[str, str]], path: str
) -> None:
    resident = make_resident(session, "Jeanne")
    session.commit()
    token = login_as(resident.id)["Authorization"].removeprefix("Bearer ")
    client.cookies.set("cdm_session", token)

    reply = client.get(path)

    assert reply.status_code == 403 and "<svg" not in reply.text
    assert "réservée aux opérateurs" in reply.text
