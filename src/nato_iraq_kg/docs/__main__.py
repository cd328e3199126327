"""``python -m nato_iraq_kg.docs``: regenerate the ontology page and diagram under ``docs/``."""

import sys

from .generate import main

sys.exit(main())
