"""Property: any one-character change to a signed report is refused, or changes nothing.

A change may only be accepted when it decodes to the same signed bytes (the
unused low bits of a base64url signature's last character); then the claims
are exactly the original ones. Never a server error, never other content.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.errors import CordonError
from hub.reports.sdjwt import report_token_verify
from tests.hub.reports.conftest import report_claims, sd_jwt_sign

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~."


@pytest.fixture
def signed(originator, custodial_key):
    token = sd_jwt_sign(key=custodial_key, report=report_claims())
    return token, report_token_verify(token=token, caller=originator).claims


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    position=st.floats(min_value=0, max_value=1, exclude_max=True),
    replacement=st.sampled_from(ALPHABET),
)
def test_one_character_change_is_refused_or_harmless(originator, signed, position, replacement):
    token, claims = signed
    index = int(position * len(token))
    if token[index] == replacement:
        return
    mutated = token[:index] + replacement + token[index + 1 :]

    refused_with = None
    try:
        verified = report_token_verify(token=mutated, caller=originator)
    except CordonError as error:
        refused_with = error.status

    if refused_with is not None:
        assert refused_with in (400, 403, 422)
    else:
        assert verified.claims == claims
