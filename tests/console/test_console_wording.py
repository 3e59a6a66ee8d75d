"""The engine's codes as a dispatcher reads them, in French and in English (console/wording.py):
what is stored stays raw, what is shown is words."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.conversations.service import HANDED_BACK_NOTE, TAKEN_OVER_NOTE
from console.i18n import Translator
from console.takeovers import TakeOver, banner, clock
from console.wording import (
    Line,
    history_note,
    readable,
    short_name,
    step_label,
    transcript_line,
)

FR, EN = Translator("fr"), Translator("en")


@pytest.mark.parametrize(
    ("stored", "kind", "french", "english"),
    [
        ("[choix] pay:volunteer", "chose", "A choisi : bénévole", "Chose: volunteer"),
        ("[choix] time:asap", "chose", "A choisi : dès que possible", "Chose: as soon as possible"),
        ("[choix] service:errands", "chose", "A choisi : courses", "Chose: errands"),
        ("[choix] stars:4", "chose", "A choisi : 4 sur 5", "Chose: 4 out of 5"),
        (
            "[choix] radius:2.5",
            "chose",
            "A choisi : 2,5 km autour de chez soi",
            "Chose: 2.5 km from home",
        ),
        (
            "[choix] menu:check_status",
            "chose",
            "A choisi : où en est sa demande",
            "Chose: how their request is going",
        ),
        ("[choix] yes", "chose", "A choisi : oui", "Chose: yes"),
        (
            "[choix] answer:offer:accept:7",
            "chose",
            "A accepté la proposition (n° 7)",
            "Accepted the offer (no. 7)",
        ),
        (
            "[choix] offer:decline:12",
            "chose",
            "A refusé la proposition (n° 12)",
            "Declined the offer (no. 12)",
        ),
        (
            "[choix] rate:31:5",
            "chose",
            "A donné la note 5 sur 5 (demande n° 31)",
            "Rated 5 out of 5 (request no. 31)",
        ),
        ("[choix] call:ended:completed", "event", "Appel terminé", "Call ended"),
        (
            "[choix] call:ended:no-answer:44",
            "event",
            "Appel terminé : pas de réponse",
            "Call ended: no answer",
        ),
        ("[choix] call:start", "event", "Appel entrant", "Incoming call"),
        (
            "[choix] call:unreached:party:busy",
            "event",
            "Mise en relation sans réponse",
            "Put-through not answered",
        ),
        ("[touches] 12", "chose", "Touches : 1 2", "Keys: 1 2"),
        ("[silence]", "said", "(silence)", "(silence)"),
        (
            TAKEN_OVER_NOTE,
            "note",
            "Un·e opérateur·rice a pris la conversation.",
            "A dispatcher took the conversation over.",
        ),
        (
            HANDED_BACK_NOTE,
            "note",
            "La conversation revient au robot.",
            "The conversation is back with the bot.",
        ),
        (
            "[alerte urgence levée par Claire]",
            "note",
            "Alerte urgence levée par Claire.",
            "Emergency flag cleared by Claire.",
        ),
    ],
)
def test_stored_codes_read_as_words_in_both_languages(
    stored: str, kind: str, french: str, english: str
) -> None:
    assert transcript_line(stored, FR) == Line(kind, french)
    assert transcript_line(stored, EN).text == english


def test_what_a_person_wrote_is_kept_as_written_even_with_brackets_or_colons() -> None:
    for text in ("[choix] c'est moi qui écris", "rdv 14:30 : ok", "  [touches] pas un code"):
        line = transcript_line(text, FR)
        assert line.kind in ("said", "chose")
    assert transcript_line("rdv 14:30 : ok", FR).text == "rdv 14:30 : ok"
    assert transcript_line("[choix]", FR).text == "[choix]"  # no code: not ours


def test_an_unknown_code_is_worded_without_its_colons() -> None:
    line = transcript_line("[choix] time_part:late_night:3", FR)
    assert line.text == "A choisi : time part late night 3"
    assert ":" not in line.text.removeprefix("A choisi :")
    assert transcript_line("[choix] call:ringing:9", EN).text == "Call: ringing 9"


def test_a_choice_only_the_bot_named_reads_as_the_button_it_offered() -> None:
    offered = {"connect:42": "Anne", "color:blue": "Bleu ciel"}
    assert transcript_line("[choix] connect:42", FR, offered).text == (
        "Demande la mise en relation avec Anne"
    )
    assert transcript_line("[choix] color:blue", FR, offered).text == "A choisi : « Bleu ciel »"
    assert transcript_line("[choix] color:blue", EN, offered).text == "Chose: “Bleu ciel”"


def test_steps_read_as_words_and_an_unknown_step_has_no_underscores() -> None:
    assert step_label("request_help", "when", FR, labelled=True) == (
        "Demande d'aide · Étape : le moment"
    )
    assert step_label("request_help", "time", EN) == "Help request · date and time"
    assert step_label("new_flow", "odd_step", FR) == "New flow · odd step"


def test_a_round_of_offers_names_and_links_each_helper() -> None:
    names = {43: "Anne Moreau", 49: "Karim Benali", 60: "Lucie Durand"}
    note = "round 1: offered to helpers 43, 49, 60"
    assert str(history_note(note, FR, names)) == (
        'Proposé à <a href="/console/people/43">Anne M.</a>, '
        '<a href="/console/people/49">Karim B.</a>, '
        '<a href="/console/people/60">Lucie D.</a> (1er tour)'
    )
    english = str(history_note("round 2: offered to helpers 43", EN, names))
    assert english == 'Offered to <a href="/console/people/43">Anne M.</a> (round 2)'
    assert str(history_note("round 3: offered to helpers 7", FR, {})) == (
        'Proposé à <a href="/console/people/7">n° 7</a> (3e tour)'
    )


def test_other_history_notes_are_worded_and_a_typed_note_is_escaped() -> None:
    assert str(history_note("call from helper", FR, {})) == "Appel de l&#39;aidant·e"
    assert str(history_note("via telegram", EN, {})) == "Through Telegram"
    assert str(history_note("offer 5 declined", FR, {})) == "Proposition refusée (n° 5)"
    assert str(history_note("no helper after round 2", EN, {})) == "Nobody available after round 2"
    assert str(history_note("<b>rappeler</b> demain", FR, {})) == (
        "&lt;b&gt;rappeler&lt;/b&gt; demain"
    )


def test_short_names_and_clock_times_in_each_language() -> None:
    assert short_name("Claire Dupont") == "Claire D."
    assert short_name("Jean-Pierre de la Fontaine") == "Jean-Pierre F."
    assert short_name("Claire") == "Claire"
    afternoon = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)  # 14:05 in Paris
    assert clock(afternoon, "fr", now=afternoon) == "14 h 05"
    assert clock(afternoon, "en", now=afternoon) == "14:05"
    next_day = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert clock(afternoon, "fr", now=next_day) == "jeu. 3 déc. 14 h 05"
    assert clock(afternoon, "en", now=next_day) == "Thu 3 Dec 14:05"


def test_the_take_over_banner_names_the_dispatcher_and_the_time() -> None:
    at = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
    taken = TakeOver(dispatcher_id=3, name="Claire D.", since=at)
    assert banner(taken, FR, now=at) == "Pris en main par Claire D. depuis 14 h 05"
    assert banner(taken, EN, now=at) == "Taken over by Claire D. since 14:05"
    assert banner(TakeOver(3, "Claire D.", None), FR) == "Pris en main par Claire D."


def test_every_button_the_dialogues_offer_has_words_of_its_own() -> None:
    """A new button in dialogues/ without a label here would read as its code's words: the
    literal choice ids of the flows, and one of each built id, all have their own wording."""
    source = "\n".join(p.read_text("utf-8") for p in Path("dialogues").rglob("*.py"))
    literal = set(re.findall(r'Choice\(\s*"([^"]+)"', source))
    assert len(literal) >= 20  # the search still finds the flows' buttons
    built = {f"{p}:" for p in re.findall(r'Choice\(\s*f"([a-z_]+):', source)}
    samples = {
        "answer:": "answer:yes", "job:": "job:done:3", "offer:": "offer:accept:4",
        "part:": "part:morning", "radius:": "radius:5", "rate:": "rate:3:4",
        "service:": "service:errands", "stars:": "stars:2",
    }  # fmt: skip
    assert built <= samples.keys(), f"a new kind of button: {built - samples.keys()}"
    for code in sorted(literal | set(samples.values()) | {"service:other"}):
        # The codes are English words: in French only a label of its own differs from them.
        assert transcript_line(f"[choix] {code}", FR).text != FR("lines.chose", what=readable(code))
        english = transcript_line(f"[choix] {code}", EN).text
        assert "_" not in english and ":" not in english.removeprefix("Chose:"), code
