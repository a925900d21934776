"""TAXII 2.1 serving, generic over collections (DESIGN 6).

The protocol (filters, paging, negotiation, error messages) lives here; the
collections, which turn the hub's reports and sanctions updates into STIX
objects, are handed in by `hub.taxii`, keeping `hub -> sharing` one way.
"""
