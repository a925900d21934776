"""TAXII 2.1 collections of the hub's reports and sanctions updates (DESIGN 6)."""
