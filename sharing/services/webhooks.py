"""Webhook endpoints and the sending of one delivery (Standard Webhooks, `v1a`).

Each request carries `webhook-id` (the delivery's, the same on every retry),
`webhook-timestamp` (unix seconds of this attempt) and
`webhook-signature: v1a,<base64 Ed25519 signature over "id.timestamp.body">`
made with the hub's key published at /.well-known/jwks.json. The body is
`{"type": <event>, "timestamp": <ISO 8601>, "data": <feed item>}`.

A worker claims a delivery with a compare-and-set on its state, so a task run
twice (a duplicate message, the sweeper and the on-commit hint racing) sends
at most once per attempt.
"""

import base64
import ipaddress
import json
import logging
import random
import socket
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from agencies.audit import audit_record
from agencies.errors import Refused
from agencies.models import Agency
from agencies.services import Actor
from sharing.feed import feed_item
from sharing.items import EVENTS
from sharing.models import Delivery, DeliveryState, WebhookAttempt, WebhookEndpoint
from sharing.services.hub_key import hub_sign_bytes

logger = logging.getLogger(__name__)

# About 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then daily while under 72 h in all.
DEFAULT_RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 86400, 86400)
RETRY_JITTER = 0.1  # +/- 10 %
MAX_RETRY_AFTER = 86400
USER_AGENT = "Cordon-Webhooks/1"


class TargetRefused(Exception):
    """The endpoint resolves to an address the hub may not call."""


class TargetUnresolved(TargetRefused):
    """The endpoint's host name does not resolve."""


