"""Sharing models: agreements here; deliveries, webhooks and the feed in their own modules."""

from .agreements import Agreement, AgreementStatus, ItemKind, Tlp

__all__ = ["Agreement", "AgreementStatus", "ItemKind", "Tlp"]
