"""Sign-in throttling: too many failures for one username from one address lock it out.

Counted in the cache (Redis when configured, so every web process shares it).
Keyed on username and address together, so an attacker cannot lock a person
out from elsewhere, and on the address alone with a higher limit, so one
address cannot try many usernames.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

ADDRESS_FACTOR = 4  # an address may fail this many times the per-username limit


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"web-login-failures:{digest}"


def _keys(username: str, address: str) -> tuple[str, str]:
    return _key("user", username.strip().lower(), address), _key("address", address)


def login_locked(*, username: str, address: str) -> bool:
    user_key, address_key = _keys(username, address)
    limit = settings.LOGIN_MAX_FAILURES
    return (cache.get(user_key, 0) >= limit) or (
        cache.get(address_key, 0) >= limit * ADDRESS_FACTOR
    )


def login_failure_record(*, username: str, address: str) -> None:
    timeout = settings.LOGIN_LOCKOUT_SECONDS
    counts = []
    for key in _keys(username, address):
        # add() is a no-op when the key exists; incr() then counts atomically.
        cache.add(key, 0, timeout)
        try:
            counts.append(cache.incr(key))
        except ValueError:
            cache.set(key, 1, timeout)
            counts.append(1)
    if counts[0] == settings.LOGIN_MAX_FAILURES:
        logger.warning(
            "web sign-in locked for %r from %s after %d failures", username, address, counts[0]
        )


def login_failures_clear(*, username: str, address: str) -> None:
    user_key, _ = _keys(username, address)
    cache.delete(user_key)
