"""Hub models, one module per area; import each here so Django finds it."""
from .reports import Report, ReportStatus, ReportVersion, Retraction  # noqa: F401
