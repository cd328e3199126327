"""Allow ``python -m nato_iraq_kg``."""

from .cli import main

main()
