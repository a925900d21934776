from django.urls import path, re_path

from . import views

urlpatterns = [
    path("agencies/", views.AgencyListApi.as_view(), name="api-agencies"),
    path("agencies/<str:code>/keys/", views.KeyListApi.as_view(), name="api-agency-keys"),
    # kid holds a "/" (AGENCY-CODE/label); the trailing slash is optional.
    re_path(
        r"^agencies/(?P<code>[^/]+)/keys/(?P<kid>.+?)/revoke/?$",
        views.KeyRevokeApi.as_view(),
        name="api-agency-key-revoke",
    ),
    path("agencies/<str:code>/jwks.json", views.JwksApi.as_view(), name="api-agency-jwks"),
    path("audit/", views.AuditListApi.as_view(), name="api-audit"),
    path("agencies/<str:code>/tokens/", views.TokenCreateApi.as_view(), name="api-agency-tokens"),
]
