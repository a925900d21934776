"""The feed cursor format, without Django, shared by the feed and the partner client.

Partners treat cursors as opaque; the reference client also builds one from
the last `seq` it stored, to resume a sync from its output file.
"""

import base64
import binascii

CURSOR_PREFIX = "cdnfeed1:"


class CursorError(ValueError):
    pass


def cursor_encode(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorError("not a feed cursor") from exc
    number = raw[len(CURSOR_PREFIX) :]
    if not raw.startswith(CURSOR_PREFIX) or not number.isdigit() or len(number) > 18:
        raise CursorError("not a feed cursor")
    return int(number)
