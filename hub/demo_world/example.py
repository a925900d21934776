"""Print a freshly signed demo report, ready to POST to /api/v1/reports/.

    python -m hub.demo_world.example [AGENCY] > report.json
    curl -H "Authorization: Token <publisher token of AGENCY>" \\
         -H "Content-Type: application/json" -d @report.json \\
         http://127.0.0.1:8000/api/v1/reports/

The report is a copy of a demo report with a new id, signed as an SD-JWT with
the agency's custodial key (what a partner system does with its own key).
Needs the demo world (./cordon demo, or `python -m hub.demo --seed-only`).
"""

from __future__ import annotations

import json
import os
import sys
import uuid


def example_body(agency_code: str) -> dict[str, str]:
    from agencies.models import Agency
    from hub.reports.signing import report_sign

    from .reports import DEMO_REPORTS

    agency = Agency.objects.get(code=agency_code)
    template = next(
        (demo for demo in DEMO_REPORTS if demo.originator == agency_code), DEMO_REPORTS[0]
    )
    report = template.report_claims(1)
    report["id"] = str(uuid.uuid4())
    report["title"] = f"{report['title']} (example)"
    return {"token": report_sign(agency=agency, claims={"report": report})}


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    agency_code = argv[0] if argv else "DE-CUSTOMS"
    sys.stdout.write(json.dumps(example_body(agency_code)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
