from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nlu.normalise import fold, looks_binary, normalise


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


def test_normalise_drops_hesitations_and_false_starts() -> None:
    assert normalise("euh je je voudrais ben en fait euh des courses") == "je voudrais des courses"
    assert normalise("il faudrait il faudrait venir") == "il faudrait venir"
    # words that can carry a meaning stay
    assert normalise("bon alors voilà") == "bon alors voila"


def test_normalise_reads_french_homophones_by_their_neighbours() -> None:
    assert normalise("sa coule partout") == "ca coule partout"
    assert normalise("c'est comme sa") == "c'est comme ca"
    assert normalise("sa maison") == "sa maison"  # a possessive before a noun
    assert normalise("pour sa fille") == "pour sa fille"
    assert normalise("je voudrais a nuler mais courses") == "je voudrais annuler mes courses"
    assert normalise("m'emmener vert l'hôpital") == "m'emmener vers l'hopital"
    assert normalise("un pull vert") == "un pull vert"


def test_normalise_drops_the_ne_that_speech_leaves_out() -> None:
    assert normalise("je ne peux pas il n'y a personne") == normalise("je peux pas il y a personne")


def test_binary_garbage_is_told_from_text_with_emojis() -> None:
    assert looks_binary("\x00\x01\ufffd\ufffe" * 20 + "%PDF-1.4")
    assert not looks_binary("merci 👍🏻 à demain ❤️")
    assert not looks_binary("   ")
