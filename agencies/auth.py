"""API authentication: `Authorization: Token <secret>`, bound to one agency and role."""

import ipaddress
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from .errors import NotAuthenticated, PermissionDenied
from .models import ROLE_RANK, Agency, ApiToken, Role
from .services import Actor, token_hash


@dataclass
class Caller:
    """Who is calling: an agency acting with one role, through a token or a person."""

    agency: Agency
    role: str
    token: ApiToken | None = None
    username: str = ""
    is_authenticated: bool = field(default=True, init=False)

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def is_hub_admin(self) -> bool:
        return self.role == Role.HUB_ADMIN

    def can_admin(self, agency: Agency) -> bool:
        """Hub admins administer every agency; agency admins their own."""
        return self.is_hub_admin or (
            self.agency.pk == agency.pk and self.has_role(Role.AGENCY_ADMIN)
        )

    @property
    def actor(self) -> Actor:
        if self.token is not None:
            label = f"token:{self.token.pk}:{self.token.name}"
        else:
            label = f"user:{self.username}"
        return Actor(label=label, agency=self.agency.code)


def caller_for_user(user) -> Caller | None:
    """The caller a signed-in person acts as, or None if they belong to no agency."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is None:
        return None
    return Caller(agency=membership.agency, role=membership.role, username=user.get_username())


def _ip_allowed(token: ApiToken, remote_addr: str) -> bool:
    if not token.allowed_ips:
        return True
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(cidr) for cidr in token.allowed_ips)


class TokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme != self.keyword or not secret.strip():
            raise NotAuthenticated(
                "Send 'Authorization: Token <token>'.", code="invalid_authorization_header"
            )
        token = (
            ApiToken.objects.select_related("agency")
            .filter(token_hash=token_hash(secret.strip()))
            .first()
        )
        now = timezone.now()
        if token is None:
            raise NotAuthenticated("Unknown token.", code="invalid_token")
        if token.revoked_at is not None:
            raise NotAuthenticated("This token was revoked.", code="token_revoked")
        if token.expires_at is not None and token.expires_at <= now:
            raise NotAuthenticated("This token has expired.", code="token_expired")
        if not _ip_allowed(token, request.META.get("REMOTE_ADDR", "")):
            raise PermissionDenied(
                "This token may not be used from your address.", code="ip_not_allowed"
            )
        # Touch last_used_at at most once a minute: a write per request would cost more than the request.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return Caller(agency=token.agency, role=token.role, token=token), token

    def authenticate_header(self, request) -> str:
        return self.keyword


class IsAgencyCaller(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not isinstance(request.user, Caller):
            raise NotAuthenticated("Authentication credentials were not provided.")
        return True


def require_role(caller: Caller, role: str) -> None:
    if not caller.has_role(role):
        raise PermissionDenied(
            f"This needs the {role} role.", code="role_required", details={"role": role}
        )


def require_admin_of(caller: Caller, agency: Agency) -> None:
    if not caller.can_admin(agency):
        raise PermissionDenied(
            f"Only {agency.code}'s admins or a hub admin may do this.", code="not_agency_admin"
        )


def require_hub_admin(caller: Caller) -> None:
    if not caller.is_hub_admin:
        raise PermissionDenied("Only a hub admin may do this.", code="hub_admin_required")
