"""Seed the demo world through the same services the API uses.

Idempotent: every step first looks for what it would create, so running the
demo twice neither fails nor duplicates anything. Reports are signed with the
originating agency's custodial key (`report_sign`) and go through
`report_publish`, so they are verified, stored, screened and distributed
exactly like reports arriving over POST /api/v1/reports/.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, ApiToken, Membership, Role
from agencies.services import (
    Actor,
    agency_create,
    custodial_key_for,
    member_create,
    token_create,
    token_hash,
)

from .cast import AGENCIES, AGREEMENTS, DEMO_PASSWORD, DemoAgreement
from .reports import DEMO_REPORTS, DemoReport

logger = logging.getLogger(__name__)

SEED_ACTOR = Actor(label="demo:seed")
OFAC_DIR = Path(__file__).resolve().parent / "data" / "ofac"
OFAC_LIST = "OFAC-SDN"
OFAC_AUTHORITY = "US-OFAC"
DEMO_TOKEN_NAME = "demo token"  # noqa: S105 - a label


@dataclass
class DemoLogin:
    username: str
    password: str
    agency: str
    role: str


@dataclass
class DemoWorld:
    """What the demo printed for its user: logins, tokens and what was seeded."""

    logins: list[DemoLogin] = field(default_factory=list)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (role, secret)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


Say = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def agencies_seed(*, say: Say = _quiet) -> dict[str, Agency]:
    """Every demo agency with a custodial signing key."""
    agencies = {}
    for demo in AGENCIES:
        agency = Agency.objects.filter(code=demo.code).first()
        if agency is None:
            agency = agency_create(
                code=demo.code,
                name=demo.name,
                country=demo.country,
                kind=demo.kind,
                actor=SEED_ACTOR,
            )
            say(f"  agency {demo.code}")
        custodial_key_for(agency=agency, actor=SEED_ACTOR)
        agencies[demo.code] = agency
    return agencies


def people_seed(*, agencies: dict[str, Agency], say: Say = _quiet) -> list[DemoLogin]:
    """The demo people; the hub operator is also a Django superuser (for /admin/)."""
    user_model = get_user_model()
    logins = []
    for demo in AGENCIES:
        for first_name, role in demo.people:
            username = f"{first_name}@{demo.code}"
            if not user_model.objects.filter(username=username).exists():
                member_create(
                    agency=agencies[demo.code],
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    actor=SEED_ACTOR,
                    first_name=first_name.capitalize(),
                )
                if role == Role.HUB_ADMIN:
                    user_model.objects.filter(username=username).update(
                        is_staff=True, is_superuser=True
                    )
                say(f"  person {username} ({role})")
            logins.append(DemoLogin(username, DEMO_PASSWORD, demo.code, role))
    return logins


def _tokens_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-tokens.json"


def tokens_seed(*, agencies: dict[str, Agency], say: Say = _quiet) -> dict[str, tuple[str, str]]:
    """One API token per agency, reused across runs.

    Tokens are stored hashed, so the secrets are kept in var/demo-tokens.json
    (demo only) and reused while the database still knows them; otherwise a
    new token is made (e.g. after switching to another database).
    """
    path = _tokens_file()
    try:
        remembered = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        remembered = {}
    now = timezone.now()
    tokens: dict[str, tuple[str, str]] = {}
    for demo in AGENCIES:
        if demo.api_role is None:
            continue
        secret = remembered.get(demo.code, {}).get("token", "")
        alive = (
            secret
            and ApiToken.objects.filter(
                token_hash=token_hash(secret),
                agency=agencies[demo.code],
                role=demo.api_role,
                revoked_at__isnull=True,
            )
            .exclude(expires_at__lte=now)
            .exists()
        )
        if not alive:
            _, secret = token_create(
                agency=agencies[demo.code],
                name=DEMO_TOKEN_NAME,
                role=demo.api_role,
                actor=SEED_ACTOR,
                expires_at=now + timedelta(days=365),
            )
            say(f"  API token for {demo.code} ({demo.api_role})")
        tokens[demo.code] = (demo.api_role, secret)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({code: {"role": r, "token": s} for code, (r, s) in tokens.items()}, indent=2)
    )
    os.chmod(path, 0o600)
    return tokens


def _agreement_exists(demo: DemoAgreement) -> bool:
    from sharing.models import Agreement

    return Agreement.objects.filter(
        provider__code=demo.provider,
        recipient__code=demo.recipient,
        kinds=list(demo.kinds),
    ).exists()


def agreements_seed(*, agencies: dict[str, Agency], say: Say = _quiet) -> int:
    """The sharing agreements of the cast, active from now on."""
    from sharing.services.agreements import agreement_create

    hub_actor = Actor(label="demo:operator@HUB", agency="HUB")
    created = 0
    for demo in AGREEMENTS:
        if _agreement_exists(demo):
            continue
        agreement_create(
            provider=agencies[demo.provider],
            recipient=agencies[demo.recipient],
            kinds=list(demo.kinds),
            max_tlp=demo.max_tlp,
            withheld=list(demo.withheld),
            attribution=demo.attribution,
            legal_basis=demo.legal_basis,
            status="active",
            actor=hub_actor,
            **demo.scope,
        )
        created += 1
        say(f"  agreement {demo.provider} -> {demo.recipient} ({', '.join(demo.kinds)})")
    return created


def sanctions_seed(*, say: Say = _quiet) -> None:
    """The OFAC SDN list of early 2022, imported as signed updates of US-OFAC.

    The importer diffs the file against the register, so a second run changes nothing.
    """
    say("  OFAC SDN list 2022 (about 9,000 entries; the first run takes a while)")
    call_command(
        "sanctions_import",
        "ofac",
        "--authority",
        OFAC_AUTHORITY,
        "--list",
        OFAC_LIST,
        "--sdn",
        str(OFAC_DIR / "sdn-2022.csv"),
        "--alt",
        str(OFAC_DIR / "alt-2022.csv"),
        "--add",
        str(OFAC_DIR / "add-2022.csv"),
        "--effective",
        "2022-01-01",
        "--no-progress",
        stdout=_NullWriter(),
    )


class _NullWriter:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        return None


def _publisher_actor(demo: DemoReport) -> Actor:
    agency = next(a for a in AGENCIES if a.code == demo.originator)
    person = next((name for name, role in agency.people if role == Role.PUBLISHER), "system")
    return Actor(label=f"demo:{person}@{demo.originator}", agency=demo.originator)


def report_seed(*, demo: DemoReport, agency: Agency) -> bool:
    """Publish (and amend, retract) one demo report as far as it is not yet; True if anything changed."""
    from hub.models import Report, ReportStatus
    from hub.reports.services import report_publish, report_retract
    from hub.reports.signing import report_sign, retraction_sign

    actor = _publisher_actor(demo)
    report = Report.objects.filter(pk=demo.id).first()
    have = report.current_version if report else 0
    changed = False
    for version in range(have + 1, demo.versions + 1):
        token = report_sign(agency=agency, claims={"report": demo.report_claims(version)})
        report = report_publish(caller_agency=agency, token=token, actor=actor)
        changed = True
    if demo.retraction and report is not None and report.status != ReportStatus.RETRACTED:
        token = retraction_sign(
            agency=agency,
            report_id=demo.id,
            version=report.current_version,
            reason=demo.retraction,
        )
        report_retract(caller_agency=agency, report_id=demo.id, token=token, actor=actor)
        changed = True
    return changed


def reports_seed(*, agencies: dict[str, Agency], say: Say = _quiet) -> int:
    published = 0
    for demo in DEMO_REPORTS:
        with transaction.atomic():
            if report_seed(demo=demo, agency=agencies[demo.originator]):
                published += 1
                say(f"  report {demo.originator}: {demo.title}")
    return published


def world_seed(*, say: Say = _quiet, sanctions: bool = True) -> DemoWorld:
    """Seed (or complete) the demo world and say what was added."""
    world = DemoWorld()
    agencies = agencies_seed(say=say)
    world.logins = people_seed(agencies=agencies, say=say)
    world.tokens = tokens_seed(agencies=agencies, say=say)
    world.counts["agreements"] = agreements_seed(agencies=agencies, say=say)
    if sanctions:
        sanctions_seed(say=say)
    world.counts["reports"] = reports_seed(agencies=agencies, say=say)
    world.counts["agencies"] = len(agencies)
    world.counts["people"] = Membership.objects.filter(agency__in=agencies.values()).count()
    return world
