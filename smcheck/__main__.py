"""Allow ``python -m smcheck``."""

from smcheck.cli import main

main()
