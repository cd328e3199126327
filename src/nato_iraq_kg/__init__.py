"""nato-iraq-kg: a knowledge graph of NATO's "Relations with Iraq" page, each fact with evidence."""

__version__ = "0.1.0"
