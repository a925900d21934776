"""What the hub distributes: opaque signed items, handed over as plain data.

`sharing` knows nothing of reports or sanctions (DESIGN 1). The publishing
side describes an item once, as a ShareableItem: the facts the sharing policy
needs, the issuer-signed JWT and, for an SD-JWT, its disclosures with the
redaction class of each. Distribution decides per recipient which disclosures
it may see and stores the exact bytes it is given.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Disclosure:
    encoded: str  # base64url disclosure exactly as in the SD-JWT
    redaction_class: str | None  # narrative|person_identity|organization_identity|commercial|None


@dataclass(frozen=True)
class ShareableItem:
    type: str  # feed type: "report" | "retraction" | "sanctions_update"
    kind: str  # agreement kind it flows under: "sar" | "sanctions_update"
    event: str  # report.published | report.amended | report.retracted | sanctions.updated
    item_id: str  # report UUID, or FtM entity id
    version: int  # report version; for sanctions updates 1
    originator: str  # agency code of the signer
    issuer_jwt: str  # issuer-signed JWT (for an SD-JWT the part before the first "~")
    disclosures: tuple[Disclosure, ...] = ()
    tlp: str = "CLEAR"
    red_recipients: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # every party + route country
    hs_chapters: tuple[str, ...] = ()  # first 2 digits of each hs_code
    control_codes: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    list_name: str | None = None  # sanctions list, for sanctions updates

    @property
    def is_presentation(self) -> bool:
        """Reports travel as SD-JWT presentations; retractions and updates as plain JWTs."""
        return self.type == "report"


FEED_TYPES = ("report", "retraction", "sanctions_update")
EVENTS = (
    "report.published",
    "report.amended",
    "report.retracted",
    "sanctions.updated",
    "screening.hit",
)
