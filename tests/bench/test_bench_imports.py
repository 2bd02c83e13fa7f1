"""``bench --only imports``: one import measured in this process, and the section accepted
by the run's flags (the subprocesses and the tables are the harness's, tested elsewhere)."""

from __future__ import annotations

import pytest

from bench.measure_imports import one
from bench.run import _parse_args
from meetings.models import Meeting


@pytest.mark.django_db
def test_one_import_is_timed_and_measured_and_leaves_the_database_fresh():
    figures = one("txt")
    assert figures["reports"] == 1
    assert figures["seconds"] > 0
    assert figures["rss_peak_mb"] >= figures["rss_before_mb"] > 0
    assert not Meeting.objects.exists()  # rolled back: the next run starts fresh


def test_imports_is_a_section_of_its_own():
    _, sections = _parse_args(["--only", "imports", "--out", "results.json"])
    assert sections == ["imports"]
