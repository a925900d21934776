from django.urls import path

from . import api

urlpatterns = [
    path("reports/", api.ReportListApi.as_view(), name="api-reports"),
    path("reports/<str:report_id>/", api.ReportDetailApi.as_view(), name="api-report"),
    path(
        "reports/<str:report_id>/retractions/",
        api.ReportRetractApi.as_view(),
        name="api-report-retractions",
    ),
]
