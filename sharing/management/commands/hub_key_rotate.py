"""python manage.py hub_key_rotate: a new signing key for the hub; the old one stays published."""

from django.core.management.base import BaseCommand

from agencies.services import Actor
from sharing.services.hub_key import hub_key_rotate


class Command(BaseCommand):
    help = "Retire the hub's signing key and generate a new one (old keys stay in the JWKS)."

    def handle(self, *args, **options) -> None:
        key = hub_key_rotate(actor=Actor("command:hub_key_rotate"))
        self.stdout.write(f"hub signing key is now {key.kid}")
