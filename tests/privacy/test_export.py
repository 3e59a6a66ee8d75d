"""The right of access: the person's data, all of it, and no one else's."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from backend.privacy import export_person
from tests.privacy import scene


def test_export_holds_identity_contacts_requests_conversations_ratings_and_ledger(
    session: Session,
) -> None:
    s = scene.build(session)
    data = export_person(session, s.jeanne.id)

    assert data["person"]["display_name"] == scene.NAME
    assert {c["value"] for c in data["contacts"]} == {scene.PHONE, str(scene.TELEGRAM)}
    assert [a["street"] for a in data["addresses"]] == [scene.STREET]
    assert {r["id"] for r in data["requests_made"]} == {s.done.id, s.pending.id}
    said = [m["text"] for c in data["conversations"] for m in c["messages"]]
    assert f"Bonjour, je suis {scene.NAME}, j'habite {scene.STREET}" in said
    assert [r["comment"] for r in data["ratings_given"]] == ["Bruno est adorable"]
    assert [r["stars"] for r in data["ratings_received"]] == [4]
    assert "person_time" in {a["kind"] for a in data["ledger"]["accounts"]}
    assert any(line["memo"] == "crédits de bienvenue" for line in data["ledger"]["statement"])
    assert [m["kind"] for m in data["messages_sent_to_them"]].count("reminder") == 1
    json.dumps(data)  # plain JSON all through


def test_export_holds_no_one_elses_name_phone_or_address(session: Session) -> None:
    s = scene.build(session)
    text = json.dumps(export_person(session, s.jeanne.id), ensure_ascii=False)
    for other in (scene.OTHER_NAME, scene.OTHER_PHONE, scene.OTHER_STREET, "Chloé Bernard"):
        assert other not in text
    assert "Bruno, Jeanne Martin" not in text  # a message in Bruno's conversation


def test_a_helper_export_says_what_jobs_they_did_without_the_requester_details(
    session: Session,
) -> None:
    s = scene.build(session)
    data = export_person(session, s.bruno.id)
    # What he was sent or offered; his own words (a rating's comment naming her) are his.
    text = json.dumps(
        [data["jobs_as_helper"], data["offers_received"], data["messages_sent_to_them"]],
        ensure_ascii=False,
    )
    assert [j["id"] for j in data["jobs_as_helper"]] == [s.done.id]
    assert {o["request_id"] for o in data["offers_received"]} == {s.done.id, s.pending.id}
    assert any(m["kind"] == "assigned_helper" for m in data["messages_sent_to_them"])
    for theirs in (scene.STREET, scene.PHONE, "sonner deux fois", "Jeanne"):
        assert theirs not in text
    assert "password_hash" not in json.dumps(data)
