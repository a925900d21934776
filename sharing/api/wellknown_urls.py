from django.urls import path

from . import deliveries

urlpatterns = [
    path(".well-known/jwks.json", deliveries.HubJwksApi.as_view(), name="hub-jwks"),
]
