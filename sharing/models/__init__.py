"""Sharing models: agreements here; deliveries, webhooks and the feed in their own modules."""

from .agreements import Agreement, AgreementStatus, ItemKind, Tlp
from .deliveries import Delivery, DeliveryState, FeedCounter
from .webhooks import HubSigningKey, WebhookAttempt, WebhookEndpoint

__all__ = [
    "Agreement",
    "AgreementStatus",
    "Delivery",
    "DeliveryState",
    "FeedCounter",
    "HubSigningKey",
    "ItemKind",
    "Tlp",
    "WebhookAttempt",
    "WebhookEndpoint",
]
