"""Words per phone prompt: what a caller hears at each question, counted.

    .venv/bin/python -m bench.phone_words [fr|en]

Prints every question of the catalogue the phone may ask (its own words), then each menu of
a request for help as the line renders it (the question and its keypad options, through
bots.voice.render, as Twilio would say it). Aim: at most 25 words for a question, at most
four keypad options a menu. Lines over the aim are marked "!".
"""

from __future__ import annotations

import sys

from bots.voice.render import MAX_KEYPAD_OPTIONS, CallUrls, Transfers, keypad_options, render_call
from bots.voice.simulator import Heard
from dialogues.flows.request_help import (
    PARTS_OF_DAY,
    PHONE_MORE_SERVICES,
    PHONE_OTHER,
    PHONE_SERVICES,
)
from dialogues.messages import Choice, Expect, Outgoing
from dialogues.prompts import Prompts, catalogue

QUESTION_WORDS = 25
# Telegram's own words (buttons, typed numbers), never said on the phone.
NOT_ON_THE_PHONE = ("share_", "phone_code.", "ask_address_or_location", "ask_phone", "sms.")
_URLS = CallUrls(answer="https://x/answer", idle="https://x/idle", dialed="https://x/dialed")
_TRANSFERS = Transfers(dispatcher=None, hotline=None, phone_of=lambda _: None)


def words(text: str) -> int:
    return len([w for w in text.replace("«", " ").replace("»", " ").split() if w.strip(".,:?!")])


def heard(question: Outgoing, language: str) -> str:
    xml = render_call([question], language, urls=_URLS, transfers=_TRANSFERS)
    return Heard.parse(200, xml).text


def menus(language: str) -> dict[str, Outgoing]:
    p = Prompts(language)

    def keyed(items: list[tuple[str, str]]) -> tuple[Choice, ...]:
        return tuple(Choice(i, label, str(n + 1)) for n, (i, label) in enumerate(items))

    def service(s: str) -> str:
        label = p.service(s)
        return label[:1].upper() + label[1:]

    yes_no = keyed([("yes", p.say("answer_yes")), ("no", p.say("answer_no"))])
    return {
        "how_can_i_help": Outgoing(
            p.say("how_can_i_help"),
            (
                *keyed(
                    [
                        ("menu:request_help", p.say("menu_need_help")),
                        ("menu:offer_help", p.say("menu_offer_help")),
                        ("menu:check_status", p.say("menu_status")),
                    ]
                ),
                Choice("human", p.say("menu_human"), "0"),
            ),
            Expect.choice,
        ),
        "voice.ask_service": Outgoing(
            p.say("voice.ask_service"),
            keyed(
                [(s, service(s)) for s in PHONE_SERVICES]
                + [(PHONE_OTHER, p.say("voice.service_other"))]
            ),
            Expect.choice,
        ),
        "voice.ask_service_words": Outgoing(
            p.say("voice.ask_service_words"),
            keyed([(s, service(s)) for s in PHONE_MORE_SERVICES]),
            Expect.choice,
        ),
        "ask_time": Outgoing(
            p.say("ask_time"),
            keyed(
                [
                    ("time:today", p.say("time_today")),
                    ("time:tomorrow", p.say("time_tomorrow")),
                    ("time:asap", p.say("time_asap")),
                ]
            ),
            Expect.text,
        ),
        "voice.ask_time_part": Outgoing(
            p.say("voice.ask_time_part"),
            keyed([(name, p.say(f"voice.part_{name}")) for name, _, _ in PARTS_OF_DAY.values()]),
            Expect.choice,
        ),
        "ask_place_home": Outgoing(
            p.say("ask_place_home", address="12 rue Dumenge, 69004 Lyon"), yes_no, Expect.yes_no
        ),
        "ask_details": Outgoing(
            p.say("ask_details"), (Choice("skip", p.say("skip"), "#"),), Expect.text
        ),
        "ask_pay": Outgoing(
            p.say("ask_pay"),
            keyed(
                [
                    ("pay:volunteer", p.say("pay_volunteer")),
                    ("pay:cash", p.say("pay_cash")),
                    ("pay:time_credits", p.say("pay_time_credits")),
                ]
            ),
            Expect.choice,
        ),
        "voice.ask_price": Outgoing(p.say("voice.ask_price"), (), Expect.text),
        "what_to_change": Outgoing(
            p.say("what_to_change"),
            keyed(
                [
                    ("change:time", p.say("change_time")),
                    ("change:place", p.say("change_place")),
                    ("change:service", p.say("change_service")),
                    ("change:abandon", p.say("change_abandon")),
                ]
            ),
            Expect.choice,
        ),
    }


def report(language: str) -> list[str]:
    lines = [f"# Questions the phone may ask ({language}): words, key", ""]
    for key, text in sorted(catalogue(language).items()):
        if not text.rstrip().endswith(("?", ":")) or key.startswith(NOT_ON_THE_PHONE):
            continue
        n = words(text)
        lines.append(f"{'!' if n > QUESTION_WORDS else ' '} {n:3d}  {key}: {text}")
    lines += ["", f"# Request-for-help menus as heard ({language}): question + options", ""]
    for key, question in menus(language).items():
        said = heard(question, language)
        options = len(keypad_options(question))
        asked, read = words(question.text), words(said) - words(question.text)
        over = asked > QUESTION_WORDS or options > MAX_KEYPAD_OPTIONS
        mark = "!" if over else " "
        lines.append(f"{mark} {asked:3d} + {read:3d} words, {options} keys  {key}: {said}")
    return lines


def main() -> None:
    for language in sys.argv[1:] or ["fr"]:
        print("\n".join(report(language)))


if __name__ == "__main__":
    main()
