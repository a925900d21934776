"""Readers of list files (OFAC SDN CSV triple, FtM JSON lines) and the import entry point
shared by the `sanctions_import` command and the admin upload form."""

from __future__ import annotations

import io
import json
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from agencies.errors import MalformedRequest
from agencies.models import Agency
from agencies.services import Actor

from .ofac import SCHEMATA, Source, ofac_parse
from .services import ImportSummary, Progress, sanctions_list_import


@dataclass
class FtmRead:
    entities: list[dict[str, Any]]
    skipped: int  # entities of schemata the register does not hold (Address, Sanction ...)


def ftm_entities_read(source: str | Path | bytes | IO[str] | IO[bytes]) -> FtmRead:
    """FtM JSON lines -> entity dicts (id, schema, properties). Other keys are dropped;
    entities of schemata other than SCHEMATA are skipped and counted."""
    if isinstance(source, (str, Path)):
        raw: str | bytes = Path(source).read_bytes()
    elif isinstance(source, bytes):
        raw = source
    else:
        raw = source.read()
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    entities: list[dict[str, Any]] = []
    skipped = 0
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise MalformedRequest(
                f"Line {number} is not JSON: {exc}", code="malformed_ftm"
            ) from exc
        if not isinstance(value, dict):
            raise MalformedRequest(f"Line {number} is not a JSON object.", code="malformed_ftm")
        if value.get("schema") not in SCHEMATA:
            skipped += 1
            continue
        entities.append(
            {
                "id": value.get("id"),
                "schema": value["schema"],
                "properties": value.get("properties", {}),
            }
        )
    return FtmRead(entities=entities, skipped=skipped)


def ofac_import(
    *,
    authority: Agency,
    list_name: str,
    sdn: Source,
    alt: Source | None = None,
    add: Source | None = None,
    actor: Actor,
    effective: date | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    parsed = ofac_parse(sdn=sdn, alt=alt, add=add)
    return sanctions_list_import(
        authority=authority,
        list_name=list_name,
        entities=parsed.entities,
        actor=actor,
        effective=effective,
        progress=progress,
    )


def ftm_import(
    *,
    authority: Agency,
    list_name: str,
    source: str | Path | bytes | IO[str] | IO[bytes],
    actor: Actor,
    effective: date | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    read = ftm_entities_read(source)
    summary = sanctions_list_import(
        authority=authority,
        list_name=list_name,
        entities=read.entities,
        actor=actor,
        effective=effective,
        progress=progress,
    )
    summary.skipped = read.skipped
    return summary


class ProgressBar:
    """A one-line text progress bar (on stderr by default), one line per stage."""

    def __init__(self, stream: IO[str] | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.stage: str | None = None
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            if self.stage is not None:
                self.stream.write("\n")
            self.stage = stage
            self.started = time.monotonic()
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.monotonic() - self.started
        self.stream.write(f"\r{stage:<7} [{bar}] {done}/{total} {elapsed:5.1f}s")
        self.stream.flush()

    def close(self) -> None:
        if self.stage is not None:
            self.stream.write("\n")
            self.stream.flush()
            self.stage = None
