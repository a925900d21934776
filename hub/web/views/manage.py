"""Administration: agencies, signing keys and API tokens."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.auth import require_hub_admin
from agencies.errors import CordonError, NotFound
from agencies.models import ROLE_RANK, Agency, ApiToken, Role, SigningKey
from agencies.selectors import signing_key_list
from agencies.services import (
    agency_create,
    custodial_key_rotate,
    key_generate,
    key_revoke,
    member_create,
    token_create,
    token_revoke,
)

from ..access import administrable_agencies, web_view
from ..forms import AgencyCreateForm, KeyGenerateForm, MemberCreateForm, TokenCreateForm


def _admin_agency(request: HttpRequest, code: str) -> Agency:
    """The agency named in the URL, if the caller administers it; 404 for others' agencies."""
    agency = administrable_agencies(request.caller).filter(code=code).first()
    if agency is None:
        raise NotFound(f"No agency {code} that you administer.", code="agency_not_found")
    return agency


def _grantable_roles(request: HttpRequest, agency: Agency) -> list[str]:
    """Roles the caller may hand out in `agency`, lowest first: never above their own, and
    hub admin only within the hub admin's own agency."""
    own = ROLE_RANK[Role(request.caller.role)]
    roles = [role for role in Role.values if ROLE_RANK[Role(role)] <= own]
    if agency.pk != request.caller.agency.pk:
        roles = [role for role in roles if role != Role.HUB_ADMIN]
    return sorted(roles, key=lambda role: ROLE_RANK[Role(role)])


@web_view(Role.AGENCY_ADMIN)
def manage_home(request: HttpRequest) -> HttpResponse:
    if not request.caller.is_hub_admin:
        return redirect("web:manage_agency", code=request.caller.agency.code)
    return redirect("web:manage_agencies")


@web_view(Role.AGENCY_ADMIN)
def agency_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    agencies = administrable_agencies(request.caller).annotate(
        member_count=Count("members", distinct=True),
        live_keys=Count(
            "keys",
            filter=Q(keys__revoked_at__isnull=True, keys__valid_from__lte=now)
            & (Q(keys__valid_until__isnull=True) | Q(keys__valid_until__gt=now)),
            distinct=True,
        ),
        live_tokens=Count("tokens", filter=Q(tokens__revoked_at__isnull=True), distinct=True),
    )
    form = AgencyCreateForm()
    if request.method == "POST":
        require_hub_admin(request.caller)
        form = AgencyCreateForm(request.POST)
        if form.is_valid():
            try:
                agency = agency_create(
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    country=form.cleaned_data["country"].upper(),
                    kind=form.cleaned_data["kind"],
                    actor=request.caller.actor,
                )
            except CordonError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Agency {agency.code} created.")
                return redirect("web:manage_agency", code=agency.code)
    return render(
        request,
        "web/manage/agencies.html",
        {"section": "manage", "agencies": agencies, "form": form},
        status=400 if form.errors else 200,
    )


@web_view(Role.AGENCY_ADMIN)
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _agency_page(request, _admin_agency(request, code))