def retry_schedule() -> tuple[float, ...]:
    return tuple(getattr(settings, "DELIVERY_RETRY_SCHEDULE", DEFAULT_RETRY_SCHEDULE))


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class Target:
    """Where a webhook URL points: the checked address the request will connect to."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def target_resolve(url: str) -> Target:
    """Resolve the URL's host once and check every address it resolves to.

    Refuses URLs that are not http(s), and hosts resolving to loopback,
    private, link-local, reserved or multicast addresses unless
    WEBHOOK_ALLOW_PRIVATE_TARGETS is set. The request then connects to the
    checked address itself, so a DNS answer that changes in between (DNS
    rebinding) cannot send it elsewhere.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("the URL must be http(s) with a host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise TargetUnresolved(f"{parts.hostname} does not resolve") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            if not _address_allowed(address):
                raise TargetRefused(f"{parts.hostname} resolves to a non-public address {address}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, addresses[0], path)


def target_check(url: str) -> None:
    """The registration-time check: like `target_resolve`, but a name that does not
    resolve (yet: a partner may register before its DNS is live, or from a closed
    network) is accepted; every send resolves and checks it again."""
    with suppress(TargetUnresolved):
        target_resolve(url)


def webhook_endpoint_register(
    *, agency: Agency, url: str, events: list[str], actor: Actor
) -> WebhookEndpoint:
    """Register the agency's webhook endpoint, replacing its current one."""
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise Refused(
            f"Unknown events: {', '.join(unknown)}.",
            code="unknown_event",
            details={"unknown": unknown, "known": list(EVENTS)},
        )
    try:
        target_check(url)
    except TargetRefused as exc:
        raise Refused(f"The webhook URL is refused: {exc}.", code="webhook_target_refused") from exc
    now = timezone.now()
    with transaction.atomic():
        replaced = list(
            WebhookEndpoint.objects.select_for_update()
            .filter(agency=agency, disabled_at__isnull=True)
            .values_list("pk", flat=True)
        )
        WebhookEndpoint.objects.filter(pk__in=replaced).update(
            disabled_at=now, disabled_reason="replaced"
        )
        endpoint = WebhookEndpoint.objects.create(
            agency=agency, url=url, events=sorted(set(events))
        )
        audit_record(
            actor=actor.label,
            agency=agency.code,
            action="webhook.register",
            object_type="webhook_endpoint",
            object_id=str(endpoint.pk),
            before={"replaced": replaced} if replaced else None,
            after={"url": url, "events": endpoint.events},
        )
    return endpoint


def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, actor: Actor) -> None:
    with transaction.atomic():
        updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(
            disabled_at=timezone.now(), disabled_reason=reason[:200]
        )
        if updated:
            audit_record(
                actor=actor.label,
                agency=endpoint.agency.code,
                action="webhook.disable",
                object_type="webhook_endpoint",
                object_id=str(endpoint.pk),
                after={"reason": reason},
            )
            # Nothing will take these any more; they stay in the feed.
            Delivery.objects.filter(
                recipient_id=endpoint.agency_id,
                state__in=(DeliveryState.PENDING, DeliveryState.FAILED),
            ).update(state=DeliveryState.DEAD, last_error=f"endpoint disabled: {reason}"[:500])


def signature_header(*, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1a," + base64.b64encode(hub_sign_bytes(signed)).decode()


def webhook_body(delivery: Delivery) -> bytes:
    data = delivery.payload if delivery.seq is None else feed_item(delivery)
    body = {
        "type": delivery.event,
        "timestamp": delivery.created_at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - timezone.now()).total_seconds())


def next_delay(*, attempts: int, retry_after: float | None) -> float | None:
    """Seconds until the next attempt after `attempts` failed ones; None: give up."""
    schedule = retry_schedule()
    if attempts > len(schedule):
        return None
    base = float(schedule[attempts - 1])
    delay = base * random.uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


@contextmanager
def _bookkeeping() -> Iterator[None]:
    """A transaction for a delivery's state changes, committed without waiting for the disk.

    Losing the last such commits in a database crash only means an attempt is
    made again, with the same webhook-id: the at-least-once promise holds, and
    each delivery costs fewer fsyncs.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def delivery_claim(*, delivery_id: int) -> Delivery | None:
    """Claim a due delivery (compare-and-set). None if another worker has it or it is not due."""
    now = timezone.now()
    with _bookkeeping():
        claimed = Delivery.objects.filter(
            pk=delivery_id,
            state__in=(DeliveryState.PENDING, DeliveryState.FAILED),
            next_attempt_at__lte=now,
        ).update(state=DeliveryState.IN_FLIGHT, claimed_at=now, attempts=F("attempts") + 1)
        if not claimed:
            return None
        return Delivery.objects.select_related("recipient", "agreement").get(pk=delivery_id)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    text: str


def _post(endpoint: WebhookEndpoint, delivery: Delivery) -> Answer:
    target = target_resolve(endpoint.url)
    body = webhook_body(delivery)
    timestamp = int(time.time())
    default_port = 443 if target.scheme == "https" else 80
    headers = {
        "host": target.host if target.port == default_port else f"{target.host}:{target.port}",
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            webhook_id=delivery.webhook_id, timestamp=timestamp, body=body
        ),
    }
    timeout = urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT_SECONDS)
    if target.scheme == "https":
        # Connect to the checked address; TLS still verifies the certificate for the host name.
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            timeout=timeout,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            target.address, target.port, timeout=timeout, retries=False
        )
    with pool:
        response = pool.urlopen(
            "POST", target.path, body=body, headers=headers, redirect=False, retries=False
        )
        return Answer(
            response.status, response.headers, response.data[:1000].decode("utf-8", "replace")
        )


def _finish(
    delivery: Delivery,
    claimed_at: datetime | None,
    attempt: WebhookAttempt | None = None,
    **fields: Any,
) -> bool:
    """Log the attempt and record the outcome, the latter only if our claim still holds
    (the sweeper may have released it as stale)."""
    with _bookkeeping():
        if attempt is not None:
            attempt.save()
        return bool(
            Delivery.objects.filter(
                pk=delivery.pk, state=DeliveryState.IN_FLIGHT, claimed_at=claimed_at
            ).update(**fields)
        )


def delivery_attempt(*, delivery_id: int) -> str:
    """Make one webhook attempt for the delivery if it is due; return what happened."""
    delivery = delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return "not_claimed"
    endpoint = WebhookEndpoint.objects.filter(
        agency_id=delivery.recipient_id, disabled_at__isnull=True
    ).first()
    if endpoint is None or not endpoint.wants(delivery.event):
        # The endpoint went away; the item is still in the feed.
        _finish(
            delivery,
            delivery.claimed_at,
            state=DeliveryState.DEAD,
            last_error="no active webhook endpoint for this event",
        )
        return "no_endpoint"
    started = timezone.now()
    status_code: int | None = None
    retry_after: float | None = None
    error = ""
    try:
        answer = _post(endpoint, delivery)
        status_code = answer.status
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {answer.text[:200]}"
            retry_after = _retry_after(answer.headers)
    except TargetRefused as exc:
        error = f"target refused: {exc}"
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    attempt = WebhookAttempt(
        delivery=delivery,
        endpoint=endpoint,
        number=delivery.attempts,
        started_at=started,
        duration_ms=int((timezone.now() - started).total_seconds() * 1000),
        status_code=status_code,
        error=error,
    )
    if not error:
        _finish(
            delivery,
            delivery.claimed_at,
            attempt,
            state=DeliveryState.DELIVERED,
            delivered_at=timezone.now(),
            last_error="",
        )
        return "delivered"
    if status_code == 410:
        _finish(delivery, delivery.claimed_at, attempt, state=DeliveryState.DEAD, last_error=error)
        webhook_endpoint_disable(
            endpoint=endpoint, reason="HTTP 410 Gone from the endpoint", actor=Actor.system()
        )
        return "gone"
    delay = next_delay(attempts=delivery.attempts, retry_after=retry_after)
    if delay is None:
        _finish(delivery, delivery.claimed_at, attempt, state=DeliveryState.DEAD, last_error=error)
        logger.warning("delivery %s dead after %d attempts", delivery.pk, delivery.attempts)
        return "dead"
    next_at = timezone.now() + timedelta(seconds=delay)
    _finish(
        delivery,
        delivery.claimed_at,
        attempt,
        state=DeliveryState.FAILED,
        next_attempt_at=next_at,
        last_error=error,
        enqueued_at=None,
    )
    _retry_enqueue(delivery.pk, delay)
    return "retry"


def _retry_enqueue(delivery_id: int, delay: float) -> None:
    """Short waits ride a broker countdown; long ones wait in next_attempt_at for the sweeper."""
    if delay > getattr(settings, "DELIVERY_COUNTDOWN_MAX_SECONDS", 60):
        return
    from sharing import tasks

    try:
        tasks.delivery_send.apply_async((delivery_id,), countdown=delay)
        Delivery.objects.filter(pk=delivery_id).update(enqueued_at=timezone.now())
    except Exception:
        logger.exception("could not enqueue the retry of %s; the sweeper will", delivery_id)


def deliveries_due(*, limit: int = 1000) -> list[int]:
    """Deliveries the sweeper should (re-)enqueue.

    Due and waiting, and not hinted recently (a hint may still be in the queue);
    or in flight with a claim so old its worker must have died. Stale claims are
    released with a compare-and-set first, so only one sweeper re-enqueues them.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=getattr(settings, "DELIVERY_CLAIM_STALE_SECONDS", 120))
    for delivery_id, claimed_at in Delivery.objects.filter(
        state=DeliveryState.IN_FLIGHT, claimed_at__lt=stale
    ).values_list("pk", "claimed_at")[:limit]:
        Delivery.objects.filter(
            pk=delivery_id, state=DeliveryState.IN_FLIGHT, claimed_at=claimed_at
        ).update(
            state=DeliveryState.FAILED,
            next_attempt_at=now,
            enqueued_at=None,
            last_error="worker lost during the attempt",
        )
    hinted_before = now - timedelta(
        seconds=getattr(settings, "DELIVERY_REENQUEUE_AFTER_SECONDS", 60)
    )
    return list(
        Delivery.objects.filter(
            state__in=(DeliveryState.PENDING, DeliveryState.FAILED), next_attempt_at__lte=now
        )
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=hinted_before))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
