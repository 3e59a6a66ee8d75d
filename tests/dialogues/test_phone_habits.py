"""The rules by which the hotline learns what helps a caller (dialogues/phone_habits.py)."""

from __future__ import annotations

from dialogues.phone_habits import Call, Preferences, Signs, in_call, learn, observe


def _call(*turns: Signs, stored: Preferences | None = None) -> tuple[Call, Preferences]:
    """One call turn by turn, learning after each as the engine does."""
    call, prefs = Call(), stored or Preferences()
    for signs in turns:
        after = observe(call, signs)
        prefs = learn(prefs, call, after)
        call = after
    return call, prefs


OFFERED = Signs(keypad_offered=True)
KEYED = Signs(keyed=True)
SPOKE = Signs()


def test_keys_pressed_after_the_keypad_was_offered_make_the_keypad_first_at_once() -> None:
    _, prefs = _call(SPOKE, OFFERED, KEYED)
    assert prefs.keypad_first
    assert prefs.keypad_calls == 1


def test_keys_pressed_before_any_misunderstanding_do_not_count_as_after_the_offer() -> None:
    call, prefs = _call(KEYED, SPOKE, OFFERED)
    assert not call.keyed_after_offer
    assert not prefs.keypad_first  # one keypad call so far: not yet


def test_two_calls_where_the_keypad_was_offered_make_the_keypad_first() -> None:
    _, after_one = _call(OFFERED, SPOKE)
    assert not after_one.keypad_first and after_one.keypad_calls == 1
    _, after_two = _call(SPOKE, OFFERED, stored=after_one)
    assert after_two.keypad_first and after_two.keypad_calls == 2


def test_a_call_counts_once_however_many_times_the_keypad_was_offered_in_it() -> None:
    _, prefs = _call(OFFERED, SPOKE, OFFERED, SPOKE)
    assert prefs.keypad_calls == 1 and not prefs.keypad_first


def test_two_calls_answered_with_keys_at_two_questions_make_the_keypad_first() -> None:
    _, one = _call(KEYED, KEYED)
    assert one.keypad_calls == 1 and not one.keypad_first
    _, only_once = _call(KEYED, SPOKE, stored=one)  # one key in a call is not a habit
    assert only_once.keypad_calls == 1 and not only_once.keypad_first
    _, two = _call(KEYED, KEYED, stored=only_once)
    assert two.keypad_first


def test_asking_once_to_speak_more_slowly_makes_speech_slow() -> None:
    call, prefs = _call(SPOKE, Signs(repeat=True, slower=True))
    assert prefs.slow_speech and call.asked_slower
    assert prefs.repeats == 1


def test_two_repeats_in_one_call_make_speech_slow_but_one_per_call_does_not() -> None:
    _, one = _call(Signs(repeat=True), SPOKE)
    assert not one.slow_speech
    _, another = _call(Signs(repeat=True), stored=one)
    assert not another.slow_speech and another.repeats == 2  # counted, but not in one call
    _, two = _call(Signs(repeat=True), SPOKE, Signs(repeat=True))
    assert two.slow_speech


def test_what_is_learned_is_kept_by_later_calls_that_show_nothing() -> None:
    _, learned = _call(OFFERED, KEYED, Signs(repeat=True, slower=True))
    _, later = _call(SPOKE, SPOKE, stored=learned)
    assert later == learned


def test_within_a_call_a_stranger_is_helped_by_what_the_call_showed() -> None:
    call, _ = _call(OFFERED, KEYED, Signs(repeat=True, slower=True))
    now = in_call(Preferences(), call)
    assert now.keypad_first and now.slow_speech
    assert in_call(Preferences(), Call()) == Preferences()


def test_a_call_read_back_from_state_ignores_unknown_or_broken_data() -> None:
    call = observe(Call(), OFFERED)
    assert Call.from_dict(call.to_dict()) == call
    assert Call.from_dict({**call.to_dict(), "later_field": 3}) == call
    assert Call.from_dict(None) == Call() == Call.from_dict("garbage")
