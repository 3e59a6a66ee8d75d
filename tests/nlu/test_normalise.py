from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nlu.normalise import fold, normalise


@given(st.text(max_size=200))
def test_fold_keeps_one_character_per_character(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_fold_lowercases_and_strips_accents() -> None:
    assert fold("Éléonore à l’Hôpital") == "eleonore a l'hopital"


def test_normalise_expands_sms_spellings_and_names_emojis() -> None:
    assert normalise("Jsuis dispo pr aider 👍") == (
        "je suis disponible pour aider emo_thumbs_up_sign"
    )
    assert normalise("thx u r great") == "thanks you are great"


def test_normalise_squeezes_repeated_letters() -> None:
    assert normalise("merciiiiii") == "mercii"
