"""Where the demo lives: real streets of the Croix-Rousse, Lyon, with approximate coordinates.

Each street is a straight segment between two points, numbered from one end to the other:
enough for distances between neighbours to look right on a map, not a survey.
The Pentes lie in the 1st arrondissement (69001), the rest of the hill in the 4th (69004).
"""

from __future__ import annotations

from dataclasses import dataclass

CENTRE = (45.7745, 4.8320)  # place de la Croix-Rousse
CITY = "Lyon"


@dataclass(frozen=True)
class Street:
    name: str
    neighbourhood: str
    postcode: str
    start: tuple[float, float]
    end: tuple[float, float]
    numbers: tuple[int, int]

    def point(self, number: int) -> tuple[float, float]:
        low, high = self.numbers
        f = (number - low) / (high - low)
        return (
            self.start[0] + f * (self.end[0] - self.start[0]),
            self.start[1] + f * (self.end[1] - self.start[1]),
        )


def _s(
    name: str, quarter: str, start: tuple[float, float], end: tuple[float, float], top: int
) -> Street:
    return Street(name, quarter, "69001" if quarter == "Pentes" else "69004", start, end, (1, top))


STREETS: tuple[Street, ...] = (
    # Plateau
    _s("boulevard de la Croix-Rousse", "Plateau", (45.7734, 4.8240), (45.7736, 4.8380), 180),
    _s("rue d'Austerlitz", "Plateau", (45.7752, 4.8325), (45.7770, 4.8345), 30),
    _s("rue Dumenge", "Plateau", (45.7768, 4.8290), (45.7780, 4.8316), 40),
    _s("rue Jacquard", "Plateau", (45.7760, 4.8275), (45.7775, 4.8300), 30),
    _s("rue du Mail", "Plateau", (45.7752, 4.8322), (45.7778, 4.8328), 40),
    _s("rue Pailleron", "Plateau", (45.7785, 4.8300), (45.7795, 4.8320), 20),
    _s("rue de Belfort", "Plateau", (45.7755, 4.8335), (45.7800, 4.8345), 80),
    _s("rue Ornano", "Plateau", (45.7778, 4.8330), (45.7790, 4.8350), 20),
    _s("rue Denfert-Rochereau", "Plateau", (45.7755, 4.8280), (45.7810, 4.8290), 90),
    _s("rue de Cuire", "Plateau", (45.7785, 4.8315), (45.7825, 4.8320), 80),
    # Hénon
    _s("rue Hénon", "Hénon", (45.7785, 4.8310), (45.7800, 4.8235), 90),
    _s("rue Henri Gorjus", "Hénon", (45.7790, 4.8250), (45.7815, 4.8265), 40),
    _s("rue Chazière", "Hénon", (45.7755, 4.8213), (45.7790, 4.8220), 40),
    _s("rue Philippe de Lassalle", "Hénon", (45.7805, 4.8245), (45.7840, 4.8270), 60),
    _s("rue Perrod", "Hénon", (45.7795, 4.8270), (45.7805, 4.8285), 20),
    _s("rue Dangon", "Hénon", (45.7745, 4.8240), (45.7765, 4.8250), 30),
    # Saint-Clair
    _s("rue d'Ivry", "Saint-Clair", (45.7765, 4.8355), (45.7785, 4.8385), 40),
    _s("rue Eugène Pons", "Saint-Clair", (45.7745, 4.8385), (45.7770, 4.8400), 40),
    _s("rue Dumont d'Urville", "Saint-Clair", (45.7760, 4.8385), (45.7785, 4.8405), 40),
    _s("cours d'Herbouville", "Saint-Clair", (45.7745, 4.8420), (45.7770, 4.8455), 30),
    # Pentes
    _s("montée de la Grande Côte", "Pentes", (45.7705, 4.8320), (45.7728, 4.8318), 90),
    _s("rue Burdeau", "Pentes", (45.7695, 4.8300), (45.7698, 4.8345), 50),
    _s("rue des Tables Claudiennes", "Pentes", (45.7703, 4.8285), (45.7712, 4.8305), 30),
    _s("rue Imbert-Colomès", "Pentes", (45.7693, 4.8310), (45.7702, 4.8330), 30),
    _s("montée Saint-Sébastien", "Pentes", (45.7700, 4.8350), (45.7725, 4.8360), 40),
    _s("rue Jean-Baptiste Say", "Pentes", (45.7705, 4.8345), (45.7712, 4.8370), 30),
)

NEIGHBOURHOODS: tuple[str, ...] = ("Plateau", "Pentes", "Saint-Clair", "Hénon")
