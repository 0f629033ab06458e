"""The custom string formats of optline's OpenAPI document, for schemathesis.

`phone` (a number in a body) and `e164` (a number in a path) mean a number that is valid for its country's
numbering plan, which no pattern can say. The server checks them with libphonenumber's metadata; the samples
come from the same library's example numbers (written by prepare.ts), so every generated number is one the
server must accept, and a refusal is a real disagreement between the document and the server.
"""

import json
import os

import schemathesis
from hypothesis import strategies as st

with open(os.environ["OPTLINE_PHONE_SAMPLES"], encoding="utf-8") as samples_file:
    _SAMPLES = json.load(samples_file)

_E164 = sorted(sample["e164"] for sample in _SAMPLES)
_WRITTEN = sorted({*_E164, *(sample["international"] for sample in _SAMPLES)})

schemathesis.openapi.format("e164", st.sampled_from(_E164))
schemathesis.openapi.format("phone", st.sampled_from(_WRITTEN))
