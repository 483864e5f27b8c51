"""`python -m prakan`: the same command line as `prakan`."""

from prakan.cli import main

main()
