"""Is someone in danger *now*? A reading of the words, French and English.

An emergency is danger to life or safety now (../shared/NLU_TAXONOMY.md): a fall and cannot
get up, chest pain, fire, gas, a break-in in progress. A fall last week or a sore knee,
said while asking for the shopping, is the reason for the request, not an emergency.

- `now`: a cry for help or a danger in progress: the emergency answer at once;
- `unsure`: a danger word (a fall, pain) with nothing saying when or how bad: ask first;
- `calm`: the fall or the pain is over ("la semaine dernière", "hier") or mild ("mal au
  genou"): go on with what they ask;
- `none`: nothing about danger in the words.

The words are checked in this order: a `now` cue wins over everything ("je suis tombée
hier et je ne peux pas me relever" is danger now).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from dialogues.understanding import Understanding, fold


class Danger(StrEnum):
    now = "now"
    unsure = "unsure"
    calm = "calm"
    none = "none"


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


_DAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_EN_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMBER = r"(?:un|une|deux|trois|quatre|cinq|six|quelques|plusieurs|\d+)"
_EN_NUMBER = r"(?:a|an|one|two|three|four|five|six|a few|several|\d+)"

# Danger in progress: said this way, nothing else needs to be known.
_NOW = _words(
    # cries for help
    r"au secours",
    r"a l'?aide(?! (?:de|d'|du|des|pour))",
    r"help help",
    r"(?<!can )(?<!could )(?:some|any)(?:body|one) help(?! (?:me )?(?:with|to|for|carry|move|get))",
    # a fall, still on the floor
    r"(?:peux|peut|arrive|parviens) (?:pas|plus) (?:a )?me (?:re)?lever",
    r"(?:je suis|suis toujours|suis encore|je reste) (?:coincee? )?(?:par terre|au sol)",
    r"(?:je )?viens de (?:tomber|faire une chute)",
    r"can'?t get up",
    r"cannot get up",
    r"(?:i'?m|i am) (?:lying )?on the floor",
    r"i(?:'ve| have)? just (?:fallen|fell)",
    # the heart, the breath
    r"(?:douleur|mal|serrement) (?:a|dans) la poitrine",
    r"je (?:fais|suis en train de faire) (?:un|une) (?:malaise|crise cardiaque|infarctus|avc)",
    r"inconsciente?",
    r"(?:ne )?respire (?:plus|pas|mal)",
    r"j'?etouffe",
    r"chest pains?",
    r"pain in my chest",
    r"(?:i'?m|i am|he'?s|she'?s) having a (?:heart attack|stroke)",
    r"unconscious",
    r"not breathing",
    r"can'?t breathe",
    # gas, fire
    r"odeur de gaz",
    r"sent le gaz",
    r"fuite de gaz",
    r"incendie",
    r"au feu",
    r"(?:il )?y a le feu",
    r"le feu (?:a|dans|chez)",
    r"ca brule",
    r"smell (?:of )?gas",
    r"gas leak",
    r"fire(?! (?:alarm|place|wood|works))",
    # someone getting in
    r"cambrioleurs?",
    r"quelqu'?un (?:essaie|essaye|tente) d'?(?:entrer|rentrer)",
    r"quelqu'?un (?:est )?(?:entre|rentre) chez moi",
    r"on (?:force|fracture) (?:ma|la) porte",
    r"break.?in",
    r"burglars?",
    r"(?:some(?:one|body)|a man|a woman) is (?:trying to (?:get|break) in|breaking in)",
)

# A fall or pain: danger perhaps, depending on when and how bad.
_DANGER = _words(
    r"je suis tombee?(?! (?:malade|amoureuse?|d'accord|en panne|sur (?:votre|vos|ton|ta|ce|cette|"
    r"l'annonce|une annonce|un article|le site)))",
    r"(?:j'?ai )?fait une chute",
    r"je me suis (?:fait mal|blessee?|cassee?|tordue?|foulee?)",
    r"j'?ai (?:tres |trop )?mal",
    r"ca (?:me )?fait (?:tres )?mal",
    r"crise cardiaque",
    r"infarctus",
    r"malaise",
    r"avc",
    r"je saigne",
    r"i fell(?! (?:asleep|in love|behind|for))",
    r"i(?:'ve| have) fallen",
    r"i had a fall",
    r"i hurt (?:myself|my)",
    r"(?:i'?m|i am) (?:hurt|injured|bleeding|in pain)",
    r"(?:it|this) hurts",
    r"heart attack",
    r"stroke",
)

# It happened before today: "la semaine dernière", "hier", "il y a un mois", "last year".
_PAST = _words(
    r"hier",
    r"avant-?hier",
    r"(?:semaine|mois|annee|an|hiver|ete|automne|printemps|week-?end|" + _DAY + r") "
    r"(?:derniere?|passee?)",
    r"il y a " + _NUMBER + r" (?:jours?|semaines?|mois|ans|annees?)",
    r"il y a (?:longtemps|un moment|un bail)",
    r"l'autre jour",
    r"yesterday",
    r"last (?:night|week|month|year|winter|summer|spring|autumn|fall|weekend|" + _EN_DAY + r")",
    _EN_NUMBER + r" (?:days?|weeks?|months?|years?) ago",
    r"a (?:long )?while (?:ago|back)",
    r"the other day",
)

_BODY = (
    r"(?:genoux?|dos|pieds?|jambes?|hanches?|epaules?|bras|mains?|poignets?|chevilles?|"
    r"cou|nuque|coudes?|doigts?|orteils?|tete|dents?|reins)"
)
_EN_BODY = (
    r"(?:knees?|back|foot|feet|legs?|hips?|shoulders?|arms?|hands?|wrists?|ankles?|neck|"
    r"elbows?|fingers?|toes?|head|teeth|tooth)"
)
# Pain somewhere that needs a hand, not an ambulance: "mal au genou", "my back hurts".
_MILD = _words(
    r"mal (?:au|aux|a la|a l'|a mon|a ma|a mes|dans le|dans la|dans les) ?" + _BODY,
    r"(?:tordue?|foulee?) (?:la|le|les|mon|ma|mes) " + _BODY,
    r"(?:hurt|twisted|sprained|bumped) my " + _EN_BODY,
    r"my " + _EN_BODY + r" (?:hurts?|is sore|are sore|aches?|is aching)",
    r"(?:sore|bad|aching|painful|stiff) " + _EN_BODY,
    _EN_BODY + r" (?:pain|ache)",
)
# ... unless it is strong: then the question is asked.
_SEVERE = _words(
    r"tres mal",
    r"trop mal",
    r"horriblement",
    r"atrocement",
    r"insupportable",
    r"a hurler",
    r"terrible",
    r"unbearable",
    r"really bad",
    r"so much",
)


# A cry and nothing else: "help!", "à l'aide".
_CRY = re.compile(r"^\W*(?:please )?(?:help|help me|aidez-?moi|a l'?aide)(?: please)?\W*$")


def read_danger(
    text: str | None, understanding: Understanding | None = None, now: datetime | None = None
) -> Danger:
    """How the words speak of danger; the model's `time` entity counts as a time marker."""
    if not text or not text.strip():
        return Danger.none
    said = fold(text)
    if _NOW.search(said) or _CRY.match(said):
        return Danger.now
    if not _DANGER.search(said):
        return Danger.none
    if _PAST.search(said) or _past_window(understanding, now):
        return Danger.calm
    if _MILD.search(said) and not _SEVERE.search(said):
        return Danger.calm
    return Danger.unsure


def _past_window(understanding: Understanding | None, now: datetime | None) -> bool:
    window = understanding.window if understanding is not None else None
    return window is not None and now is not None and window[1] <= now


def forget_past_times(understanding: Understanding | None, now: datetime) -> None:
    """ "Je suis tombée hier, il me faudrait quelqu'un pour les courses": "hier" is when they
    fell, not when the shopping is to be done; the request asks for its own time."""
    if _past_window(understanding, now):
        assert understanding is not None
        understanding.entities = [e for e in understanding.entities if e["entity"] != "time"]
