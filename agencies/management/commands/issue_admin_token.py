"""Print a new hub-admin API token: the one bootstrap step outside the API."""

from django.core.management.base import BaseCommand

from agencies.models import Agency, AgencyKind, Role
from agencies.services import Actor, agency_create, token_create

HUB_AGENCY_CODE = "HUB"


class Command(BaseCommand):
    help = (
        "Create and print a hub_admin token (bound to the HUB operator agency, created if missing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", default="bootstrap admin")
        parser.add_argument("--country", default="EU", help="country of the hub operator agency")

    def handle(self, *args, name: str, country: str, **options):
        actor = Actor(label="command:issue_admin_token")
        agency = Agency.objects.filter(code=HUB_AGENCY_CODE).first() or agency_create(
            code=HUB_AGENCY_CODE,
            name="Cordon hub operator",
            country=country,
            kind=AgencyKind.PARTNER,
            actor=actor,
        )
        _, secret = token_create(agency=agency, name=name, role=Role.HUB_ADMIN, actor=actor)
        self.stdout.write(secret)
