"""Parser for OFAC's legacy SDN CSV files (sdn / alt / add) into FtM entities.

The three files have no header line, CRLF line ends (sometimes LF), a trailing
0x1A (DOS end-of-file) byte, ``-0-`` for null and cells padded with trailing
spaces. ``sdn-2022.csv`` even holds one ``ent_num`` twice; the first row wins
and later rows with the same ``ent_num`` are reported in ``duplicates``.

Every entity is a plain FollowTheMoney dict::

    {"id": "ofac-<ent_num>", "schema": "Person", "properties": {"name": [...]}}

Structured facts (birth dates, nationality, passports, registration numbers,
vessel data, aliases ...) are pulled out of the free-text Remarks cell; the
whole Remarks text is also kept in ``notes`` so that no information is lost and
any change of a row changes the entity.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from followthemoney import model
from followthemoney.types import registry

logger = logging.getLogger(__name__)

NULL = "-0-"
SOURCE_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={ent_num}"
SDN_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
SCHEMATA = ("Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane")

Source = str | Path | bytes | IO[str] | IO[bytes]
Entity = dict


@dataclass
class OfacParse:
    """Result of parsing one sdn/alt/add triple."""

    entities: list[Entity] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # ent_nums seen again
    orphans: int = 0  # alt/add rows whose ent_num is not in the sdn file
    # entity id -> names of its "Linked To: NAME." remarks (not an FtM property:
    # FtM models a link as a separate UnknownLink entity; see `linked_names`).
    links: dict[str, list[str]] = field(default_factory=dict)


# --------------------------------------------------------------------------
# CSV reading


def _text_of(source: Source) -> str:
    if isinstance(source, bytes):
        raw = source
    elif isinstance(source, (str, Path)):
        raw = Path(source).read_bytes()
    else:
        raw = source.read()
    text = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
    # The 0x1A (SUB) byte is an MS-DOS end-of-file marker that OFAC appends.
    return text.replace("\x1a", "")


def csv_rows(source: Source) -> Iterator[list[str]]:
    """Rows of an OFAC CSV file: cells stripped, ``-0-`` turned into ``""``."""
    reader = csv.reader(io.StringIO(_text_of(source), newline=""))
    for row in reader:
        if not row or all(not cell.strip() for cell in row):
            continue
        yield [clean_cell(cell) for cell in row]


def clean_cell(cell: str) -> str:
    value = cell.strip()
    return "" if value == NULL else value


# --------------------------------------------------------------------------
# Small value parsers

MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]* (\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_dates(text: str) -> list[str]:
    """OFAC date text -> ISO 8601 prefixes (``1954-07-04``, ``1960-01``, ``1955``).

    ``circa 1960`` gives ``1960``; ``1960 to 1962`` gives every year.
    Unparseable text gives ``[]`` (the text stays in notes), and so does a
    year outside 1800-2100 (the real list once said ``DOB 19 Jun 0177``).
    """
    return [date for date in _dates_parse(text) if 1800 <= int(date[:4]) <= 2100]


def _dates_parse(text: str) -> list[str]:
    value = text.strip().rstrip(".").strip()
    value = re.sub(r"^(circa|approximately|about)\s+", "", value, flags=re.I)
    if m := _DAY_MONTH_YEAR.match(value):
        month = MONTHS.get(m.group(2).lower())
        if month:
            return [f"{m.group(3)}-{month:02d}-{int(m.group(1)):02d}"]
    if m := _MONTH_YEAR.match(value):
        month = MONTHS.get(m.group(1).lower())
        if month:
            return [f"{m.group(2)}-{month:02d}"]
    if m := _YEAR.match(value):
        return [m.group(1)]
    if " to " in value:
        # "1960 to 1962", "01 Jan 1961 to 31 Dec 1962": every year of the range.
        first, _, last = value.partition(" to ")
        starts, ends = _dates_parse(first), _dates_parse(last)
        if len(starts) == 1 and len(ends) == 1:
            start, end = int(starts[0][:4]), int(ends[0][:4])
            if 0 <= end - start <= 20:
                return [str(year) for year in range(start, end + 1)]
    return []


@functools.lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """Country name as written by OFAC -> ISO code (FtM country type), or None."""
    name = name.strip().rstrip(".")
    if not name:
        return None
    return registry.country.clean(name)


# --------------------------------------------------------------------------
# Remarks

# Identifier labels -> FtM property (first choice, then fallbacks).
ID_LABELS: list[tuple[str, tuple[str, ...]]] = [
    ("Passport", ("passportNumber", "idNumber")),
    ("Diplomatic Passport", ("passportNumber", "idNumber")),
    ("National ID No.", ("idNumber",)),
    ("National Foreign ID Number", ("idNumber",)),
    ("Personal ID Card", ("idNumber",)),
    ("Identification Number", ("idNumber", "registrationNumber")),
    ("Cedula No.", ("idNumber",)),
    ("D.N.I.", ("idNumber",)),
    ("C.U.R.P.", ("idNumber",)),
    ("C.U.I.P.", ("idNumber",)),
    ("SSN", ("socialSecurityNumber", "idNumber")),
    ("Driver's License No.", ("idNumber",)),
    ("Residency Number", ("idNumber",)),
    ("Birth Certificate Number", ("idNumber",)),
    ("Citizen's Card Number", ("idNumber",)),
    ("Kenyan ID No.", ("idNumber",)),
    ("Public Security and Immigration No.", ("idNumber",)),
    ("Electoral Registry No.", ("idNumber",)),
    ("Stateless Person ID Card", ("idNumber",)),
    ("Refugee ID Card", ("idNumber",)),
    ("Travel Document Number", ("passportNumber", "idNumber")),
    ("Tax ID No.", ("taxNumber", "idNumber")),
    ("NIT #", ("taxNumber", "idNumber")),
    ("RUC #", ("taxNumber", "idNumber")),
    ("R.F.C.", ("taxNumber", "idNumber")),
    ("RFC", ("taxNumber", "idNumber")),
    ("V.A.T. Number", ("vatCode", "taxNumber", "idNumber")),
    ("Registration Number", ("registrationNumber", "idNumber")),
    ("Registration ID", ("registrationNumber", "idNumber")),
    ("Business Registration Number", ("registrationNumber", "idNumber")),
    ("Business Registration Document #", ("registrationNumber", "idNumber")),
    ("Company Number", ("registrationNumber", "idNumber")),
    ("Commercial Registry Number", ("registrationNumber", "idNumber")),
    ("Commercial Registration Number", ("registrationNumber", "idNumber")),
    ("Government Gazette Number", ("registrationNumber", "idNumber")),
    ("Folio Mercantil No.", ("registrationNumber", "idNumber")),
    ("Matricula Mercantil No", ("registrationNumber", "idNumber")),
    ("C.R. No.", ("registrationNumber", "idNumber")),
    ("Chamber of Commerce Number", ("registrationNumber", "idNumber")),
    ("Trade License No.", ("registrationNumber", "idNumber")),
    ("Certificate of Incorporation Number", ("registrationNumber", "idNumber")),
    ("Economic Register Number (CBLS)", ("registrationNumber", "idNumber")),
    ("Unified Social Credit Code (USCC)", ("registrationNumber", "idNumber")),
    ("Enterprise Number", ("registrationNumber", "idNumber")),
    ("License", ("licenseNumber", "registrationNumber", "idNumber")),
    ("Legal Entity Number", ("leiCode", "registrationNumber")),
    ("D-U-N-S Number", ("dunsCode", "registrationNumber")),
    ("UK Company Number", ("registrationNumber", "idNumber")),
    ("Aircraft Tail Number", ("registrationNumber",)),
    ("Aircraft Manufacturer's Serial Number (MSN)", ("serialNumber",)),
    ("Vessel Registration Identification", ("imoNumber", "registrationNumber")),
]
# Longest label first, so "Business Registration Number" wins over "Registration Number".
ID_LABELS.sort(key=lambda pair: len(pair[0]), reverse=True)

# "<value> (<Country>)" optionally followed by "issued ..." / "expires ...".
_ID_VALUE = re.compile(
    r"^(?P<value>.+?)\s*(?:\((?P<country>[^()]*)\))?\s*(?:(?:issued|expires)\b.*)?$", re.I
)
_IMO = re.compile(
    r"^(?:Identification Number |Vessel Registration Identification |Company Number )?IMO\s*(\d{7})\b"
)
_QUOTED = re.compile(r"'(.+)'")

SIMPLE_LABELS: list[tuple[str, str, str]] = [
    # (prefix, property, kind) kind: text | date | country | flag
    ("DOB ", "birthDate", "date"),
    ("POB ", "birthPlace", "text"),
    ("nationality ", "nationality", "country"),
    ("citizen ", "citizenship", "country"),
    ("Nationality of Registration ", "jurisdiction", "country"),
    ("Gender ", "gender", "gender"),
    ("MMSI ", "mmsi", "text"),
    ("SWIFT/BIC ", "swiftBic", "text"),
    ("Website ", "website", "text"),
    ("Email Address ", "email", "text"),
    ("Phone Number ", "phone", "text"),
    ("Telephone ", "phone", "text"),
    ("Organization Established Date ", "incorporationDate", "date"),
    ("Date of Registration ", "incorporationDate", "date"),
    ("Organization Type: ", "sector", "text"),
    ("Target Type ", "classification", "text"),
    ("Other Vessel Flag ", "pastFlags", "country"),
    ("Former Vessel Flag ", "pastFlags", "country"),
    ("Other Vessel Call Sign ", "callSign", "text"),
    ("Other Vessel Type ", "pastTypes", "text"),
    ("Vessel Year of Build ", "buildDate", "date"),
    ("Aircraft Model ", "model", "text"),
    ("Aircraft Manufacture Date ", "buildDate", "date"),
    ("Aircraft Manufacturer ", "manufacturer", "text"),
    ("Title ", "position", "text"),
]


def split_remarks(remarks: str) -> list[str]:
    """Remarks -> parts, split on ``;`` outside of single-quoted aliases."""
    if "'" not in remarks:
        return [
            p.strip().rstrip(".").strip()
            for p in remarks.split(";")
            if p.strip().rstrip(".").strip()
        ]
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for i, char in enumerate(remarks):
        if char == "'":
            # An apostrophe inside a word (O'NEIL, AL-QA'IDA) does not open a quote.
            before = remarks[i - 1] if i else " "
            after = remarks[i + 1] if i + 1 < len(remarks) else " "
            if not quoted and (before.isspace() or before in "(;"):
                quoted = True
            elif quoted and (after.isspace() or after in ".;,)" or i + 1 == len(remarks)):
                quoted = False
        if char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip().rstrip(".").strip() for p in parts if p.strip().rstrip(".").strip()]


class _Builder:
    """Collects property values for one entity, valid for its schema."""

    def __init__(self, schema: str) -> None:
        self.schema = model.get(schema)
        self.props: dict[str, list[str]] = {}

    def add(self, prop: str | Iterable[str], value: str | None) -> None:
        if value is None:
            return
        value = value.strip()
        if not value:
            return
        choices = (prop,) if isinstance(prop, str) else tuple(prop)
        for name in choices:
            if name in self.schema.properties and not self.schema.properties[name].stub:
                values = self.props.setdefault(name, [])
                if value not in values:
                    values.append(value)
                return
        # No fitting property on this schema: the value is still in the notes.

    def entity(self, entity_id: str) -> Entity:
        return {"id": entity_id, "schema": self.schema.name, "properties": self.props}


_COMPANY_FORM = re.compile(
    r"\b(LLC|L\.L\.C|LTD|LIMITED|S\.A|SA DE CV|S\.A\.S|S\.R\.L|SRL|GMBH|AG|INC|CORP|CORPORATION|"
    r"CO|COMPANY|OOO|OAO|ZAO|PAO|AO|JSC|PJSC|OJSC|CJSC|LLP|PLC|FZE|FZCO|FZC|B\.V|BV|PTE|"
    r"SDN BHD|BHD|SARL|S\.A\.R\.L|SPA|S\.P\.A|A\.S|KFT|SP\. Z O\.O|TRADING|ENTERPRISES?|"
    r"INDUSTRIES|BANK|HOLDINGS?|GROUP|SHIPPING|AIRLINES?|PETROCHEMICAL)\b\.?",
)
_COMPANY_IDS = (
    "Registration",
    "Company Number",
    "Tax ID",
    "Commercial Regist",
    "Business Regist",
    "Folio Mercantil",
    "Matricula Mercantil",
    "SWIFT/BIC",
    "Legal Entity Number",
    "D-U-N-S",
    "Unified Social Credit",
    "Government Gazette",
    "Organization Established",
    "Chamber of Commerce",
    "Trade License",
    "C.R. No.",
    "NIT #",
    "RUC #",
)


def schema_for(sdn_type: str, name: str, remarks: str) -> str:
    """FtM schema of an SDN row.

    ``individual`` -> Person, ``vessel`` -> Vessel, ``aircraft`` -> Airplane.
    Other entries are a Company when the name carries a company form or the
    remarks carry a company identifier, else an Organization (armed groups,
    ministries, networks ...).
    """
    kind = sdn_type.lower()
    if kind == "individual":
        return "Person"
    if kind == "vessel":
        return "Vessel"
    if kind == "aircraft":
        return "Airplane"
    if _COMPANY_FORM.search(name.upper()) or any(label in remarks for label in _COMPANY_IDS):
        return "Company"
    return "Organization"


LINKED_TO = "Linked To: "


def linked_names(remarks: str) -> list[str]:
    """Names of the ``Linked To: NAME.`` remarks, in order, without the final period.

    An entry may carry several (``Linked To: IRGC; Linked To: HIZBALLAH.``).
    FtM has no plain property for a link, so the parser keeps the names out of
    the entity's properties (they stay in ``notes``) and the register derives
    them from the notes with this same function.
    """
    names: list[str] = []
    if LINKED_TO not in remarks:
        return names
    for part in split_remarks(remarks):
        if part.startswith(LINKED_TO):
            name = part[len(LINKED_TO) :].strip().rstrip(".").strip()
            if name and name not in names:
                names.append(name)
    return names


def _parse_remark(builder: _Builder, part: str) -> None:
    text = part
    if text.startswith("alt. "):
        text = text[5:].strip()
    for prefix in ("a.k.a. ", "n.k.a. ", "f.k.a. "):
        if text.startswith(prefix):
            quoted = _QUOTED.search(text)
            alias = quoted.group(1) if quoted else text[len(prefix) :].strip("'\" ")
            builder.add("previousName" if prefix == "f.k.a. " else "alias", alias)
            return
    if text.startswith(LINKED_TO):
        return  # kept in notes; `linked_names` reads it back (no FtM property for it)
    if m := _IMO.match(text):
        builder.add(("imoNumber", "registrationNumber"), f"IMO{m.group(1)}")
        return
    for prefix, prop, kind in SIMPLE_LABELS:
        if not text.startswith(prefix):
            continue
        value = text[len(prefix) :].strip()
        if kind == "date":
            for date in parse_dates(value):
                builder.add(prop, date)
        elif kind == "country":
            code = country_code(value)
            if prop == "nationality":
                builder.add(("nationality", "country"), code)
            elif prop == "citizenship":
                builder.add(("citizenship", "country"), code)
            else:
                builder.add(prop, code)
        elif kind == "gender":
            builder.add(prop, value.lower() if value.lower() in ("male", "female") else None)
        else:
            builder.add(prop, value)
        return
    for label, props in ID_LABELS:
        if text.startswith(label + " ") and len(text) > len(label) + 1:
            m = _ID_VALUE.match(text[len(label) + 1 :].strip())
            if m:
                value = m.group("value").strip().rstrip(",")
                builder.add(props, value)
            return


def sdn_entity(
    row: list[str], *, alts: Iterable[list[str]] = (), addresses: Iterable[list[str]] = ()
) -> Entity:
    """One SDN row (12 cleaned cells) + its alt and add rows -> FtM entity dict."""
    cells = (list(row) + [""] * 12)[:12]
    (
        ent_num,
        name,
        sdn_type,
        program,
        title,
        call_sign,
        vess_type,
        tonnage,
        grt,
        flag,
        owner,
        remarks,
    ) = cells
    schema = schema_for(sdn_type, name, remarks)
    builder = _Builder(schema)
    builder.add("name", name)
    for prog in re.split(r"\]\s*\[", program.strip("[] ")):
        builder.add("program", prog.strip())
    builder.add("topics", "sanction")
    builder.add(("position", "notes"), title if schema == "Person" else None)
    if title and schema != "Person":
        builder.add("notes", f"Title: {title}")
    builder.add("callSign", call_sign)
    builder.add(("type", "notes"), vess_type)
    builder.add("tonnage", tonnage)
    builder.add("grossRegisteredTonnage", grt)
    builder.add("flag", country_code(flag) if flag else None)
    if flag and not country_code(flag):
        builder.add("notes", f"Flag: {flag}")
    # Vessel.owner is an entity reference in FtM; OFAC gives a free-text name.
    builder.add("notes", f"Owner: {owner}" if owner else None)
    for part in split_remarks(remarks):
        _parse_remark(builder, part)
    builder.add("notes", remarks)
    for alt in alts:
        cells_alt = (list(alt) + [""] * 5)[:5]
        alt_type, alt_name = cells_alt[2].lower(), cells_alt[3]
        if alt_type == "fka":
            builder.add("previousName", alt_name)
        elif alt_type in ("aka", "nka"):
            builder.add("alias", alt_name)
        else:
            builder.add("weakAlias", alt_name)
    for add in addresses:
        cells_add = (list(add) + [""] * 6)[:6]
        street, city, country = cells_add[2], cells_add[3], cells_add[4]
        text = ", ".join(p for p in (street, city, country) if p)
        builder.add("address", text)
        builder.add("country", country_code(country) if country else None)
    builder.add("sourceUrl", SOURCE_URL.format(ent_num=ent_num))
    return builder.entity(f"ofac-{ent_num}")


def ofac_parse(*, sdn: Source, alt: Source | None = None, add: Source | None = None) -> OfacParse:
    """Parse an sdn file and, optionally, its alt and add files."""
    result = OfacParse()
    rows: dict[str, list[str]] = {}
    for row in csv_rows(sdn):
        ent_num = row[0]
        if ent_num in rows:
            result.duplicates.append(ent_num)
            logger.warning("OFAC sdn file repeats ent_num %s; keeping the first row", ent_num)
            continue
        rows[ent_num] = row
    alts: dict[str, list[list[str]]] = {}
    addresses: dict[str, list[list[str]]] = {}
    for source, target in ((alt, alts), (add, addresses)):
        if source is None:
            continue
        for row in csv_rows(source):
            if row[0] not in rows:
                result.orphans += 1
                continue
            target.setdefault(row[0], []).append(row)
    for ent_num, row in rows.items():
        entity = sdn_entity(row, alts=alts.get(ent_num, ()), addresses=addresses.get(ent_num, ()))
        result.entities.append(entity)
        names = linked_names(row[11] if len(row) > 11 else "")
        if names:
            result.links[entity["id"]] = names
    return result


def ofac_entities(
    *, sdn: Source, alt: Source | None = None, add: Source | None = None
) -> list[Entity]:
    """FtM entity dicts of an OFAC sdn (+ alt, add) triple, in file order."""
    return ofac_parse(sdn=sdn, alt=alt, add=add).entities


def _text_ok(value: object) -> bool:
    """A non-empty string PostgreSQL can store (no NUL character)."""
    return isinstance(value, str) and bool(value.strip()) and "\x00" not in value


def entity_errors(entity: object) -> list[str]:
    """Why an FtM entity dict is not valid for our register ([] when valid).

    Checks shape, that the schema is one of SCHEMATA, that every property
    exists on the schema (stub / reverse properties are refused) with a list
    of non-empty strings, and that country and date values are valid.
    """
    if not isinstance(entity, dict):
        return ["entity must be an object"]
    errors: list[str] = []
    entity_id = entity.get("id")
    if not _text_ok(entity_id) or len(entity_id) > 200:
        errors.append("entity.id must be a non-empty string of at most 200 characters")
    schema_name = entity.get("schema")
    schema = model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None or schema_name not in SCHEMATA:
        errors.append(f"unknown schema {schema_name!r} (allowed: {', '.join(SCHEMATA)})")
        return errors
    properties = entity.get("properties", {})
    if not isinstance(properties, dict):
        return [*errors, "entity.properties must be an object"]
    for prop, values in properties.items():
        spec = schema.properties.get(prop)
        if spec is None or spec.stub:
            errors.append(f"unknown property {prop!r} for schema {schema_name}")
            continue
        if not isinstance(values, list) or not all(_text_ok(v) for v in values):
            errors.append(f"property {prop!r} must be a list of non-empty strings without NUL")
            continue
        if spec.type in CHECKED_TYPES:
            invalid = [v for v in values if not _valid_value(spec.type.name, v)]
            if invalid:
                errors.append(
                    f"property {prop!r} has invalid {spec.type.name} values: {invalid[:3]}"
                )
    return errors


# Value types checked on the way in: countries are ISO codes ("ru", not "Russia"),
# dates ISO 8601 prefixes ("1960", "1960-01", "1960-01-31").
CHECKED_TYPES = (registry.country, registry.date)


@functools.lru_cache(maxsize=16384)
def _valid_value(type_name: str, value: str) -> bool:
    return bool(registry.get(type_name).validate(value))
