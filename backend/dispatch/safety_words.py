"""Safety words: said by the helper at the door so that an elderly person can tell a real
helper from a stranger. Simple, common French words, easy to say and hear on the phone,
with no two that sound alike."""

from __future__ import annotations

import secrets

WORDS: tuple[str, ...] = (
    # fruits and vegetables
    "abricot", "amande", "ananas", "artichaut", "aubergine", "avocat", "banane", "betterave",
    "brocoli", "carotte", "cassis", "cerise", "citron", "citrouille", "concombre", "courgette",
    "datte", "figue", "fraise", "framboise", "grenade", "groseille", "haricot", "kiwi",
    "mandarine", "mangue", "melon", "mirabelle", "myrtille", "noisette", "olive", "orange",
    "pamplemousse", "papaye", "pastèque", "pêche", "poireau", "poivron", "pomme", "potiron",
    "prune", "radis", "raisin", "tomate",
    # flowers and trees
    "bouleau", "bruyère", "camélia", "chêne", "coquelicot", "érable", "glycine", "jasmin",
    "jonquille", "lavande", "lilas", "marguerite", "mimosa", "muguet", "myosotis", "noyer",
    "orchidée", "pâquerette", "peuplier", "pivoine", "platane", "sapin", "saule", "tilleul",
    "tournesol", "tulipe", "violette",
    # animals
    "abeille", "alouette", "baleine", "belette", "biche", "castor", "chamois", "chevreuil",
    "cigale", "coccinelle", "colombe", "dauphin", "écureuil", "flamant", "fourmi", "gazelle",
    "girafe", "grenouille", "hérisson", "hibou", "hirondelle", "kangourou", "koala", "libellule",
    "lézard", "loutre", "marmotte", "mésange", "mouette", "panda", "papillon", "pélican",
    "perroquet", "pingouin", "renard", "rossignol", "sanglier", "tortue", "zèbre",
    # things at home and in town
    "ardoise", "armoire", "bougie", "boussole", "bouton", "brioche", "cabane", "calendrier",
    "caramel", "carnet", "chapeau", "chocolat", "ciseaux", "clocher", "confiture", "coquillage",
    "couronne", "crayon", "croissant", "cuillère", "domino", "écharpe", "éventail", "fontaine",
    "galette", "guitare", "harmonica", "horloge", "lanterne", "lunettes", "madeleine",
    "manège", "marmite", "moulin", "parapluie", "passerelle", "pinceau", "piano", "pont",
    "puzzle", "radeau", "ruban", "sablier", "sifflet", "tambour", "théière", "toboggan",
    "trompette", "valise", "violon",
    # nature and weather
    "arc-en-ciel", "aurore", "averse", "brindille", "cascade", "colline", "comète", "corail",
    "dune", "étoile", "falaise", "flocon", "galet", "glacier", "lagune", "lune", "nuage",
    "océan", "prairie", "rivière", "rocher", "rosée", "soleil", "source", "tempête", "vallée",
    "volcan",
    # colours and materials
    "argent", "azur", "bronze", "cristal", "émeraude", "ivoire", "bambou", "marbre",
    "nacre", "opale", "perle", "rubis", "saphir", "turquoise", "velours",
)  # fmt: skip


def pick_safety_word() -> str:
    """A word chosen with a cryptographic generator: nobody can guess the next one."""
    return secrets.choice(WORDS)
