"""`python -m coupdemain ...`: the same as the `coupdemain` command."""

from coupdemain.cli import main

main()
