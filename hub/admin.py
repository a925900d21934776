"""Admin registrations of the hub, one module per area (Django looks for `hub.admin`)."""

from hub.sanctions import admin as sanctions_admin  # noqa: F401
