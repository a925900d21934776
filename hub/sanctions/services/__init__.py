"""Writes of the sanctions register: sign, apply and import sanctions updates.

Every change of the register goes through `sanctions_updates_apply`: the HTTP
endpoint, the importers and the tests all hand it signed JWTs (DESIGN 2.2).

List ownership: a list is owned by the sanctions authority that first
published an update to it (the `SanctionsList` row is created then); from then
on only that agency may publish updates to it.
"""

from .apply import (
    LIST_NAME,
    ApplyResult,
    Progress,
    TokenResult,
    sanctions_updates_apply,
)
from .content import (
    content_key,
    countries_of,
    properties_normalised,
    searchable_fields,
    token_digest,
)
from .imports import (
    ImportSummary,
    import_operations,
    sanctions_authority_ensure,
    sanctions_list_import,
)
from .signing import UPDATE_KIND, UPDATE_TYP, sanctions_update_sign, sanctions_updates_sign

__all__ = [
    "LIST_NAME",
    "UPDATE_KIND",
    "UPDATE_TYP",
    "ApplyResult",
    "ImportSummary",
    "Progress",
    "TokenResult",
    "content_key",
    "countries_of",
    "import_operations",
    "properties_normalised",
    "sanctions_authority_ensure",
    "sanctions_list_import",
    "sanctions_update_sign",
    "sanctions_updates_apply",
    "sanctions_updates_sign",
    "searchable_fields",
    "token_digest",
]
