from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1 = [
    path("", include("agencies.api.urls")),
    path("", include("sharing.api.agreement_urls")),
    path("", include("sharing.api.delivery_urls")),
    path("", include("hub.reports.urls")),
    path("", include("hub.sanctions.urls")),
    path("", include("hub.screening.urls")),
]

handler404 = "agencies.errors.not_found_view"
handler500 = "agencies.errors.server_error_view"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[]),
        name="api-docs",
    ),
    path("api/v1/", include(api_v1)),
    path("taxii2/", include("hub.taxii.urls")),
    path("", include("sharing.api.wellknown_urls")),
    path("", include("hub.web.urls")),
]
