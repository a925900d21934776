"""Hub models, one module per area; import each here so Django finds it."""

from .reports import Report, ReportStatus, ReportVersion, Retraction  # noqa: F401
from .sanctions import SanctionedEntity, SanctionsChange, SanctionsList, SanctionsUpdate  # noqa: F401
from .screening import HitCloseReason, HitState, ScreeningHit  # noqa: F401
