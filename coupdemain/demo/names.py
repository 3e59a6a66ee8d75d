"""Name pools for the demo residents. Common names only: nobody in particular."""

from __future__ import annotations

ELDERLY_WOMEN = (
    "Odette", "Germaine", "Simone", "Paulette", "Josette", "Yvette", "Marcelle", "Jacqueline",
    "Ginette", "Lucienne", "Suzanne", "Monique",
)  # fmt: skip
ELDERLY_MEN = ("Marcel", "Lucien", "Raymond", "René", "Roger", "Gaston", "Maurice", "Henri")
FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Julie", "Sarah", "Inès", "Lucie", "Claire", "Sophie",
    "Élodie", "Aurélie", "Nadia", "Fatima", "Amina", "Mélanie", "Céline", "Hélène", "Anne",
    "Isabelle", "Nathalie", "Laure", "Mathilde", "Pauline", "Émilie", "Thomas", "Nicolas",
    "Julien", "Maxime", "Antoine", "Hugo", "Lucas", "Karim", "Mehdi", "Yanis", "Romain",
    "Guillaume", "Olivier", "Sébastien", "Pierre", "Vincent", "Baptiste", "Théo", "Mathieu",
    "Samir", "Jérôme", "Benoît", "Quentin", "Alexandre", "Florian", "Linh", "Moussa", "Giulia",
    "Nour", "Bastien", "Margaux", "Adrien", "Yasmine", "Clément", "Agathe",
)  # fmt: skip
SURNAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "Gauthier",
    "Perrin", "Robin", "Clément", "Morin", "Mathieu", "Masson", "Marchand", "Duval", "Dumont",
    "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Brunet", "Gaillard", "Barbier",
    "Arnaud", "Roche", "Renard", "Colin", "Vidal", "Fabre", "Aubert", "Dumas", "Lacroix",
    "Benali", "Haddad", "Nguyen", "Diallo", "Ferreira", "Rossi", "Khelifi", "Tran", "Mercadier",
    "Chabert", "Berthet", "Gonnet", "Jacquemet", "Perret", "Bouvier", "Teyssier",
)  # fmt: skip
EN_FIRST_NAMES = (
    "Emily",
    "James",
    "Olivia",
    "Harry",
    "Charlotte",
    "George",
    "Hannah",
    "Oliver",
    "Grace",
    "Jack",
)
EN_SURNAMES = (
    "Carter",
    "Walsh",
    "Hughes",
    "Bennett",
    "Fletcher",
    "Doyle",
    "Palmer",
    "Murphy",
    "Hayes",
    "Cooper",
)
