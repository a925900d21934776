"""Template filters of the web UI (loaded with `{% load web %}`)."""

from typing import Any

from django import template

from .red_flags import red_flag_text

register = template.Library()

# FIRST TLP 2.0 definitions, shown next to every badge.
TLP_MEANINGS = {
    "CLEAR": "Disclosure is not limited: recipients may share this with the world.",
    "GREEN": "Limited disclosure: recipients may share this within their community, not publicly.",
    "AMBER": (
        "Limited disclosure: recipients may share this only with their organisation and its "
        "clients, on a need-to-know basis."
    ),
    "AMBER+STRICT": (
        "Limited disclosure: recipients may share this only within their own organisation, "
        "on a need-to-know basis."
    ),
    "RED": "For the eyes of the named recipients only: no further disclosure.",
}


@register.filter
def words(value: Any) -> str:
    """`not_yet_valid` -> `not yet valid`; `internal-use-only` -> `internal use only`."""
    return str(value or "").replace("_", " ").replace("-", " ")


@register.filter
def tlp_meaning(value: Any) -> str:
    return TLP_MEANINGS.get(str(value), "Unknown TLP marking.")


@register.inclusion_tag("web/includes/tlp.html")
def tlp_badge(value: Any, *, explain: bool = False) -> dict[str, Any]:
    return {"tlp": str(value), "meaning": tlp_meaning(value), "explain": explain}


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter(name="red_flag_text")
def red_flag_text_filter(code: Any) -> str:
    return red_flag_text(str(code))


@register.simple_tag
def facet_query(params: Any, key: str, value: Any) -> str:
    """The query string with `key` set to `value`, or removed when it already has it."""
    query = params.copy()
    query.pop("page", None)
    if query.get(key) == str(value):
        query.pop(key, None)
    else:
        query[key] = str(value)
    return "?" + query.urlencode()
