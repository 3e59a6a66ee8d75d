"""The neighbourhood board of the demo: listings of every kind (French first)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.listings.models import ListingKind


@dataclass(frozen=True)
class ListingPlan:
    author: str  # a PersonPlan key
    kind: ListingKind
    title: str
    body: str
    posted_days_ago: int
    expires_in_days: int | None = None  # None: the kind's default lifetime
    service: str | None = None
    price_cents: int | None = None
    starts_in_days: int | None = None  # events
    starts_at_hour: int = 14
    closed: bool = False


LISTINGS: tuple[ListingPlan, ...] = (
    ListingPlan(
        "helper-18",
        ListingKind.group_purchase,
        "Achat groupé : paniers de légumes d'une ferme des Monts du Lyonnais",
        "Livraison jeudi à 18 h place de la Croix-Rousse. 12 € le panier (4 à 5 kg de légumes "
        "de saison). Inscrivez-vous ici avant mardi soir ; je peux livrer les voisins qui ne "
        "descendent plus les escaliers.",
        posted_days_ago=2,
        expires_in_days=5,
        service="errands",
        price_cents=1200,
    ),
    ListingPlan(
        "resident-27",
        ListingKind.alert,
        "Chat perdu : Caramel, tigré roux",
        "Il porte un collier vert et il est très peureux. Disparu dimanche soir près de chez "
        "moi. Merci de regarder dans vos caves et vos cours !",
        posted_days_ago=1,
        expires_in_days=10,
    ),
    ListingPlan(
        "helper-05",
        ListingKind.event,
        "Repair café : on répare ensemble petit électroménager, vélos et vêtements",
        "Salle de la mairie du 4e, 133 boulevard de la Croix-Rousse. Apportez vos objets en "
        "panne : des bénévoles bricoleurs vous aident à les réparer. Gratuit, café offert.",
        posted_days_ago=6,
        starts_in_days=5,
        starts_at_hour=14,
        service="diy",
    ),
    ListingPlan(
        "resident-22",
        ListingKind.event,
        "Pique-nique partagé au parc de la Cerisaie",
        "Chacun apporte un plat ou une boisson. Des voisins peuvent accompagner les personnes "
        "qui ont du mal à marcher : dites-le en commentaire.",
        posted_days_ago=3,
        starts_in_days=9,
        starts_at_hour=12,
    ),
    ListingPlan(
        "helper-03",
        ListingKind.offer,
        "Je prête ma perceuse et mon escabeau / Drill and ladder to lend",
        "À venir chercher chez moi, à rendre dans la semaine. I speak French and English.",
        posted_days_ago=14,
        service="diy",
    ),
    ListingPlan(
        "helper-24",
        ListingKind.offer,
        "Soutien scolaire en maths et en français, collège et lycée",
        "Une heure par semaine, contre des crédits temps. Le mercredi après-midi de préférence.",
        posted_days_ago=9,
        service="tutoring",
    ),
    ListingPlan(
        "resident-10",
        ListingKind.offer,
        "Échange de conversation anglais-français / English-French conversation exchange",
        "Un café, une heure en anglais, une heure en français. A coffee, an hour in each "
        "language: I'm learning French, you practise your English.",
        posted_days_ago=5,
        service="tutoring",
    ),
    ListingPlan(
        "resident-34",
        ListingKind.request,
        "Cherche quelqu'un pour arroser mes plantes pendant mes vacances",
        "Dix jours à partir du 1er du mois prochain : une dizaine de pots sur le balcon, un "
        "arrosage tous les deux jours. Je laisse les clés.",
        posted_days_ago=4,
        service="gardening",
    ),
    ListingPlan(
        "resident-28",
        ListingKind.alert,
        "Travaux : eau coupée mardi de 8 h à 12 h",
        "Message du syndic : coupure d'eau dans notre rue mardi matin. Pensez à faire des "
        "réserves, et à prévenir les voisins âgés qui n'ont pas Internet.",
        posted_days_ago=1,
        expires_in_days=4,
    ),
    ListingPlan(
        "resident-15",
        ListingKind.offer,
        "Donne poussette en bon état",
        "Déjà partie, merci à tous !",
        posted_days_ago=20,
        closed=True,
    ),
)
