"""`/taxii2/`: the TAXII 2.1 server, with the hub's collections (included by config/urls.py)."""

from django.conf import settings

from sharing.taxii.server import TaxiiServer

from .collections import COLLECTIONS

API_ROOT = "cordon"

server = TaxiiServer(
    title="Cordon TAXII 2.1",
    description="Signed suspicious-activity reports and sanctions updates, "
    "filtered per caller by its agency's sharing agreements.",
    root=API_ROOT,
    root_title="Cordon",
    root_description="Reports and sanctions updates delivered to, or originated by, "
    "the calling agency.",
    collections=COLLECTIONS,
    max_content_length=settings.API_MAX_BODY_BYTES,
)

urlpatterns = server.urls()
