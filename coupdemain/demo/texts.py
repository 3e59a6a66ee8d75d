"""What the demo's people wrote: job descriptions, reviews, helper bios (French first)."""

from __future__ import annotations

DETAILS_FR: dict[str, tuple[str, ...]] = {
    "errands": (
        "Des courses au marché du boulevard : fruits, légumes et un poulet.",
        "Aller chercher mes médicaments à la pharmacie, l'ordonnance est prête.",
        "Poster un colis recommandé et acheter des timbres.",
    ),
    "diy": (
        "Changer une ampoule au plafond, je ne peux plus monter sur l'escabeau.",
        "Monter une petite étagère dans la cuisine.",
        "Le robinet de la salle de bain fuit goutte à goutte.",
    ),
    "gardening": (
        "Tailler les rosiers de la cour de l'immeuble.",
        "Rempoter les géraniums du balcon.",
    ),
    "moving": (
        "Descendre un vieux buffet à la cave.",
        "Monter des cartons au 4e, il n'y a pas d'ascenseur.",
    ),
    "childcare": (
        "Récupérer ma fille à l'école à 16 h 30 et la garder jusqu'à 19 h.",
        "Garder les enfants samedi soir, ils ont 5 et 8 ans.",
    ),
    "pet_care": (
        "Promener mon chien le matin pendant que je suis à l'hôpital.",
        "Nourrir le chat pendant le week-end.",
    ),
    "transport": (
        "M'accompagner à mon rendez-vous à l'hôpital de la Croix-Rousse.",
        "M'emmener chez le kiné et me ramener.",
    ),
    "tech_help": (
        "Régler la télévision : plus aucune chaîne ne marche.",
        "M'aider à faire un appel vidéo avec mes petits-enfants.",
        "Installer WhatsApp sur mon nouveau téléphone.",
    ),
    "paperwork": (
        "Remplir ma déclaration d'impôts.",
        "Écrire un courrier à ma caisse de retraite.",
    ),
    "companionship": (
        "Une visite pour discuter un peu, je ne vois pas grand monde.",
        "Une promenade jusqu'au Gros Caillou, à mon rythme.",
        "Me lire le journal, ma vue baisse.",
    ),
    "cleaning": (
        "Un coup de main pour le ménage avant la visite de ma famille.",
        "Repasser le linge de la semaine.",
    ),
    "meals": (
        "Me préparer deux ou trois repas pour la semaine.",
        "M'apporter un repas chaud, je sors de l'hôpital.",
    ),
    "tutoring": (
        "Aide aux devoirs de maths pour mon fils en 4e.",
        "Réviser le brevet de français avec ma fille.",
    ),
}
DETAILS_EN: dict[str, tuple[str, ...]] = {
    "errands": ("Pick up groceries at the Croix-Rousse market.",),
    "paperwork": (
        "Help me understand a letter from the tax office.",
        "Fill in my residence permit renewal form.",
    ),
    "tech_help": ("Set up my French banking app.",),
    "moving": ("Carry a sofa up to the third floor.",),
    "pet_care": ("Walk my dog while I'm away for the weekend.",),
    "tutoring": ("French conversation practice before a job interview.",),
    "diy": ("Fix a dripping tap in the kitchen.",),
    "childcare": ("Pick up my son from school on Thursday.",),
}

REVIEWS_FR: dict[int, tuple[str, ...]] = {
    5: (
        "Parfait, merci beaucoup !",
        "Quelle gentillesse, et à l'heure.",
        "Un grand merci, je recommande.",
        "Toujours un plaisir, et de bonne humeur.",
        "Rapide, efficace, adorable.",
        "",
    ),
    4: (
        "Très bien, un petit retard mais avec un message pour prévenir.",
        "Merci, c'était bien.",
        "",
    ),
    3: ("Correct, mais il a fallu tout réexpliquer.", "Ça a pris plus de temps que prévu."),
    2: ("Une heure de retard sans prévenir.",),
    1: ("Travail bâclé, il a fallu tout refaire.",),
}
REVIEWS_EN: dict[int, tuple[str, ...]] = {
    5: ("Brilliant, thank you so much!", "Very kind and on time."),
    4: ("Good job, thanks.", ""),
    3: ("Fine, but it took longer than expected.",),
    2: ("An hour late without warning.",),
    1: ("Sloppy work.",),
}
THANKS_FROM_HELPERS = (
    "Accueil très chaleureux, merci pour le café !",
    "Toujours un plaisir de passer.",
    "Très agréable, à bientôt.",
    "",
)

# Neutral wording: the bio goes with whoever offers the service, whatever their gender.
BIOS_FR: dict[str, str] = {
    "errands": "Je fais mes courses au marché de la Croix-Rousse : autant y aller pour deux.",
    "diy": "J'ai la caisse à outils et l'escabeau, et j'aime réparer.",
    "gardening": "J'ai la main verte : balcons, cours et jardinières.",
    "moving": "De bons bras et l'habitude des escaliers des pentes.",
    "childcare": "J'ai l'habitude des sorties d'école et des goûters.",
    "pet_care": "J'adore les animaux, chiens et chats bienvenus.",
    "transport": "J'ai une voiture et du temps pour vos rendez-vous.",
    "tech_help": "Je travaille dans l'informatique : les téléphones récalcitrants, ça me connaît.",
    "paperwork": "Les formulaires et les courriers administratifs ne me font pas peur.",
    "companionship": "J'aime discuter et me promener dans le quartier.",
    "cleaning": "Un coup de main pour le ménage ou le repassage.",
    "meals": "J'aime cuisiner, et je fais toujours trop pour une personne.",
    "tutoring": "Aide aux devoirs du primaire au lycée, en maths comme en français.",
}
BIOS_EN: dict[str, str] = {
    "errands": "I shop at the market every week, happy to bring things back for you.",
    "diy": "Handy with tools; small repairs and furniture assembly.",
    "gardening": "Keen gardener, happy to look after balconies and courtyards.",
}
BIO_EN_DEFAULT = "English speaker living on the Croix-Rousse, glad to lend a hand."

SAFETY_WORDS = ("mimosa", "lavande", "tilleul", "glycine", "myrtille", "coquelicot", "noisette")

SERVICE_FR: dict[str, str] = {
    "errands": "courses",
    "diy": "bricolage",
    "gardening": "jardinage",
    "moving": "déménagement",
    "childcare": "garde d'enfants",
    "pet_care": "animaux",
    "transport": "transport",
    "tech_help": "aide numérique",
    "paperwork": "démarches",
    "companionship": "compagnie",
    "cleaning": "ménage",
    "meals": "repas",
    "tutoring": "soutien scolaire",
}
