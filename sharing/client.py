"""The reference partner client (no Django needed).

    python -m sharing.client sync --hub URL --token T --out items.jsonl
    python -m sharing.client verify-webhook --hub URL --headers FILE --body FILE

`sync` pages `GET /api/v1/feed/`, resuming after the last `seq` already in the
output file, verifies every token itself (the originator's key from
`/api/v1/agencies/{code}/jwks.json`, or the hub's from `/.well-known/jwks.json`
for items the hub re-issued or notices it signed), appends one JSON line per
item and prints: seq, originator, kind, version, verified or not, withheld.

`verify-webhook` checks a captured webhook request: the Standard Webhooks
`v1a` Ed25519 signature over "id.timestamp.body" against the hub's JWKS, then
the token inside it.
"""

import argparse
import base64
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import orjson
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwcrypto import jwk, jws
from jwcrypto.common import JWException
from sd_jwt.verifier import SDJWTVerifier

from sharing.cursor import cursor_encode

ACCEPTED_ALGS = ("EdDSA", "Ed25519")
EXPECTED_TYP = {
    "report": ("sar+sd-jwt",),
    "retraction": ("sar-retraction+jwt", "hub-retraction+jwt"),
    "sanctions_update": ("sanctions-update+jwt",),
}


def _b64json(segment: str) -> dict[str, Any]:
    value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


class KeyDirectory:
    """Public keys fetched from the hub: each agency's JWKS and the hub's own."""

    def __init__(self, hub: str, session: requests.Session, timeout: float = 30.0) -> None:
        self.hub = hub.rstrip("/")
        self.session = session
        self.timeout = timeout
        self._jwks: dict[str, dict[str, dict[str, Any]]] = {}
        self._hub_issuer: str | None = None

    def _fetch(self, url: str) -> dict[str, dict[str, Any]]:
        response = self.session.get(url, timeout=self.timeout)
        response.raise_for_status()
        return {key["kid"]: key for key in response.json().get("keys", []) if "kid" in key}

    def hub_keys(self) -> dict[str, dict[str, Any]]:
        if "" not in self._jwks:
            self._jwks[""] = self._fetch(f"{self.hub}/.well-known/jwks.json")
        return self._jwks[""]

    def hub_issuer(self) -> str:
        """The hub's `iss`: the agency part of its kids (`CODE/label`)."""
        if self._hub_issuer is None:
            kids = list(self.hub_keys())
            self._hub_issuer = kids[0].split("/")[0] if kids else ""
        return self._hub_issuer

    def key(self, issuer: str, kid: str) -> jwk.JWK:
        """The public key `kid` of `issuer`; refused if the kid is not the issuer's."""
        if not isinstance(kid, str) or kid.split("/")[0] != issuer:
            raise VerificationError(f"kid {kid!r} is not a key of {issuer}")
        if issuer == self.hub_issuer():
            keys = self.hub_keys()
        else:
            if issuer not in self._jwks:
                self._jwks[issuer] = self._fetch(f"{self.hub}/api/v1/agencies/{issuer}/jwks.json")
            keys = self._jwks[issuer]
        if kid not in keys:
            raise VerificationError(f"{issuer} publishes no key {kid!r}")
        found = keys[kid]
        if found.get("kty") != "OKP" or found.get("crv") != "Ed25519":
            raise VerificationError(f"key {kid!r} is not Ed25519")
        return jwk.JWK(kty="OKP", crv="Ed25519", x=found["x"])


class VerificationError(Exception):
    pass


@dataclass
class Verified:
    ok: bool
    originator: str = "?"
    issuer: str = "?"
    claims: dict[str, Any] = field(default_factory=dict)
    undisclosed: int = 0
    error: str = ""


def _jws_check(token: str, keys: KeyDirectory, typs: tuple[str, ...]) -> tuple[dict, dict]:
    header_segment, payload_segment = token.split(".")[:2]
    header, payload = _b64json(header_segment), _b64json(payload_segment)
    if header.get("alg") not in ACCEPTED_ALGS:
        raise VerificationError(f"alg {header.get('alg')!r} is not accepted")
    if header.get("typ") not in typs:
        raise VerificationError(f"typ {header.get('typ')!r} is not one of {typs}")
    return header, payload


