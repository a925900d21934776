from django.urls import path

from .api import SanctionsEntityDetailApi, SanctionsEntityListApi, SanctionsUpdatesApi

urlpatterns = [
    path("sanctions/updates/", SanctionsUpdatesApi.as_view(), name="sanctions-updates"),
    path("sanctions/entities/", SanctionsEntityListApi.as_view(), name="sanctions-entities"),
    path(
        "sanctions/entities/<str:entity_id>/",
        SanctionsEntityDetailApi.as_view(),
        name="sanctions-entity",
    ),
]
