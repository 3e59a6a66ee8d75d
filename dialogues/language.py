"""The language of a message, when it is clear, and the conversation's language following it.

A small heuristic on function words: a message is in French or in English only when several
of that language's little words are in it and (almost) none of the other's, so "ok",
"merci", "hello" or a name never count. A clear message in the other language is answered in
it for that turn; two in a row switch the conversation's language.
"""

from __future__ import annotations

import re

from dialogues.turn import Turn
from dialogues.understanding import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FRENCH = _words(
    "je j tu il elle nous vous ils elles le la les un une des du et est sont pour avec dans "
    "sur pas ne mon ma mes votre vos notre ce cette ces qui que quoi au aux suis ai avez "
    "besoin demain aujourd hui bonjour plait quelqu quelque chose faire mais ou oui non "
    "voudrais pourriez peux chez moi"
)
_ENGLISH = _words(
    "i you he she we they the an and is are am was for with not my your our this that these "
    "what who to of need can could would please tomorrow today someone somebody help do does "
    "don it at have has will want get some from yes no but"
)
CLEAR = 3  # function words needed before a message counts as clearly in one language
SWITCH_AFTER = 2  # clear messages in a row in the other language that switch the conversation


def detect_language(text: str | None) -> str | None:
    """ "fr", "en", or None when the message does not say clearly."""
    words = re.findall(r"[a-z]+", fold(text or ""))
    french = sum(w in _FRENCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if french >= CLEAR and english * 3 <= french:
        return "fr"
    if english >= CLEAR and french * 3 <= english:
        return "en"
    return None


def follow_language(turn: Turn) -> None:
    """Answer a clear message in the other language in it; switch after SWITCH_AFTER."""
    said = detect_language(turn.incoming.text)
    current = turn.conversation.language or turn.config.default_language
    streak = int(turn.state.get("other_language", 0))
    if said is None or said == current:
        if streak:
            turn.remember(other_language=0)  # not in a row any more
        return
    if streak + 1 >= SWITCH_AFTER:
        turn.conversation.language = said
        turn.remember(other_language=0)
        return
    turn.remember(other_language=streak + 1)
    turn.language_of_turn = said