def _count_sd(value: Any) -> int:
    """How many `_sd` digests (selectively disclosable fields) a payload holds."""
    if isinstance(value, dict):
        return len(value.get("_sd", [])) + sum(_count_sd(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_sd(v) for v in value)
    return 0


def _digests_in(value: Any, found: set[str]) -> None:
    """Every `_sd` digest and array-element digest (`{"...": d}`) inside `value`."""
    if isinstance(value, dict):
        for digest in value.get("_sd", []):
            found.add(digest)
        if set(value) == {"..."}:
            found.add(value["..."])
        for child in value.values():
            _digests_in(child, found)
    elif isinstance(value, list):
        for child in value:
            _digests_in(child, found)


def disclosures_check(issuer_payload: dict[str, Any], disclosures: list[str]) -> None:
    """RFC 9901: each disclosure must be referenced exactly once by a digest.

    Checked here as well as by the SD-JWT library, which accepts a presentation
    carrying a disclosure that no digest refers to.
    """
    referenced: set[str] = set()
    _digests_in(issuer_payload, referenced)
    for disclosure in disclosures:
        decoded = json.loads(base64.urlsafe_b64decode(disclosure + "=" * (-len(disclosure) % 4)))
        _digests_in(decoded, referenced)
    seen: set[str] = set()
    for disclosure in disclosures:
        digest = (
            base64.urlsafe_b64encode(hashlib.sha256(disclosure.encode("ascii")).digest())
            .decode()
            .rstrip("=")
        )
        if digest not in referenced:
            raise VerificationError("a disclosure is not referenced by any digest")
        if digest in seen:
            raise VerificationError("a disclosure appears twice")
        seen.add(digest)


def token_verify(*, item_type: str, token: str, keys: KeyDirectory) -> Verified:
    """Verify a feed item's token with the published keys; never raises."""
    try:
        typs = EXPECTED_TYP.get(item_type)
        if typs is None:
            raise VerificationError(f"unknown item type {item_type!r}")
        issuer_jwt = token.split("~")[0]
        header, unverified = _jws_check(issuer_jwt, keys, typs)
        issuer = unverified.get("iss", "?")
        originator = issuer
        if isinstance(unverified.get("attribution"), dict):
            originator = unverified["attribution"].get("originator", issuer)
        elif header.get("typ") == "hub-retraction+jwt":
            originator = unverified.get("originator", issuer)
        key = keys.key(issuer, header.get("kid"))
        if item_type == "report":
            if not token.endswith("~"):
                raise VerificationError("a presentation must end with '~' (no key binding)")
            verifier = SDJWTVerifier(token, lambda iss, hdr: key)
            claims = verifier.get_verified_payload()
            disclosures = [part for part in token.split("~")[1:] if part]
            disclosures_check(unverified, disclosures)
            disclosed = len(disclosures)
            undisclosed = _count_sd(unverified) - disclosed
        else:
            checker = jws.JWS()
            checker.deserialize(issuer_jwt)
            checker.verify(key, alg=header["alg"])
            claims = json.loads(checker.payload)
            undisclosed = 0
        return Verified(True, originator, issuer, claims, max(undisclosed, 0))
    except (VerificationError, JWException, ValueError, KeyError, TypeError) as exc:
        return Verified(False, error=f"{type(exc).__name__}: {exc}")
    except requests.RequestException as exc:
        return Verified(False, error=f"could not fetch keys: {exc}")


def _identity(item_type: str, claims: dict[str, Any]) -> tuple[str | None, int | None]:
    """The (id, version) a verified token speaks for, to bind it to the feed item."""
    if item_type == "report":
        report = claims.get("report", {})
        return report.get("id"), report.get("version")
    if item_type == "retraction":
        return claims.get("report_id"), claims.get("version")
    entity = claims.get("entity", {})
    return entity.get("id"), 1


def item_check(item: dict[str, Any], keys: KeyDirectory) -> Verified:
    result = token_verify(item_type=item["type"], token=item["token"], keys=keys)
    if result.ok:
        item_id, version = _identity(item["type"], result.claims)
        if item_id != item["id"] or version != item["version"]:
            return Verified(
                False,
                result.originator,
                result.issuer,
                error=f"token speaks for {item_id} v{version}, not {item['id']} v{item['version']}",
            )
    return result


def _last_seq(path: Path) -> int:
    """The last seq stored in `path`; a torn last line (a crash mid-write) is cut off."""
    if not path.exists():
        return 0
    last = 0
    good_bytes = 0
    with path.open("rb") as lines:
        for line in lines:
            if not line.endswith(b"\n"):
                break  # torn: written without its newline
            if line.strip():
                try:
                    last = max(last, int(orjson.loads(line)["seq"]))
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                    break
            good_bytes += len(line)
    if good_bytes != path.stat().st_size:
        with path.open("r+b") as torn:
            torn.truncate(good_bytes)
    return last


def feed_pages(
    *, hub: str, session: requests.Session, after: str | None, limit: int, timeout: float
) -> Iterator[dict[str, Any]]:
    """Every page of the feed after `after`, until `more` is false.

    The next page is fetched while the caller handles the current one.
    """

    def fetch(cursor: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["after"] = cursor
        response = session.get(f"{hub}/api/v1/feed/", params=params, timeout=timeout)
        if response.status_code != 200:
            raise SystemExit(f"feed: HTTP {response.status_code}: {response.text[:300]}")
        return orjson.loads(response.content)

    with ThreadPoolExecutor(max_workers=1) as prefetcher:
        page = fetch(after)
        while True:
            upcoming = prefetcher.submit(fetch, page["next"]) if page["more"] else None
            yield page
            if upcoming is None:
                return
            page = upcoming.result()


def line_describe(item: dict[str, Any], result: Verified) -> str:
    withheld = ",".join(item.get("withheld") or []) or "-"
    state = "verified" if result.ok else f"NOT VERIFIED ({result.error})"
    return (
        f"seq={item['seq']} originator={result.originator} kind={item['type']} "
        f"id={item['id']} version={item['version']} {state} withheld={withheld}"
        + (f" undisclosed_fields={result.undisclosed}" if result.undisclosed else "")
    )


def sync(
    *,
    hub: str,
    token: str,
    out: Path,
    limit: int = 1000,
    verify: bool = True,
    timeout: float = 30.0,
    echo: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Append every new feed item to `out` (JSON lines); return counts."""
    hub = hub.rstrip("/")
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    keys = KeyDirectory(hub, session, timeout)
    last = _last_seq(out)
    counts = {"items": 0, "verified": 0, "failed": 0}
    lines: list[bytes] = []
    with out.open("ab") as sink:
        for page in feed_pages(
            hub=hub,
            session=session,
            after=cursor_encode(last) if last else None,
            limit=limit,
            timeout=timeout,
        ):
            for item in page["items"]:
                record = item
                if verify:
                    result = item_check(item, keys)
                    record["verified"] = result.ok
                    record["originator"] = result.originator
                    if not result.ok:
                        record["verification_error"] = result.error
                    counts["verified" if result.ok else "failed"] += 1
                    if echo:
                        echo(line_describe(item, result))
                lines.append(orjson.dumps(record))
                counts["items"] += 1
            if lines:
                sink.write(b"\n".join(lines) + b"\n")
                lines.clear()
            sink.flush()
    return counts


def _headers_read(path: Path) -> dict[str, str]:
    """A JSON object, or raw `Name: value` lines (as captured from the wire)."""
    text = path.read_text(encoding="utf-8")
    try:
        parsed = json.loads(text)
        return {str(k).lower(): str(v) for k, v in parsed.items()}
    except ValueError:
        headers = {}
        for line in text.splitlines():
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        return headers


def webhook_signature_verify(
    *, headers: dict[str, str], body: bytes, jwks: dict[str, Any], tolerance: float | None = None
) -> str | None:
    """None if some `v1a` signature verifies with a hub key, else why not (Standard Webhooks)."""
    headers = {k.lower(): v for k, v in headers.items()}
    webhook_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature", "")
    if not webhook_id or not timestamp or not signatures:
        return "missing webhook-id, webhook-timestamp or webhook-signature"
    if not timestamp.isdigit():
        return "webhook-timestamp is not unix seconds"
    if tolerance is not None and abs(time.time() - int(timestamp)) > tolerance:
        return f"timestamp outside the {tolerance:.0f}s tolerance"
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    public_keys = [
        Ed25519PublicKey.from_public_bytes(
            base64.urlsafe_b64decode(key["x"] + "=" * (-len(key["x"]) % 4))
        )
        for key in jwks.get("keys", [])
        if key.get("kty") == "OKP" and key.get("crv") == "Ed25519"
    ]
    for entry in signatures.split():
        version, _, value = entry.partition(",")
        if version != "v1a":
            continue
        try:
            signature = base64.b64decode(value, validate=True)
        except ValueError:
            continue
        for public_key in public_keys:
            try:
                public_key.verify(signature, signed)
                return None
            except InvalidSignature:
                continue
    return "no v1a signature verifies with the hub's keys"


def verify_webhook(
    *, hub: str, headers_path: Path, body_path: Path, tolerance: float | None, out: TextIO
) -> bool:
    hub = hub.rstrip("/")
    session = requests.Session()
    keys = KeyDirectory(hub, session)
    headers = _headers_read(headers_path)
    body = body_path.read_bytes()
    problem = webhook_signature_verify(
        headers=headers,
        body=body,
        jwks={"keys": list(keys.hub_keys().values())},
        tolerance=tolerance,
    )
    if problem:
        out.write(f"signature: INVALID ({problem})\n")
        return False
    out.write(f"signature: valid (webhook-id {headers['webhook-id']})\n")
    message = json.loads(body)
    data = message.get("data") or {}
    out.write(f"event: {message.get('type')} at {message.get('timestamp')}\n")
    if isinstance(data, dict) and "token" in data and "type" in data:
        result = item_check(data, keys)
        out.write(line_describe(data, result) + "\n")
        return result.ok
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sharing.client", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sync_parser = commands.add_parser("sync", help="sync the feed to a JSON lines file")
    sync_parser.add_argument("--hub", required=True, help="base URL, e.g. https://hub.example")
    sync_parser.add_argument("--token", required=True, help="an API token with the reader role")
    sync_parser.add_argument("--out", required=True, type=Path)
    sync_parser.add_argument("--limit", type=int, default=1000)
    sync_parser.add_argument("--no-verify", action="store_true", help="skip verification")
    sync_parser.add_argument("--quiet", action="store_true", help="print only the summary")
    hook_parser = commands.add_parser("verify-webhook", help="verify a captured webhook")
    hook_parser.add_argument("--hub", required=True)
    hook_parser.add_argument("--headers", required=True, type=Path, help="JSON or raw lines")
    hook_parser.add_argument("--body", required=True, type=Path, help="the raw body bytes")
    hook_parser.add_argument(
        "--tolerance", type=float, default=None, help="max age of webhook-timestamp, seconds"
    )
    args = parser.parse_args(argv)
    if args.command == "sync":
        counts = sync(
            hub=args.hub,
            token=args.token,
            out=args.out,
            limit=args.limit,
            verify=not args.no_verify,
            echo=None if args.quiet else lambda line: sys.stdout.write(line + "\n"),
        )
        sys.stdout.write(
            f"synced items={counts['items']} verified={counts['verified']} "
            f"not_verified={counts['failed']}\n"
        )
        return 1 if counts["failed"] else 0
    ok = verify_webhook(
        hub=args.hub,
        headers_path=args.headers,
        body_path=args.body,
        tolerance=args.tolerance,
        out=sys.stdout,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
