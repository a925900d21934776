"""Agreement endpoints under /api/v1/ (DESIGN 6); the trailing slash is optional on each."""

from django.urls import re_path

from . import agreements

AGREEMENT = r"^agreements/(?P<agreement_id>[^/]+)"

urlpatterns = [
    re_path(r"^agreements/?$", agreements.AgreementListApi.as_view(), name="api-agreements"),
    re_path(AGREEMENT + r"/?$", agreements.AgreementDetailApi.as_view(), name="api-agreement"),
    re_path(
        AGREEMENT + r"/accept/?$",
        agreements.AgreementAcceptApi.as_view(),
        name="api-agreement-accept",
    ),
    re_path(
        AGREEMENT + r"/suspend/?$",
        agreements.AgreementSuspendApi.as_view(),
        name="api-agreement-suspend",
    ),
    re_path(
        AGREEMENT + r"/terminate/?$",
        agreements.AgreementTerminateApi.as_view(),
        name="api-agreement-terminate",
    ),
]
