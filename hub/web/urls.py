"""The analyst and administrator web UI (DESIGN 8)."""

from django.urls import path

from .views import (
    agreements,
    audit,
    auth,
    inbox,
    manage,
    pages,
    reports,
    sanctions,
    screening,
    webhooks,
)

app_name = "web"

urlpatterns = [
    path("login/", auth.WebLoginView.as_view(), name="login"),
    path("logout/", auth.WebLogoutView.as_view(), name="logout"),
    path("", pages.home, name="home"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:delivery_id>/", inbox.inbox_item, name="inbox_item"),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/new/", reports.report_compose, name="report_compose"),
    path("reports/preview/", reports.report_preview, name="report_preview"),
    path("reports/<uuid:report_id>/", reports.report_detail, name="report_detail"),
    path("reports/<uuid:report_id>/amend/", reports.report_amend, name="report_amend"),
    path("reports/<uuid:report_id>/retract/", reports.report_retract_view, name="report_retract"),
    path("sanctions/", sanctions.sanctions, name="sanctions"),
    path(
        "sanctions/entities/<str:entity_id>/", sanctions.sanctions_entity, name="sanctions_entity"
    ),
    path("screen/", screening.screen, name="screen"),
    # Administration
    path("manage/", manage.manage_home, name="manage"),
    path("manage/agencies/", manage.agency_list, name="manage_agencies"),
    path("manage/agencies/<str:code>/", manage.agency_detail, name="manage_agency"),
    path("manage/agencies/<str:code>/keys/generate", manage.key_generate_view, name="key_generate"),
    path("manage/agencies/<str:code>/keys/rotate", manage.key_rotate_view, name="key_rotate"),
    path("manage/agencies/<str:code>/keys/revoke", manage.key_revoke_view, name="key_revoke"),
    path("manage/agencies/<str:code>/tokens/", manage.token_create_view, name="token_create"),
    path("manage/agencies/<str:code>/people/", manage.member_create_view, name="member_create"),
    path(
        "manage/agencies/<str:code>/tokens/<int:token_id>/revoke",
        manage.token_revoke_view,
        name="token_revoke",
    ),
    path("manage/agreements/", agreements.agreement_list, name="agreements"),
    path("manage/agreements/new/", agreements.agreement_create_view, name="agreement_create"),
    path("manage/agreements/<uuid:agreement_id>/", agreements.agreement_detail, name="agreement"),
    path(
        "manage/agreements/<uuid:agreement_id>/<str:action>",
        agreements.agreement_action,
        name="agreement_action",
    ),
    path("manage/matrix/", agreements.sharing_matrix, name="matrix"),
    path("manage/audit/", audit.audit_trail, name="audit"),
    path("manage/webhooks/", webhooks.webhooks, name="webhooks"),
    path("manage/webhooks/disable", webhooks.webhook_disable, name="webhook_disable"),
    path("manage/webhooks/test", webhooks.webhook_test, name="webhook_test"),
]
