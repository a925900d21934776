"""Check the audit hash chain and name its first broken link."""

from django.core.management.base import BaseCommand, CommandError

from agencies.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 naming the first broken link."

    def handle(self, *args, **options):
        checked, broken = audit_chain_verify()
        if broken is not None:
            raise CommandError(
                f"audit chain broken at record #{broken.seq}: {broken.reason} "
                f"({checked} records before it are intact)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {checked} records"))
