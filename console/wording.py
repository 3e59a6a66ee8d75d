"""The engine's own codes as a dispatcher reads them, in the page's language.

The transcript keeps what the engine stored ("[choix] pay:volunteer", "[touches] 2",
"[choix] call:ended:completed", dialogues/store.py), the steps and history their code names
("when", "masked_call", "round 1: offered to helpers 43, 49"): they are worded here, at display
time, so that nothing stored changes and a code nobody foresaw still reads as words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from markupsafe import Markup, escape

from backend.conversations.service import HANDED_BACK_NOTE, TAKEN_OVER_NOTE


class Words(Protocol):
    language: str

    def __call__(self, key: str, **values: object) -> str: ...

    def has(self, key: str) -> bool: ...


LineKind = Literal["said", "chose", "event", "note"]


@dataclass(frozen=True)
class Line:
    """One transcript line as shown. `said`: the person's own words, kept as they came;
    `chose`: a button or key they picked; `event`: the call's own events (a separator);
    `note`: what the system noted (a take-over, a hand-back). `own`: the text is the person's
    words as they came, not ours (templates mark it, so the language checks leave it out)."""

    kind: LineKind
    text: str
    own: bool = False


# The engine's input markers (dialogues/store.py describe) and the console's own notes
# (backend/conversations/service.py), in the French they are stored in.
_MARKER = re.compile(r"\[(?P<tag>choix|touches|position)\] (?P<rest>.*)", re.DOTALL)
_NOTES = {
    "[contact partagé]": ("said", "lines.contact"),
    "[silence]": ("said", "lines.silence"),
    "[vide]": ("said", "lines.empty"),
    TAKEN_OVER_NOTE: ("note", "lines.taken_over"),
    HANDED_BACK_NOTE: ("note", "lines.handed_back"),
}
_CLEARED = re.compile(r"\[alerte urgence levée par (?P<who>.+)\]")


def transcript_line(text: str, t: Words, offered: Mapping[str, str] | None = None) -> Line:
    """A stored transcript text as the dispatcher reads it. `offered`: the labels of the
    choices the bot last offered (by choice id), for codes that only they name."""
    stripped = text.strip()
    if stripped in _NOTES:
        kind, key = _NOTES[stripped]
        return Line(kind, t(key))  # type: ignore[arg-type]
    cleared = _CLEARED.fullmatch(stripped)
    if cleared:
        return Line("note", t("lines.emergency_cleared", who=cleared["who"]))
    marker = _MARKER.fullmatch(stripped)
    if marker is None:
        return Line("said", text, own=True)
    tag, rest = marker["tag"], marker["rest"].strip()
    if tag == "touches":
        return Line("chose", t("lines.keys", keys=" ".join(rest)))
    if tag == "position":
        return Line("said", t("lines.position", where=rest))
    if rest.startswith("call:"):
        return Line("event", call_event(rest, t))
    return Line("chose", chosen(rest, t, offered or {}))


def chosen(code: str, t: Words, offered: Mapping[str, str]) -> str:
    """'pay:volunteer' -> 'A choisi : bénévole'; offers and reports get a sentence."""
    head, _, rest = code.partition(":")
    numbers = rest.split(":")
    if head == "answer" and rest:  # a choice offered inside a message read in a call
        return chosen(rest, t, offered)
    if head == "offer" and len(numbers) == 2 and numbers[1].isdigit():
        verb = numbers[0] if numbers[0] in ("accept", "decline") else "other"
        return t(f"lines.offer.{verb}", offer=numbers[1])
    if head == "job" and numbers[0] == "done" and len(numbers) == 2:
        return t("lines.job_done", request=numbers[1])
    if head == "rate" and len(numbers) == 2 and numbers[1].isdigit():
        return t("lines.rated", stars=numbers[1], request=numbers[0])
    if head == "connect":
        who = offered.get(code) or f"n° {rest}"
        return t("lines.connect", who=who)
    return t("lines.chose", what=choice_label(code, t, offered))


def choice_label(code: str, t: Words, offered: Mapping[str, str]) -> str:
    """What a choice id stands for, without the 'chose' around it."""
    head, _, rest = code.partition(":")
    if head == "service" and t.has(f"services.{rest}"):
        return t(f"services.{rest}").lower()
    if head == "stars" and rest.isdigit():
        return t("lines.stars", stars=rest)
    if head == "radius" and rest:
        return t("lines.radius", km=rest.replace(".", ",") if t.language == "fr" else rest)
    key = f"lines.choices.{code.replace(':', '.')}"
    if t.has(key):
        return t(key)
    if code in offered:
        return f"« {offered[code]} »" if t.language == "fr" else f"“{offered[code]}”"
    return readable(code)


def call_event(code: str, t: Words) -> str:
    """The call's own events: 'call:ended:completed' -> 'Appel terminé'."""
    parts = code.split(":")
    event = parts[1] if len(parts) > 1 else ""
    if event == "ended":
        status = parts[2] if len(parts) > 2 else ""
        key = f"lines.call.ended_{status.replace('-', '_')}"
        return t(key) if t.has(key) else t("lines.call.ended")
    if event == "unreached":
        to = "party" if len(parts) > 2 and parts[2] == "party" else "dispatcher"
        return t(f"lines.call.unreached_{to}")
    key = f"lines.call.{event}"
    return t(key) if t.has(key) else t("lines.call.other", what=readable(":".join(parts[1:])))


