from django.urls import path

from . import deliveries

urlpatterns = [
    path("feed/", deliveries.FeedApi.as_view(), name="api-feed"),
    path("webhooks/", deliveries.WebhookListApi.as_view(), name="api-webhooks"),
]
