from django.urls import path

from . import views

urlpatterns = [
    path("agencies/", views.AgencyListApi.as_view(), name="api-agencies"),
    path("agencies/<str:code>/keys/", views.KeyListApi.as_view(), name="api-agency-keys"),
    path(
        "agencies/<str:code>/keys/<path:kid>/revoke",
        views.KeyRevokeApi.as_view(),
        name="api-agency-key-revoke",
    ),
    path("agencies/<str:code>/jwks.json", views.JwksApi.as_view(), name="api-agency-jwks"),
    path("audit/", views.AuditListApi.as_view(), name="api-audit"),
    path("agencies/<str:code>/tokens/", views.TokenCreateApi.as_view(), name="api-agency-tokens"),
]