def step_label(flow: str | None, step: str | None, t: Words, *, labelled: bool = False) -> str:
    """'request_help', 'when' -> 'Demande d'aide · le moment' ('· Étape : le moment' when
    `labelled`, where no column header says it is a step)."""
    parts = []
    if flow:
        parts.append(t(f"flows.{flow}") if t.has(f"flows.{flow}") else readable(flow).capitalize())
    if step:
        said = t(f"steps.{step}") if t.has(f"steps.{step}") else readable(step)
        parts.append(t("lines.step", step=said) if labelled else said)
    return " · ".join(parts)


def event_kind(kind: str, t: Words) -> str:
    """A request history entry's kind: 'masked_call' -> 'Appel masqué'."""
    for key in (f"req.event_kinds.{kind}", f"flows.{kind}"):
        if t.has(key):
            return t(key)
    return readable(kind).capitalize()


# The notes the backend writes on a request's history (backend/dispatch, backend/requests,
# dialogues/flows/masked_call.py), in English: each becomes lines.history.<key>. A group named
# `helpers` holds person ids (named and linked), `round` a round number, `channel` a channel.
_HISTORY = (
    (re.compile(r"round (?P<round>\d+): offered to helpers (?P<helpers>\d+(?:, \d+)*)"), "offered"),
    (re.compile(r"round (?P<round>\d+)"), "round"),
    (re.compile(r"no helper after round (?P<round>\d+)"), "no_helper"),
    (re.compile(r"offer (?P<offer>\d+) declined"), "offer_declined"),
    (re.compile(r"offer (?P<offer>\d+) accepted"), "offer_accepted"),
    (re.compile(r"assigned by hand to helper (?P<helpers>\d+)"), "assigned_by_hand"),
    (re.compile(r"helper (?P<helpers>\d+) released by hand"), "released_by_hand"),
    (re.compile(r"via (?P<channel>[a-z_]+)"), "via"),
    (re.compile(r"call from (?P<role>requester|helper)"), "call_from"),
)


def named_in(notes: Iterable[str | None]) -> set[int]:
    """The person ids the history notes name, to look their names up in one query."""
    ids: set[int] = set()
    for note in notes:
        for pattern, _ in _HISTORY:
            found = pattern.fullmatch((note or "").strip())
            if found and "helpers" in found.groupdict():
                ids.update(int(x) for x in found["helpers"].split(", "))
                break
    return ids


def history_note(
    note: str | None, t: Words, names: Mapping[int, str], link: str = "/console/people/"
) -> Markup:
    """A request history note the backend writes in English, worded, each helper named and
    linked: 'Proposé à Anne M., Karim B. (1er tour)'. A note a person wrote is kept as is."""
    text = (note or "").strip()
    for pattern, key in _HISTORY:
        found = pattern.fullmatch(text)
        if found:
            return _worded(f"lines.history.{key}", found.groupdict(), t, names, link)
    return escape(note or "")


def _worded(
    key: str, groups: dict[str, str], t: Words, names: Mapping[int, str], link: str
) -> Markup:
    values: dict[str, object] = dict(groups)
    people = Markup("")
    if "helpers" in groups:
        people = Markup(", ").join(
            Markup('<a href="{}{}">{}</a>').format(link, i, short_name(names.get(i)) or f"n° {i}")
            for i in (int(x) for x in groups["helpers"].split(", "))
        )
        values["helpers"] = "\x00"  # the links go in after the words are escaped
    if "round" in groups:
        first = groups["round"] == "1"
        values["round"] = (
            t("lines.history.round_1") if first else t("lines.history.round_n", n=groups["round"])
        )
    if "channel" in groups:
        channel = f"channels.{groups['channel']}"
        values["channel"] = t(channel) if t.has(channel) else readable(groups["channel"])
    if "role" in groups:
        values["role"] = t(f"lines.history.roles.{groups['role']}")
    return escape(t(key, **values)).replace("\x00", people)


def short_name(display_name: str | None) -> str:
    """'Claire Dupont' -> 'Claire D.': enough for a colleague to know who, no full name shown."""
    words = (display_name or "").split()
    if len(words) < 2:
        return " ".join(words)
    return f"{words[0]} {words[-1][0].upper()}."


def readable(code: str) -> str:
    """An unknown code as words: 'time_part:soon' -> 'time part soon'."""
    return re.sub(r"[\s:_\-]+", " ", code).strip()
