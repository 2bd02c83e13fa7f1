"""The uploaded files' storage follows the environment: on disk without ``DAG_S3_BUCKET``,
django-storages' S3 backend with it (read by the settings in a fresh interpreter, as a
deployment reads them; nothing is sent anywhere: the backend is only named)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.STORAGES['default']))"
)


def storages_with(**variables: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DAG_S3_")}
    environ |= {"DJANGO_SETTINGS_MODULE": "dag.settings.test", **variables}
    done = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_files_are_on_disk_without_a_bucket():
    assert storages_with() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_in_the_environment_selects_s3_with_its_options():
    assert storages_with(
        DAG_S3_BUCKET="governance-files",
        DAG_S3_ENDPOINT_URL="https://s3.example.org",
        DAG_S3_REGION="eu-west-2",
        DAG_S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        DAG_S3_SECRET_ACCESS_KEY="not-a-real-secret",
        DAG_S3_LOCATION="dag",
    ) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "governance-files",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "endpoint_url": "https://s3.example.org",
            "region_name": "eu-west-2",
            "access_key": "AKIAEXAMPLE",
            "secret_key": "not-a-real-secret",
            "location": "dag",
        },
    }
    # Keys left out: boto3's own chain (an instance role) finds them.
    assert storages_with(DAG_S3_BUCKET="b")["OPTIONS"] == {
        "bucket_name": "b",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
