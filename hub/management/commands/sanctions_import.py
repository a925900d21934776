"""Import a sanctions list into the register as signed updates (DESIGN 5).

    manage.py sanctions_import ofac --authority CODE --list OFAC-SDN --sdn FILE [--alt FILE] [--add FILE]
    manage.py sanctions_import ftm --authority CODE --list NAME FILE

The file is diffed against the register; the resulting ADD/MOD/DEL updates are
signed with the authority's custodial key (agency and key created if missing)
and applied through the same service as POST /api/v1/sanctions/updates/.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from agencies.errors import CordonError
from agencies.services import Actor
from hub.sanctions.importers import ProgressBar, ftm_import, ofac_import
from hub.sanctions.services import sanctions_authority_ensure


class Command(BaseCommand):
    help = "Import a sanctions list (OFAC SDN CSV or FtM JSON lines) as signed updates."

    def add_arguments(self, parser):
        formats = parser.add_subparsers(dest="format", required=True, metavar="{ofac,ftm}")
        for name, help_text in (
            ("ofac", "OFAC legacy SDN CSV files (sdn, alt, add)"),
            ("ftm", "FollowTheMoney JSON lines"),
        ):
            sub = formats.add_parser(name, help=help_text)
            sub.add_argument("--authority", required=True, help="agency code of the list authority")
            sub.add_argument(
                "--list", required=True, dest="list_name", help="list name, e.g. OFAC-SDN"
            )
            sub.add_argument(
                "--country",
                default="US" if name == "ofac" else "XX",
                help="country of the authority if it has to be created (default: %(default)s)",
            )
            sub.add_argument(
                "--authority-name", default=None, help="name of the authority if created"
            )
            sub.add_argument(
                "--effective",
                type=date.fromisoformat,
                default=None,
                help="effective date of the updates, YYYY-MM-DD (default: today)",
            )
            sub.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
            if name == "ofac":
                sub.add_argument("--sdn", required=True, help="sdn.csv")
                sub.add_argument("--alt", default=None, help="alt.csv (aliases)")
                sub.add_argument("--add", default=None, help="add.csv (addresses)")
            else:
                sub.add_argument("file", help="FtM entities, one JSON object per line")

    def handle(self, *args, **options):
        actor = Actor(label="command:sanctions_import", agency=options["authority"])
        progress = None if options["no_progress"] else ProgressBar(self.stderr._out)
        try:
            authority = sanctions_authority_ensure(
                code=options["authority"],
                country=options["country"],
                name=options["authority_name"],
                actor=actor,
            )
            common = {
                "authority": authority,
                "list_name": options["list_name"],
                "actor": actor,
                "effective": options["effective"],
                "progress": progress,
            }
            if options["format"] == "ofac":
                summary = ofac_import(
                    sdn=options["sdn"], alt=options["alt"], add=options["add"], **common
                )
            else:
                summary = ftm_import(source=options["file"], **common)
        except (CordonError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if progress is not None:
                progress.close()
        if summary.skipped:
            self.stderr.write(
                f"skipped {summary.skipped} entities of schemata the register does not hold"
            )
        self.stdout.write(summary.line())
