from __future__ import annotations

from coupdemain.demo import demo_identities, render_people_table


def test_the_table_shows_everyone_and_the_dispatcher_login() -> None:
    identities = demo_identities()
    table = render_people_table(identities)
    for person in identities.residents + identities.helpers:
        assert person.name in table
        assert person.phone.national in table
    assert identities.dispatcher.login in table and identities.dispatcher.password in table
    assert "ligne fixe" in table  # the hotline's callers stand out
    assert "Habitants / Residents (40)" in table
