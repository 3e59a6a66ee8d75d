"""`coupdemain demo people` for humans: who to call or message as (French first)."""

from __future__ import annotations

from collections.abc import Sequence

from coupdemain.demo.identities import DemoIdentities, DemoPerson
from coupdemain.demo.texts import SERVICE_FR


def render_people_table(identities: DemoIdentities) -> str:
    residents = [
        (
            p.key, p.name, p.phone.national, _telegram(p), p.neighbourhood, p.address, p.language,
            "ligne fixe : appelle la ligne d'entraide" if p.hotline_caller else "",
        )
        for p in identities.residents
    ]  # fmt: skip
    helpers = [
        (
            p.key, p.name, p.phone.national, _telegram(p), p.neighbourhood,
            ", ".join(SERVICE_FR.get(s, s) for s in p.services), f"{p.radius_km:g} km",
            "/".join(p.languages), "oui" if p.verified else "non",
        )
        for p in identities.helpers
    ]  # fmt: skip
    d, a = identities.dispatcher, identities.admin
    return "\n".join(
        [
            f"Coup de main, démo : {identities.place}",
            "",
            f"Habitants / Residents ({len(identities.residents)})",
            _table(
                ("clé", "nom", "téléphone", "Telegram", "quartier", "adresse", "langue", ""),
                residents,
            ),
            "",
            f"Aidants / Helpers ({len(identities.helpers)})",
            _table(
                (
                    "clé",
                    "nom",
                    "téléphone",
                    "Telegram",
                    "quartier",
                    "services",
                    "rayon",
                    "langues",
                    "vérifié",
                ),
                helpers,
            ),  # fmt: skip
            "",
            "Équipe / Staff",
            f"  régulation (dispatcher) : {d.name}, login {d.login}, mot de passe {d.password}",
            f"  administration (admin)  : {a.name}, login {a.login}, mot de passe {a.password}",
            "",
            "Numéros fictifs (tranches réservées par l'Arcep) / fictional numbers. "
            "JSON: coupdemain demo people --json",
        ]
    )


def _telegram(person: DemoPerson) -> str:
    return str(person.telegram_id) if person.telegram_id is not None else "-"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return (
            "  " + "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
        )

    rule = "  " + "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
