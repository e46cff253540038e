"""The benchmarks' Server-Timing header: off by default, exact when on."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_no_timing_header_unless_switched_on(clinical_staff, client_for):
    assert "Server-Timing" not in client_for(clinical_staff).get("/patients/")


def test_the_timing_header_counts_every_query_of_the_request(clinical_staff, client_for, settings, patient):
    settings.SERVER_TIMING = True
    client = client_for(clinical_staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/patients/{patient.pk}/")
    timing = dict(re.findall(r"(\w+);dur=([\d.]+)", response["Server-Timing"]))
    assert int(float(timing["queries"])) == len(queries)
    assert 0 < float(timing["db"]) <= float(timing["app"])
