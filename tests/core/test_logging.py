"""Each log line is written once: Django's "django" logger has no handler of its own beside
the root's console (``LOGGING`` in dag/settings/base.py), in the local settings (DEBUG on,
where Django's default adds one) as in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = (
    "import django, logging; django.setup();"
    "logging.getLogger('django.request').warning('probe-request');"
    "logging.getLogger('django.security.csrf').warning('probe-csrf');"
    "logging.getLogger('meetings.people_services').info('probe-app')"
)


@pytest.mark.parametrize("debug", ["True", "False"])
def test_each_log_line_is_written_once(debug):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "dag.settings.local",
        "DEBUG": debug,
    }
    ran = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    output = ran.stdout + ran.stderr
    for probe in ("probe-request", "probe-csrf", "probe-app"):
        assert output.count(probe) == 1, output
