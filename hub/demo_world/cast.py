"""Who is in the demo world: agencies, their people, and who shares what with whom.

Agency names are real institutions' names used for illustration only; the
people are fictional. Every demo person signs in with DEMO_PASSWORD.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PASSWORD = "cordon-demo"  # noqa: S105 - printed for the demo logins on purpose


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    country: str
    kind: str
    # (first name, role); usernames are "<first name>@<code>".
    people: tuple[tuple[str, str], ...]
    # The role of the API token printed for this agency (None: no token).
    api_role: str | None = "publisher"


AGENCIES: tuple[DemoAgency, ...] = (
    DemoAgency(
        "HUB",
        "Cordon hub operator",
        "EU",
        "partner",
        (("operator", "hub_admin"),),
        api_role="hub_admin",
    ),
    DemoAgency(
        "DE-CUSTOMS",
        "German Customs Investigation Bureau (ZKA)",
        "DE",
        "customs",
        (("alice", "publisher"), ("admin", "agency_admin"), ("dora", "reader")),
    ),
    DemoAgency(
        "DE-BAFA",
        "Federal Office for Economic Affairs and Export Control",
        "DE",
        "licensing",
        (("bernd", "reader"), ("admin", "agency_admin")),
        api_role="reader",
    ),
    DemoAgency(
        "FR-DOUANE",
        "French Customs Intelligence Directorate (DNRED)",
        "FR",
        "customs",
        (("bob", "publisher"), ("admin", "agency_admin")),
    ),
    DemoAgency(
        "NL-FIOD",
        "Dutch Fiscal Intelligence and Investigation Service",
        "NL",
        "intelligence",
        (("noor", "publisher"), ("admin", "agency_admin")),
    ),
    DemoAgency(
        "US-BIS",
        "US Bureau of Industry and Security, Export Enforcement",
        "US",
        "licensing",
        (("sam", "publisher"), ("admin", "agency_admin")),
    ),
    DemoAgency(
        "US-OFAC",
        "US Office of Foreign Assets Control",
        "US",
        "sanctions_authority",
        (("olivia", "publisher"), ("admin", "agency_admin")),
    ),
    DemoAgency(
        "GB-UKFIU",
        "UK Financial Intelligence Unit",
        "GB",
        "fiu",
        (("grace", "publisher"), ("admin", "agency_admin")),
    ),
    DemoAgency(
        "KZ-SRC",
        "State Revenue Committee of Kazakhstan (customs)",
        "KZ",
        "partner",
        (("aigerim", "reader"), ("admin", "agency_admin")),
        api_role="reader",
    ),
)


@dataclass(frozen=True)
class DemoAgreement:
    provider: str
    recipient: str
    kinds: tuple[str, ...] = ("sar",)
    max_tlp: str = "AMBER"
    withheld: tuple[str, ...] = ()
    legal_basis: str = ""
    scope: dict[str, list[str]] = field(default_factory=dict)
    attribution: str = "must"


EU_MUTUAL_ASSISTANCE = (
    "Regulation (EC) No 515/97 on mutual administrative assistance in customs matters"
)
NAPLES_II = "Naples II Convention (1997), mutual assistance between customs administrations"
US_EU_CMAA = "Customs mutual assistance agreement between the EU and the USA (1997)"
EGMONT = "Egmont Group principles for information exchange between FIUs"

AGREEMENTS: tuple[DemoAgreement, ...] = (
    # EU customs and intelligence share broadly with each other.
    DemoAgreement("DE-CUSTOMS", "FR-DOUANE", max_tlp="AMBER+STRICT", legal_basis=NAPLES_II),
    DemoAgreement("FR-DOUANE", "DE-CUSTOMS", max_tlp="AMBER+STRICT", legal_basis=NAPLES_II),
    DemoAgreement("NL-FIOD", "DE-CUSTOMS", legal_basis=EU_MUTUAL_ASSISTANCE),
    DemoAgreement("NL-FIOD", "FR-DOUANE", legal_basis=EU_MUTUAL_ASSISTANCE),
    # Narrower: the FIOD gets German reports on machines and electronics only, without
    # the identities of natural persons.
    DemoAgreement(
        "DE-CUSTOMS",
        "NL-FIOD",
        withheld=("person_identity",),
        scope={"scope_hs_chapters": ["84", "85", "90"]},
        legal_basis=EU_MUTUAL_ASSISTANCE,
    ),
    # The licensing authority sees customs findings but not the narrative.
    DemoAgreement("DE-CUSTOMS", "DE-BAFA", withheld=("narrative",), legal_basis="AWG section 23"),
    # Transatlantic, both ways; personal data stays home.
    DemoAgreement("DE-CUSTOMS", "US-BIS", withheld=("person_identity",), legal_basis=US_EU_CMAA),
    DemoAgreement("US-BIS", "DE-CUSTOMS", max_tlp="RED", legal_basis=US_EU_CMAA),
    DemoAgreement("US-BIS", "FR-DOUANE", legal_basis=US_EU_CMAA),
    # The FIU shares financial intelligence; customs tell it about the money side.
    DemoAgreement("GB-UKFIU", "DE-CUSTOMS", max_tlp="GREEN", legal_basis=EGMONT),
    DemoAgreement(
        "DE-CUSTOMS",
        "GB-UKFIU",
        withheld=("commercial",),
        scope={"scope_red_flags": ["BIS-RF-5", "BIS-RF-6"]},
        legal_basis=EGMONT,
    ),
    # A partner country on the transit routes: GREEN only, no narrative, no
    # personal data, only cases touching Kazakhstan, and the originator not named.
    DemoAgreement(
        "DE-CUSTOMS",
        "KZ-SRC",
        max_tlp="GREEN",
        withheld=("narrative", "person_identity"),
        scope={"scope_countries": ["KZ"]},
        legal_basis="EU-Kazakhstan Enhanced Partnership and Cooperation Agreement, Title III",
        attribution="must-not",
    ),
    # Sanctions updates from OFAC to the enforcement agencies.
    *(
        DemoAgreement(
            "US-OFAC",
            recipient,
            kinds=("sanctions_update",),
            max_tlp="CLEAR",
            scope={"scope_lists": ["OFAC-SDN"]},
            legal_basis="OFAC list publication (public)",
        )
        for recipient in ("DE-CUSTOMS", "FR-DOUANE", "US-BIS")
    ),
)
