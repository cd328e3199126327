"""nato-iraq-kg: a knowledge graph of NATO's "Relations with Iraq" page, every fact with its evidence."""

__version__ = "0.1.0"
