"""The demo neighbourhood (the Croix-Rousse, Lyon): the same people and history at every seeding.

- `demo_identities()`: who is in the demo, computed from the seed without a database;
- `seed_demo(session, now=...)`: creates them, with listings and eight weeks of past jobs;
- `render_people_table(identities)`: the same for humans.
"""

from coupdemain.demo.identities import DemoIdentities, DemoLogin, DemoPerson, demo_identities
from coupdemain.demo.seed import DemoRefused, seed_demo
from coupdemain.demo.table import render_people_table

__all__ = [
    "DemoIdentities",
    "DemoLogin",
    "DemoPerson",
    "DemoRefused",
    "demo_identities",
    "render_people_table",
    "seed_demo",
]
