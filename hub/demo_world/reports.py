"""The demo world's export-control reports.

Realistic in shape and in the trade they describe (dual-use goods with their
real HS codes and control-list entries, transshipment through third
countries, BIS "know your customer" red flags), but every trader, forwarder
and person below is fictional. A few end users are real entries of the 2022
OFAC SDN list, so that screening has something to find.

Red flags are the 15 CFR 732 Supplement 3 "know your customer" red flags,
numbered in order (BIS-RF-1 ... BIS-RF-13):
  1 customer or address similar to a listed party    8 installation, training or maintenance declined
  2 reluctant to offer end-use information           9 vague delivery dates, out-of-the-way destinations
  3 capabilities do not fit the buyer's business     10 a freight forwarder is the final destination
  4 item incompatible with the country's technology  11 abnormal shipping route for product and destination
  5 cash for an expensive item normally financed     12 packaging inconsistent with shipment or destination
  6 little or no business background                 13 evasive about domestic use, export or re-export
  7 unfamiliar with the product's performance
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

# Report ids are stable so that seeding twice finds the reports it made.
REPORT_NAMESPACE = uuid.UUID("6c1f4b6e-3a2d-4c55-9a51-2f0d8f1c9e10")


def org(
    role: str,
    name: str,
    country: str,
    *,
    address: str = "",
    aliases: tuple = (),
    identifiers: tuple = (),
) -> dict[str, Any]:
    party: dict[str, Any] = {
        "role": role,
        "type": "organization",
        "name": name,
        "country": country,
        "aliases": list(aliases),
        "identifiers": [{"scheme": s, "value": v} for s, v in identifiers],
    }
    if address:
        party["address"] = address
    return party


def person(
    role: str,
    name: str,
    country: str,
    *,
    address: str = "",
    aliases: tuple = (),
    identifiers: tuple = (),
) -> dict[str, Any]:
    party = org(role, name, country, address=address, aliases=aliases, identifiers=identifiers)
    party["type"] = "person"
    return party


def vessel(role: str, name: str, country: str, *, imo: str) -> dict[str, Any]:
    party = org(role, name, country, identifiers=(("imo", imo),))
    party["type"] = "vessel"
    return party


def goods(
    description: str,
    hs_code: str,
    control_code: str | None,
    quantity: str,
    unit: str,
    value: str,
    currency: str = "EUR",
) -> dict[str, Any]:
    return {
        "description": description,
        "hs_code": hs_code.replace(".", ""),
        "control_code": control_code,
        "quantity": quantity,
        "unit": unit,
        "value": value,
        "currency": currency,
    }


def route(
    origin: str, transit: list[str], destination: str, stated: str, mode: str
) -> dict[str, Any]:
    return {
        "origin": origin,
        "transit": transit,
        "destination": destination,
        "stated_end_destination": stated,
        "transport_mode": mode,
    }


@dataclass(frozen=True)
class DemoReport:
    slug: str
    originator: str
    title: str
    tlp: str
    activity: tuple[str, str]
    red_flags: list[str]
    narrative: str
    parties: list[dict[str, Any]]
    goods: list[dict[str, Any]]
    route: dict[str, Any]
    licence: dict[str, Any]
    documents: list[dict[str, Any]]
    recipients: list[str] = field(default_factory=list)
    # A second version (amendment): fields replaced in version 2.
    amendment: dict[str, Any] | None = None
    retraction: str | None = None

    @property
    def id(self) -> str:
        return str(uuid.uuid5(REPORT_NAMESPACE, self.slug))

    def report_claims(self, version: int = 1) -> dict[str, Any]:
        """The `report` claim of DESIGN 2.1 for the given version."""
        claims: dict[str, Any] = {
            "id": self.id,
            "version": 1,
            "title": self.title,
            "tlp": self.tlp,
            "recipients": list(self.recipients),
            "activity": {"start": self.activity[0], "end": self.activity[1]},
            "red_flags": list(self.red_flags),
            "narrative": self.narrative,
            "parties": [dict(p) for p in self.parties],
            "goods": [dict(g) for g in self.goods],
            "route": dict(self.route),
            "licence": dict(self.licence),
            "documents": [dict(d) for d in self.documents],
        }
        if version == 2 and self.amendment:
            claims.update(self.amendment)
        claims["version"] = version
        return claims

    @property
    def versions(self) -> int:
        return 2 if self.amendment else 1


NO_LICENCE = {"number": None, "authority": None, "status": "none"}


def licence(number: str, authority: str, status: str) -> dict[str, Any]:
    return {"number": number, "authority": authority, "status": status}


def invoice(ref: str) -> dict[str, str]:
    return {"type": "commercial_invoice", "reference": ref}


def awb(ref: str) -> dict[str, str]:
    return {"type": "air_waybill", "reference": ref}


def bol(ref: str) -> dict[str, str]:
    return {"type": "bill_of_lading", "reference": ref}


def declaration(ref: str) -> dict[str, str]:
    return {"type": "export_declaration", "reference": ref}


DEMO_REPORTS: list[DemoReport] = [
    DemoReport(
        slug="de-servers-dubai-moscow",
        originator="DE-CUSTOMS",
        title="Rack servers declared for Dubai data centre re-exported to Moscow",
        tlp="AMBER",
        activity=("2025-09-02", "2025-11-14"),
        red_flags=["BIS-RF-3", "BIS-RF-10", "BIS-RF-11"],
        narrative=(
            "Three consignments of rack servers with high-end GPUs left Frankfurt airport for a "
            "Dubai free-zone trader whose only listed premises is a flexi-desk. Air waybills "
            "show onward carriage from DXB to SVO within 48 hours of arrival; the stated data "
            "centre project could not be located. Payment came from a Hong Kong account."
        ),
        parties=[
            org(
                "exporter",
                "Rheinmain Systemhaus GmbH",
                "DE",
                address="Hanauer Landstr. 291, 60314 Frankfurt am Main",
                identifiers=(("eori", "DE4471920385117"),),
            ),
            org(
                "consignee",
                "Gulf Horizon General Trading FZE",
                "AE",
                address="Flexi Desk 14, RAKEZ Business Zone, Ras Al Khaimah",
                identifiers=(("trade_licence", "RAKEZ-0419337"),),
            ),
            org(
                "end_user",
                "OOO Severnaya Vychislitelnaya Set",
                "RU",
                address="ul. Butlerova 17, Moscow",
            ),
            org(
                "forwarder",
                "Falcon Wings Air Cargo LLC",
                "AE",
                address="Cargo Village Bldg 6, Dubai",
            ),
            org(
                "financier",
                "Pacific Bridge Commerce Ltd",
                "HK",
                address="Unit 1203, 8 Argyle St, Mong Kok",
            ),
        ],
        goods=[
            goods(
                "2U rack server, 8x accelerator, 2 TB RAM",
                "8471.50",
                "4A994",
                "24",
                "piece",
                "1680000.00",
            ),
            goods("Accelerator card, 80 GB HBM", "8473.30", "3A090", "64", "piece", "1472000.00"),
            goods("InfiniBand switch, 64 ports", "8517.62", "5A992", "4", "piece", "96000.00"),
        ],
        route=route("DE", ["AE"], "RU", "AE", "air"),
        licence=NO_LICENCE,
        documents=[
            invoice("RMS-2025-0913"),
            awb("176-44120355"),
            declaration("25DE603100118832E4"),
        ],
        amendment={
            "title": "Rack servers for Dubai data centre re-exported to Moscow (third consignment added)",
            "activity": {"start": "2025-09-02", "end": "2025-12-05"},
        },
    ),
    DemoReport(
        slug="de-cnc-turkey-russia",
        originator="DE-CUSTOMS",
        title="5-axis machining centres routed via Istanbul to a Russian defence plant",
        tlp="AMBER",
        activity=("2025-06-10", "2025-10-01"),
        red_flags=["BIS-RF-1", "BIS-RF-8", "BIS-RF-11"],
        narrative=(
            "Two 5-axis machining centres (positioning accuracy 4 micrometres) were ordered by "
            "an Istanbul trading company with no machining business. The buyer declined "
            "installation and training, normally part of the price. Telemetry from the "
            "machines' remote-service module later reported a location in Izhevsk."
        ),
        parties=[
            org(
                "exporter",
                "Schwaebische Praezisionsmaschinen AG",
                "DE",
                address="Industriestr. 40, 73037 Goeppingen",
            ),
            org(
                "consignee",
                "Bosfor Endustriyel Dis Ticaret Ltd Sti",
                "TR",
                address="Ikitelli OSB, Basaksehir, Istanbul",
                identifiers=(("tax_id", "1870045512"),),
            ),
            org("end_user", "KALASHNIKOV CONCERN", "RU", address="Izhevsk, Udmurt Republic"),
            org("forwarder", "Anadolu Kara Lojistik AS", "TR"),
            person("broker", "Murat Y. Kaplan", "TR", identifiers=(("passport", "U09441827"),)),
        ],
        goods=[
            goods(
                "5-axis machining centre, simultaneous contouring",
                "8457.10",
                "2B001.b",
                "2",
                "piece",
                "1240000.00",
            ),
            goods(
                "Numerical control unit, 5 interpolating axes",
                "8537.10",
                "2B001",
                "2",
                "piece",
                "88000.00",
            ),
            goods("Spindle and tooling kit", "8466.93", None, "2", "set", "46000.00"),
        ],
        route=route("DE", ["TR", "GE"], "RU", "TR", "road"),
        licence=licence("BAFA-AG-2025-118804", "DE-BAFA", "denied"),
        documents=[invoice("SPM-25-7781"), declaration("25DE711400227419E1")],
    ),
    DemoReport(
        slug="de-thermal-cameras-armenia",
        originator="DE-CUSTOMS",
        title="Cooled thermal imaging cores shipped to Yerevan, onward by road to Russia",
        tlp="GREEN",
        activity=("2025-03-03", "2025-07-29"),
        red_flags=["BIS-RF-6", "BIS-RF-9", "BIS-RF-12"],
        narrative=(
            "A Yerevan company registered in February 2025 bought 140 cooled thermal imaging "
            "cores, far beyond any Armenian security market. Cartons were relabelled as "
            "'CCTV accessories' in Yerevan and crossed at Upper Lars two weeks later."
        ),
        parties=[
            org("exporter", "Optronik Nord GmbH", "DE", address="Wandsbeker Chaussee 120, Hamburg"),
            org(
                "consignee",
                "Ararat Vision Systems LLC",
                "AM",
                address="Tigran Mets Ave 67, Yerevan",
                identifiers=(("registration", "286.110.1299871"),),
            ),
            org(
                "end_user",
                "AO KONTSERN OKEANPRIBOR",
                "RU",
                address="Chkalovsky pr. 46, St Petersburg",
            ),
            org("carrier", "Kavkaz Trans Group LLC", "AM"),
            person("other", "Davit Hovsepyan", "AM", aliases=("David Ovsepian",)),
        ],
        goods=[
            goods(
                "Cooled MWIR thermal imaging core, 640x512",
                "8525.89",
                "6A003.b.4",
                "140",
                "piece",
                "2380000.00",
            ),
            goods(
                "Germanium lens assembly, 50 mm", "9002.11", "6A004", "140", "piece", "210000.00"
            ),
        ],
        route=route("DE", ["AM", "GE"], "RU", "AM", "road"),
        licence=NO_LICENCE,
        documents=[invoice("OPN-2025-0311"), declaration("25DE204700081132E7")],
    ),
    DemoReport(
        slug="de-ics-hongkong-iran",
        originator="DE-CUSTOMS",
        title="Radiation-hardened FPGAs ordered through Hong Kong broker for Iranian end user",
        tlp="AMBER+STRICT",
        activity=("2025-01-15", "2025-05-20"),
        red_flags=["BIS-RF-2", "BIS-RF-5", "BIS-RF-13"],
        narrative=(
            "A Hong Kong broker paid cash-in-advance for radiation-tolerant FPGAs, a part "
            "normally bought on long-term programme contracts. Email metadata in the seized "
            "order file points to Shiraz; the broker refused an end-use statement."
        ),
        parties=[
            org(
                "exporter", "Isar Halbleiter Vertrieb GmbH", "DE", address="Leopoldstr. 244, Munich"
            ),
            org(
                "intermediate_consignee",
                "Sino Link Components Trading Co",
                "HK",
                address="Rm 9, 17/F, 1 Hung To Rd, Kwun Tong",
            ),
            org("end_user", "SHIRAZ ELECTRONICS INDUSTRIES", "IR", address="Shiraz"),
            person("broker", "Wai-Ming Cheung", "HK"),
            org("financier", "Golden Reef Exchange LLC", "AE"),
        ],
        goods=[
            goods(
                "Radiation-tolerant FPGA, 500k logic cells",
                "8542.31",
                "3A001.a.1",
                "300",
                "piece",
                "1350000.00",
                "USD",
            ),
            goods(
                "Anti-fuse PROM, space grade",
                "8542.32",
                "3A001.a.1",
                "300",
                "piece",
                "240000.00",
                "USD",
            ),
        ],
        route=route("DE", ["HK"], "IR", "HK", "air"),
        licence=NO_LICENCE,
        documents=[invoice("IHV-2025-0042"), awb("020-77813456")],
    ),
    DemoReport(
        slug="de-uav-engines-kazakhstan",
        originator="DE-CUSTOMS",
        title="UAV engines and flight controllers to Almaty 'agricultural drone' start-up",
        tlp="GREEN",
        activity=("2025-04-01", "2025-09-30"),
        red_flags=["BIS-RF-3", "BIS-RF-6", "BIS-RF-11"],
        narrative=(
            "Two-stroke engines and flight controllers sized for a 200 kg class UAV were "
            "sold to an Almaty start-up advertising crop-spraying drones of 20 kg. The same "
            "start-up shares a director and phone number with a Moscow drone integrator."
        ),
        parties=[
            org(
                "exporter",
                "Bodensee Flugantriebe GmbH",
                "DE",
                address="Zeppelinstr. 8, Friedrichshafen",
            ),
            org(
                "consignee",
                "AgroSky Technologies TOO",
                "KZ",
                address="Al-Farabi Ave 77/8, Almaty",
                identifiers=(("bin", "240140019873"),),
            ),
            org("end_user", "OOO Kronshtadt Integratsiya", "RU"),
            person("other", "Yerlan Abenov", "KZ", identifiers=(("iin", "850312300455"),)),
            org("forwarder", "Steppe Cargo Express TOO", "KZ"),
        ],
        goods=[
            goods("Two-stroke UAV engine, 38 kW", "8407.90", "9A012", "12", "piece", "396000.00"),
            goods(
                "UAV flight control computer with INS",
                "8526.91",
                "7A994",
                "20",
                "piece",
                "180000.00",
            ),
            goods("Carbon fibre propeller, 1.6 m", "8803.20", "9A610", "24", "piece", "43200.00"),
        ],
        route=route("DE", ["PL", "KZ"], "RU", "KZ", "road"),
        licence=NO_LICENCE,
        documents=[invoice("BFA-25-1207"), declaration("25DE802200044190E3")],
    ),
    DemoReport(
        slug="de-ammonium-bifluoride-serbia",
        originator="DE-CUSTOMS",
        title="Hydrogen fluoride precursors to Belgrade trader with no chemical licence",
        tlp="GREEN",
        activity=("2025-08-05", "2025-08-29"),
        red_flags=["BIS-RF-3", "BIS-RF-12"],
        narrative=(
            "Two tonnes of sodium fluoride and one of ammonium bifluoride, both Australia "
            "Group precursors, were declared as 'cleaning agents'. The Belgrade buyer holds "
            "no chemical-handling permit; drums were unlabelled."
        ),
        parties=[
            org("exporter", "Niederrhein Chemiehandel GmbH", "DE", address="Duisburg"),
            org(
                "consignee",
                "Sava Trade Export DOO",
                "RS",
                address="Bulevar Mihajla Pupina 10, Novi Beograd",
            ),
            org("end_user", "Unknown", "SY"),
            org("carrier", "Balkan Road Haulage DOO", "RS"),
            person("other", "Nenad Ristic", "RS"),
        ],
        goods=[
            goods("Sodium fluoride, technical grade", "2826.19", "1C350", "2000", "kg", "9800.00"),
            goods("Ammonium hydrogendifluoride", "2826.19", "1C350", "1000", "kg", "6900.00"),
        ],
        route=route("DE", ["AT", "HU", "RS"], "SY", "RS", "road"),
        licence=licence("BAFA-AG-2025-220019", "DE-BAFA", "applied"),
        documents=[invoice("NCH-0825-31"), declaration("25DE403300091188E2")],
        retraction="The drums were tested and contained ordinary detergent; the report was based on a labelling error.",
    ),
    DemoReport(
        slug="fr-machine-tools-georgia",
        originator="FR-DOUANE",
        title="Flow-forming machine ordered via Tbilisi for missile casing production",
        tlp="AMBER",
        activity=("2025-02-11", "2025-06-18"),
        red_flags=["BIS-RF-2", "BIS-RF-4", "BIS-RF-11"],
        narrative=(
            "A Tbilisi company ordered a two-roller flow-forming machine, an item controlled for "
            "missile motor cases, declaring use in bicycle-frame manufacturing. No bicycle "
            "industry exists at the stated address, a residential block."
        ),
        parties=[
            org(
                "exporter",
                "Ateliers Mecaniques du Jura SAS",
                "FR",
                address="Zone Industrielle, 39100 Dole",
            ),
            org(
                "consignee",
                "Kartli Industrial Supply LLC",
                "GE",
                address="Tsereteli Ave 116, Tbilisi",
            ),
            org("end_user", "JOINT-STOCK COMPANY CONCERN ALMAZ-ANTEY", "RU"),
            org("forwarder", "Black Sea Logistic Partners LLC", "GE"),
            person("broker", "Giorgi Beridze", "GE"),
        ],
        goods=[
            goods(
                "Flow-forming machine, 2 rollers, CNC",
                "8463.90",
                "2B009",
                "1",
                "piece",
                "870000.00",
            ),
            goods("Mandrel set for flow-forming", "8466.94", "2B009", "1", "set", "64000.00"),
        ],
        route=route("FR", ["TR", "GE"], "RU", "GE", "sea"),
        licence=licence("DGDDI-2025-BDU-4471", "FR-SBDU", "denied"),
        documents=[invoice("AMJ-25-0448"), bol("MSCU7734120")],
    ),
    DemoReport(
        slug="fr-gnss-modules-uae",
        originator="FR-DOUANE",
        title="Anti-jam GNSS receivers to Sharjah, found in downed drones",
        tlp="AMBER",
        activity=("2024-11-01", "2025-04-30"),
        red_flags=["BIS-RF-9", "BIS-RF-10", "BIS-RF-11"],
        narrative=(
            "Serial numbers of controlled-reception-pattern GNSS receivers recovered from "
            "downed Shahed-type drones match a batch exported to a Sharjah freight forwarder "
            "that was itself named as the final consignee."
        ),
        parties=[
            org("exporter", "NavSat Provence SARL", "FR", address="Sophia Antipolis"),
            org("consignee", "Crescent Freight Services FZC", "AE", address="SAIF Zone, Sharjah"),
            org("end_user", "QODS AVIATION INDUSTRIES", "IR"),
            org("forwarder", "Crescent Freight Services FZC", "AE"),
            person("other", "Hamid Rezaei", "IR"),
        ],
        goods=[
            goods(
                "GNSS receiver with CRPA anti-jam antenna",
                "8526.91",
                "7A005",
                "400",
                "piece",
                "960000.00",
            ),
            goods(
                "Antenna electronics unit, 7 element",
                "8529.10",
                "7A105",
                "400",
                "piece",
                "320000.00",
            ),
        ],
        route=route("FR", ["AE"], "IR", "AE", "air"),
        licence=NO_LICENCE,
        documents=[invoice("NSP-2024-1187"), awb("057-60019922")],
    ),
    DemoReport(
        slug="fr-carbon-fibre-hk",
        originator="FR-DOUANE",
        title="High-modulus carbon fibre to Hong Kong shell, diverted to North Korea programme",
        tlp="AMBER",
        activity=("2025-05-06", "2025-09-12"),
        red_flags=["BIS-RF-1", "BIS-RF-6", "BIS-RF-13"],
        narrative=(
            "A Hong Kong company incorporated six weeks before the order bought carbon fibre "
            "of a modulus used in rocket motor cases. Its address matches a company "
            "designated for DPRK procurement."
        ),
        parties=[
            org("exporter", "Composites de l'Isere SA", "FR", address="Grenoble"),
            org(
                "consignee",
                "Everbright Materials Trading Ltd",
                "HK",
                address="Rm 2207, 118 Connaught Rd West",
            ),
            org("end_user", "HONG KONG ELECTRONICS", "KP"),
            org("intermediate_consignee", "Dandong Borderland Trading Co", "CN"),
            person("financier", "Kim Chol-Su", "KP"),
        ],
        goods=[
            goods(
                "Carbon fibre tow, modulus 290 GPa", "6815.11", "1C010.b", "1800", "kg", "216000.00"
            ),
            goods(
                "Epoxy prepreg for filament winding", "3907.30", "1C010.e", "600", "kg", "54000.00"
            ),
        ],
        route=route("FR", ["HK", "CN"], "KP", "HK", "sea"),
        licence=NO_LICENCE,
        documents=[invoice("CDI-2025-5531"), bol("OOLU2214577")],
    ),
    DemoReport(
        slug="fr-oscilloscopes-kyrgyzstan",
        originator="FR-DOUANE",
        title="High-bandwidth oscilloscopes to Bishkek, re-exported by rail",
        tlp="GREEN",
        activity=("2025-07-14", "2025-10-22"),
        red_flags=["BIS-RF-4", "BIS-RF-11"],
        narrative=(
            "Oscilloscopes of 33 GHz bandwidth were ordered by a Bishkek retailer of mobile "
            "phones. The goods were re-declared in Bishkek for rail transit to Novosibirsk "
            "within a week."
        ),
        parties=[
            org("exporter", "Mesures Electroniques de Bretagne SA", "FR", address="Rennes"),
            org("consignee", "Ala-Too Digital Trade OsOO", "KG", address="Chui Ave 155, Bishkek"),
            org("end_user", "AO NII Radiopribor Sibir", "RU"),
            org("carrier", "TransAsia Rail Forwarding OsOO", "KG"),
            person("other", "Aibek Toktogulov", "KG"),
        ],
        goods=[
            goods(
                "Real-time oscilloscope, 33 GHz", "9030.20", "3A002.a.5", "6", "piece", "1140000.00"
            ),
            goods("Differential probe, 20 GHz", "9030.90", None, "12", "piece", "96000.00"),
        ],
        route=route("FR", ["KZ", "KG"], "RU", "KG", "rail"),
        licence=NO_LICENCE,
        documents=[invoice("MEB-25-0917"), declaration("25FR000091775514E5")],
    ),
    DemoReport(
        slug="nl-lithography-parts-china",
        originator="NL-FIOD",
        title="Lithography spare parts invoiced as 'optical instruments' through Singapore",
        tlp="AMBER",
        activity=("2025-01-20", "2025-08-08"),
        red_flags=["BIS-RF-2", "BIS-RF-11", "BIS-RF-12"],
        narrative=(
            "Spare parts for immersion lithography systems were invoiced at a tenth of their "
            "value as generic optical instruments and routed through a Singapore "
            "trading company to a fab on a restricted list."
        ),
        parties=[
            org("exporter", "Brabant Precision Optics BV", "NL", address="Eindhoven"),
            org(
                "intermediate_consignee",
                "Straits Photonics Pte Ltd",
                "SG",
                address="Ubi Ave 1, Singapore",
            ),
            org("end_user", "Wuxi Advanced Foundry Co", "CN"),
            person("broker", "Tan Wei Liang", "SG"),
            org("financier", "Harbour Gate Capital Ltd", "HK"),
        ],
        goods=[
            goods(
                "Projection lens module for DUV immersion scanner",
                "9002.19",
                "3B001.f",
                "2",
                "piece",
                "4200000.00",
            ),
            goods("Wafer stage metrology frame", "8486.90", "3B001", "1", "piece", "760000.00"),
            goods("Excimer laser chamber, ArF", "9013.20", "6A005", "3", "piece", "690000.00"),
        ],
        route=route("NL", ["SG"], "CN", "SG", "air"),
        licence=licence("NL-CDIU-2025-0389", "NL-CDIU", "applied"),
        documents=[invoice("BPO-2025-114"), awb("074-11223344")],
    ),
    DemoReport(
        slug="nl-bearings-armenia",
        originator="NL-FIOD",
        title="Aerospace bearings to Yerevan trader, paid from a Russian bank's UAE branch",
        tlp="GREEN",
        activity=("2025-02-02", "2025-06-27"),
        red_flags=["BIS-RF-5", "BIS-RF-6", "BIS-RF-11"],
        narrative=(
            "Precision ball bearings rated for aero-engine main shafts were sold to a "
            "Yerevan trader with no aviation customers. Payment came from the Dubai branch "
            "of a Russian bank, in cash-equivalent prepayment."
        ),
        parties=[
            org(
                "exporter",
                "Rotterdam Bearing Supply BV",
                "NL",
                address="Waalhaven Z.z. 44, Rotterdam",
            ),
            org("consignee", "Erebuni Technical Trade LLC", "AM", address="Yerevan"),
            org("end_user", "UEC Saturn Rybinsk Motor Works", "RU"),
            org("financier", "Emirates Volga Bank Branch", "AE"),
            person("other", "Armen Petrosyan", "AM"),
        ],
        goods=[
            goods(
                "Angular contact ball bearing, ABEC 9, aerospace",
                "8482.10",
                "2A001.a",
                "800",
                "piece",
                "312000.00",
            ),
            goods(
                "Cylindrical roller bearing, M50 steel",
                "8482.50",
                "2A001",
                "400",
                "piece",
                "188000.00",
            ),
        ],
        route=route("NL", ["AM"], "RU", "AM", "air"),
        licence=NO_LICENCE,
        documents=[invoice("RBS-25-0071"), awb("235-90871234")],
    ),
    DemoReport(
        slug="nl-vessel-spares-iran",
        originator="NL-FIOD",
        title="Marine gas turbine spares loaded on vessel calling at Bandar Abbas",
        tlp="AMBER",
        activity=("2025-03-15", "2025-05-02"),
        red_flags=["BIS-RF-9", "BIS-RF-11", "BIS-RF-13"],
        narrative=(
            "Gas turbine hot-section spares declared for a Turkish ferry operator were "
            "trans-shipped at Jebel Ali onto a vessel whose AIS went dark before calling at "
            "Bandar Abbas."
        ),
        parties=[
            org("exporter", "Zeeland Marine Power BV", "NL", address="Vlissingen"),
            org("consignee", "Marmara Denizcilik AS", "TR", address="Tuzla, Istanbul"),
            org("end_user", "IRAN ELECTRONICS INDUSTRIES", "IR"),
            vessel("carrier", "MV OCEAN SAPPHIRE", "PA", imo="9234561"),
            org("forwarder", "Jebel Ali Maritime Agencies LLC", "AE"),
        ],
        goods=[
            goods(
                "Gas turbine hot-section blades, single crystal",
                "8411.99",
                "9E003",
                "60",
                "piece",
                "540000.00",
            ),
            goods("Turbine fuel control unit", "8411.99", "9A991", "2", "piece", "130000.00"),
        ],
        route=route("NL", ["AE"], "IR", "TR", "sea"),
        licence=NO_LICENCE,
        documents=[invoice("ZMP-2025-033"), bol("MAEU5566778")],
    ),
    DemoReport(
        slug="us-microcontrollers-hk-russia",
        originator="US-BIS",
        title="Microcontrollers and memory through Hong Kong shell network to Russian UAV makers",
        tlp="AMBER",
        activity=("2024-09-01", "2025-09-01"),
        red_flags=["BIS-RF-1", "BIS-RF-6", "BIS-RF-11"],
        narrative=(
            "Over 12 months a network of nine Hong Kong shells registered at two "
            "secretarial addresses bought microcontrollers and flash memory found in "
            "recovered Orlan-10 UAVs. Shipments moved by air to Hong Kong, then by truck "
            "via Kazakhstan."
        ),
        parties=[
            org("exporter", "Pacific Coast Components Inc", "US", address="San Jose, CA"),
            org(
                "consignee",
                "Tianjin Smart Electronic Trading Ltd",
                "HK",
                address="Flat B, 9/F, Hang Seng Bldg, 77 Des Voeux Rd",
            ),
            org("end_user", "JOINT STOCK COMPANY CONCERN RADIO-ELECTRONIC TECHNOLOGIES", "RU"),
            org("intermediate_consignee", "Kaspiy Electronic Distribution TOO", "KZ"),
            person("broker", "Igor Sergeevich Melnikov", "RU", aliases=("Igor Melnikoff",)),
        ],
        goods=[
            goods(
                "32-bit microcontroller, ARM Cortex-M7",
                "8542.31",
                "3A991.a",
                "25000",
                "piece",
                "212500.00",
                "USD",
            ),
            goods(
                "NOR flash memory, 512 Mbit",
                "8542.32",
                "3A991.b",
                "18000",
                "piece",
                "72000.00",
                "USD",
            ),
            goods(
                "RF transceiver, 70 MHz-6 GHz",
                "8542.39",
                "5A991",
                "4000",
                "piece",
                "180000.00",
                "USD",
            ),
        ],
        route=route("US", ["HK", "KZ"], "RU", "HK", "air"),
        licence=NO_LICENCE,
        documents=[invoice("PCC-24-8812"), awb("160-55667788")],
    ),
    DemoReport(
        slug="us-pressure-transducers-iran",
        originator="US-BIS",
        title="Capacitance manometers for uranium enrichment routed through Turkey",
        tlp="RED",
        recipients=["DE-CUSTOMS"],
        activity=("2025-04-04", "2025-07-04"),
        red_flags=["BIS-RF-2", "BIS-RF-4", "BIS-RF-13"],
        narrative=(
            "Corrosion-resistant capacitance manometers (UF6-compatible) were ordered by an "
            "Istanbul laboratory supplier. The order email was drafted from an IP range "
            "attributed to an Iranian centrifuge manufacturer."
        ),
        parties=[
            org("exporter", "New England Vacuum Instruments LLC", "US", address="Andover, MA"),
            org("consignee", "Lab Anatolia Teknik Malzeme Ltd", "TR", address="Ankara"),
            org("end_user", "IRAN CENTRIFUGE TECHNOLOGY COMPANY", "IR"),
            person("broker", "Reza Karimi", "IR"),
            org("forwarder", "Ege Air Cargo AS", "TR"),
        ],
        goods=[
            goods(
                "Capacitance manometer, Inconel diaphragm, 0-100 torr",
                "9026.20",
                "2B230",
                "40",
                "piece",
                "148000.00",
                "USD",
            ),
            goods(
                "Vacuum valve, bellows-sealed",
                "8481.80",
                "2B350.g",
                "30",
                "piece",
                "66000.00",
                "USD",
            ),
        ],
        route=route("US", ["TR"], "IR", "TR", "air"),
        licence=NO_LICENCE,
        documents=[invoice("NEVI-2025-0404"), awb("235-11002233")],
    ),
    DemoReport(
        slug="us-laser-machine-uzbekistan",
        originator="US-BIS",
        title="Fibre laser cutting systems to Tashkent front company",
        tlp="GREEN",
        activity=("2025-05-12", "2025-08-30"),
        red_flags=["BIS-RF-3", "BIS-RF-9"],
        narrative=(
            "Three high-power fibre laser cutting systems were sold to a Tashkent company "
            "registered to a residential address, with delivery dates repeatedly moved and "
            "final delivery arranged to a bonded warehouse near the Kazakh border."
        ),
        parties=[
            org("exporter", "Midwest Photonics Machinery Corp", "US", address="Columbus, OH"),
            org("consignee", "Samarkand Industrial Group MChJ", "UZ", address="Tashkent"),
            org("end_user", "Unknown", "RU"),
            person("other", "Rustam Alimov", "UZ"),
            org("forwarder", "Silk Way Transit MChJ", "UZ"),
        ],
        goods=[
            goods(
                "Fibre laser cutting machine, 12 kW",
                "8456.11",
                "2B001",
                "3",
                "piece",
                "1650000.00",
                "USD",
            ),
            goods(
                "Fibre laser source, 12 kW CW",
                "9013.20",
                "6A005.b",
                "3",
                "piece",
                "510000.00",
                "USD",
            ),
        ],
        route=route("US", ["LV", "KZ"], "UZ", "UZ", "sea"),
        licence=NO_LICENCE,
        documents=[invoice("MPM-25-0612"), bol("HLCU8899001")],
    ),
    DemoReport(
        slug="gb-payments-dual-use-network",
        originator="GB-UKFIU",
        title="Payment network behind dual-use purchases for Russian defence buyers",
        tlp="AMBER",
        activity=("2024-06-01", "2025-06-01"),
        red_flags=["BIS-RF-5", "BIS-RF-6"],
        narrative=(
            "Suspicious activity reports from three UK banks link payments for electronics "
            "orders to a London-registered LLP whose members are two Seychelles "
            "companies; funds arrive from Kyrgyz and Armenian accounts and leave to Hong "
            "Kong suppliers the same day."
        ),
        parties=[
            org(
                "financier",
                "Thamesbridge Trade Solutions LLP",
                "GB",
                address="Office 4, 27 Old Gloucester St, London",
            ),
            org("other", "Mahe Nominees Ltd", "SC"),
            org("consignee", "Ala-Too Digital Trade OsOO", "KG"),
            org("end_user", "PAO ZVEZDA", "RU"),
            person("other", "Alexei Voronin", "RU", identifiers=(("passport", "75 4410928"),)),
        ],
        goods=[
            goods(
                "Electronic components (aggregated orders)",
                "8542.39",
                "3A991",
                "1",
                "lot",
                "4100000.00",
                "GBP",
            ),
        ],
        route=route("HK", ["KG"], "RU", "KG", "air"),
        licence=NO_LICENCE,
        documents=[{"type": "bank_statement", "reference": "UKFIU-SAR-2025-114922"}],
    ),
    DemoReport(
        slug="gb-helicopter-parts-turkey",
        originator="GB-UKFIU",
        title="Helicopter engine parts paid through Turkish exchange house",
        tlp="GREEN",
        activity=("2025-02-20", "2025-05-30"),
        red_flags=["BIS-RF-5", "BIS-RF-13"],
        narrative=(
            "A Birmingham aviation parts broker received payment for turboshaft engine "
            "modules from an Istanbul exchange house on behalf of an undisclosed buyer; the "
            "goods were collected by hand-carry courier."
        ),
        parties=[
            org("exporter", "Midlands Rotorcraft Spares Ltd", "GB", address="Birmingham"),
            org("financier", "Galata Doviz Ticaret AS", "TR", address="Istanbul"),
            org("end_user", "Unknown", "RU"),
            person("carrier", "Sergei Lebedev", "RU"),
            org("consignee", "Kuzey Havacilik Ltd Sti", "TR"),
        ],
        goods=[
            goods(
                "Turboshaft engine power turbine module",
                "8411.99",
                "9A991.d",
                "2",
                "piece",
                "640000.00",
                "GBP",
            ),
            goods("Main gearbox input seal kit", "8484.90", None, "10", "set", "18000.00", "GBP"),
        ],
        route=route("GB", ["TR"], "RU", "TR", "air"),
        licence=licence("GB-SIEL-2025-00712", "GB-ECJU", "revoked"),
        documents=[invoice("MRS-2025-221")],
    ),
    DemoReport(
        slug="de-encryption-routers-belarus",
        originator="DE-CUSTOMS",
        title="Encrypted radio routers to Minsk declared as consumer Wi-Fi",
        tlp="CLEAR",
        activity=("2025-10-01", "2025-10-31"),
        red_flags=["BIS-RF-12"],
        narrative=(
            "Mesh radio routers with military-grade encryption were declared as consumer "
            "Wi-Fi equipment on the export declaration. Published as an alert for all "
            "partners: watch for the HS 8517.62 / 5A002 mismatch on eastbound road freight."
        ),
        parties=[
            org("exporter", "Lausitz Funktechnik GmbH", "DE", address="Cottbus"),
            org("consignee", "Belvneshtorg Service OOO", "BY", address="Minsk"),
            org("end_user", "Unknown", "BY"),
            org("carrier", "Brest Auto Trans OOO", "BY"),
            person("other", "Pavel Kozlov", "BY"),
        ],
        goods=[
            goods(
                "MANET mesh radio router, AES-256",
                "8517.62",
                "5A002.a",
                "150",
                "piece",
                "375000.00",
            ),
        ],
        route=route("DE", ["PL"], "BY", "BY", "road"),
        licence=NO_LICENCE,
        documents=[declaration("25DE551100099321E8")],
    ),
    DemoReport(
        slug="de-gyroscopes-uae-iran",
        originator="DE-CUSTOMS",
        title="Fibre-optic gyroscopes to Dubai shell with Iranian owners",
        tlp="AMBER",
        activity=("2025-07-07", "2025-11-02"),
        red_flags=["BIS-RF-1", "BIS-RF-2", "BIS-RF-10"],
        narrative=(
            "Fibre-optic gyroscopes of navigation grade were ordered by a Dubai company whose "
            "shareholders are Iranian nationals previously linked to Malek Ashtar University. "
            "The consignee is a freight forwarder."
        ),
        parties=[
            org("exporter", "Hessen Inertial Systems GmbH", "DE", address="Darmstadt"),
            org("consignee", "Zagros Gulf Logistics FZCO", "AE", address="DAFZA, Dubai"),
            org("end_user", "MALEK ASHTAR UNIVERSITY OF TECHNOLOGY", "IR"),
            person("other", "Ali Reza Moradi", "IR", identifiers=(("passport", "P91822334"),)),
            org("financier", "Persian Gulf Exchange LLC", "AE"),
        ],
        goods=[
            goods(
                "Fibre-optic gyroscope, bias stability 0.01 deg/h",
                "9014.20",
                "7A002.a",
                "30",
                "piece",
                "690000.00",
            ),
            goods(
                "Inertial measurement unit, tactical grade",
                "9014.20",
                "7A003",
                "10",
                "piece",
                "420000.00",
            ),
        ],
        route=route("DE", ["AE"], "IR", "AE", "air"),
        licence=NO_LICENCE,
        documents=[invoice("HIS-25-0707"), awb("176-88990011")],
    ),
    DemoReport(
        slug="fr-valves-china-machinery",
        originator="FR-DOUANE",
        title="Corrosion-resistant valves to Chinese missile technology importer",
        tlp="GREEN",
        activity=("2025-09-09", "2025-11-20"),
        red_flags=["BIS-RF-1", "BIS-RF-3"],
        narrative=(
            "Bellows-sealed valves of nickel alloy, controlled for chemical weapons "
            "production, were requested by a company at the address of a designated Chinese "
            "precision machinery importer."
        ),
        parties=[
            org("exporter", "Robinetterie Lyonnaise SA", "FR", address="Lyon"),
            org("consignee", "Beijing Zhongxin Instrument Trading Co", "CN"),
            org("end_user", "CHINA NATIONAL PRECISION MACHINERY IMPORT/EXPORT CORPORATION", "CN"),
            person("broker", "Li Jianguo", "CN"),
            org("forwarder", "Shanghai Eastport Forwarding Co", "CN"),
        ],
        goods=[
            goods(
                "Bellows-sealed valve, Hastelloy C-276, DN50",
                "8481.80",
                "2B350.g",
                "60",
                "piece",
                "228000.00",
            ),
            goods(
                "Diaphragm pump, PTFE wetted parts", "8413.50", "2B350.i", "8", "piece", "76000.00"
            ),
        ],
        route=route("FR", [], "CN", "CN", "sea"),
        licence=licence("DGDDI-2025-BDU-6602", "FR-SBDU", "applied"),
        documents=[invoice("RL-2025-0909"), bol("CMDU4455667")],
    ),
    DemoReport(
        slug="nl-semiconductor-tools-kazakhstan",
        originator="NL-FIOD",
        title="Used wafer-processing tools re-exported from Almaty",
        tlp="GREEN",
        activity=("2025-06-01", "2025-10-15"),
        red_flags=["BIS-RF-4", "BIS-RF-8", "BIS-RF-11"],
        narrative=(
            "Refurbished plasma etch tools were sold to an Almaty company that has no "
            "clean-room facility and declined installation. Kazakh customs data show "
            "re-export to Russia under a different HS heading."
        ),
        parties=[
            org("exporter", "Twente Semiconductor Refurbishment BV", "NL", address="Enschede"),
            org("consignee", "Tengri Microsystems TOO", "KZ", address="Almaty"),
            org("end_user", "AO Zelenograd Microelectronics Plant", "RU"),
            org("forwarder", "Steppe Cargo Express TOO", "KZ"),
            person("other", "Dmitry Kravtsov", "RU"),
        ],
        goods=[
            goods(
                "Plasma etch system, 300 mm, refurbished",
                "8486.20",
                "3B001.c",
                "2",
                "piece",
                "2600000.00",
            ),
            goods("RF generator, 13.56 MHz, 5 kW", "8543.70", None, "4", "piece", "88000.00"),
        ],
        route=route("NL", ["DE", "PL", "KZ"], "RU", "KZ", "road"),
        licence=NO_LICENCE,
        documents=[invoice("TSR-25-1544"), declaration("25NL000033218873E2")],
    ),
    DemoReport(
        slug="us-oil-field-equipment-ofac",
        originator="US-BIS",
        title="Deep-water drilling equipment to sanctioned Russian driller via Cyprus",
        tlp="GREEN",
        activity=("2025-01-10", "2025-04-10"),
        red_flags=["BIS-RF-1", "BIS-RF-11"],
        narrative=(
            "Sub-sea blow-out preventer components were shipped to a Cyprus holding company; "
            "inspection records place the equipment on a rig operated by a sanctioned "
            "Russian drilling contractor."
        ),
        parties=[
            org("exporter", "Gulf Coast Drilling Supply LLC", "US", address="Houston, TX"),
            org("consignee", "Limassol Offshore Holdings Ltd", "CY"),
            org("end_user", "GAZPROM BURENIE, OOO", "RU"),
            person("other", "Andreas Georgiou", "CY"),
            vessel("carrier", "MV NORDIC TRADER", "MT", imo="9456712"),
        ],
        goods=[
            goods(
                "Blow-out preventer control pod",
                "8431.43",
                "0A998",
                "2",
                "piece",
                "1900000.00",
                "USD",
            ),
            goods(
                "Sub-sea hydraulic connector", "8431.43", "EAR99", "6", "piece", "330000.00", "USD"
            ),
        ],
        route=route("US", ["CY"], "RU", "CY", "sea"),
        licence=licence("D1234567", "US-BIS", "denied"),
        documents=[invoice("GCD-2025-110"), bol("ZIMU3344556")],
    ),
]