def _agency_page(
    request: HttpRequest,
    agency: Agency,
    *,
    new_secret: dict | None = None,
    member_form: MemberCreateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    keys = [(key, key.status_at(now)) for key in signing_key_list(agency=agency)]
    tokens = ApiToken.objects.filter(agency=agency).order_by("revoked_at", "-created_at")
    members = agency.members.select_related("user").order_by("user__username")
    return render(
        request,
        "web/manage/agency.html",
        {
            "section": "manage",
            "agency": agency,
            "keys": keys,
            "tokens": tokens,
            "members": members,
            "now": now,
            "key_form": KeyGenerateForm(),
            "token_form": TokenCreateForm(roles=_grantable_roles(request, agency)),
            "new_secret": new_secret,
            "member_form": member_form or MemberCreateForm(roles=_grantable_roles(request, agency)),
        },
        status=status,
    )


@require_POST
@web_view(Role.AGENCY_ADMIN)
def key_generate_view(request: HttpRequest, code: str) -> HttpResponse:
    agency = _admin_agency(request, code)
    form = KeyGenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("web:manage_agency", code=agency.code)
    try:
        key = key_generate(
            agency=agency, actor=request.caller.actor, label=form.cleaned_data["label"] or None
        )
    except CordonError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Custodial key {key.kid} generated.")
    return redirect("web:manage_agency", code=agency.code)


@require_POST
@web_view(Role.AGENCY_ADMIN)
def key_rotate_view(request: HttpRequest, code: str) -> HttpResponse:
    """Generate a new custodial key, then revoke the custodial keys in use until now."""
    agency = _admin_agency(request, code)
    try:
        new_key, old_keys = custodial_key_rotate(agency=agency, actor=request.caller.actor)
    except CordonError as error:
        messages.error(request, error.message)
    else:
        retired = ", ".join(key.kid for key in old_keys) or "none"
        messages.success(request, f"Rotated: new key {new_key.kid}; revoked {retired}.")
    return redirect("web:manage_agency", code=agency.code)


@require_POST
@web_view(Role.AGENCY_ADMIN)
def key_revoke_view(request: HttpRequest, code: str) -> HttpResponse:
    agency = _admin_agency(request, code)
    key = SigningKey.objects.filter(agency=agency, kid=request.POST.get("kid", "")).first()
    if key is None:
        raise NotFound("No such key of this agency.", code="key_not_found")
    try:
        key_revoke(key=key, actor=request.caller.actor)
    except CordonError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Key {key.kid} revoked.")
    return redirect("web:manage_agency", code=agency.code)


@require_POST
@web_view(Role.AGENCY_ADMIN)
def token_create_view(request: HttpRequest, code: str) -> HttpResponse:
    agency = _admin_agency(request, code)
    roles = _grantable_roles(request, agency)
    form = TokenCreateForm(request.POST, roles=roles)
    if not form.is_valid():
        messages.error(
            request,
            "Token not created: "
            + "; ".join(f"{field}: {e}" for field, errors in form.errors.items() for e in errors),
        )
        return redirect("web:manage_agency", code=agency.code)
    try:
        token, secret = token_create(
            agency=agency,
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
            expires_at=form.cleaned_data["expires_at"],
            allowed_ips=form.cleaned_data["allowed_ips"],
            actor=request.caller.actor,
        )
    except CordonError as error:
        messages.error(request, f"Token not created: {error.message}")
        return redirect("web:manage_agency", code=agency.code)
    # Shown once, in this response only: the hub keeps nothing but its hash.
    return _agency_page(request, agency, new_secret={"name": token.name, "secret": secret})


@require_POST
@web_view(Role.AGENCY_ADMIN)
def token_revoke_view(request: HttpRequest, code: str, token_id: int) -> HttpResponse:
    agency = _admin_agency(request, code)
    token = ApiToken.objects.filter(agency=agency, pk=token_id).first()
    if token is None:
        raise NotFound("No such token of this agency.", code="token_not_found")
    if token.revoked_at is not None:
        messages.warning(request, f"Token {token.name} was already revoked.")
    else:
        token_revoke(token=token, actor=request.caller.actor)
        messages.success(request, f"Token {token.name} revoked.")
    return redirect("web:manage_agency", code=agency.code)


@require_POST
@web_view(Role.AGENCY_ADMIN)
def member_create_view(request: HttpRequest, code: str) -> HttpResponse:
    """Give a person an account in the agency, with a role no higher than the admin's own."""
    agency = _admin_agency(request, code)
    form = MemberCreateForm(request.POST, roles=_grantable_roles(request, agency))
    if form.is_valid():
        member_create(
            agency=agency,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            role=form.cleaned_data["role"],
            actor=request.caller.actor,
        )
        messages.success(request, f"{form.cleaned_data['username']} can now sign in.")
        return redirect("web:manage_agency", code=agency.code)
    return _agency_page(request, agency, member_form=form, status=400)
