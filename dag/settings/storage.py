"""Where uploaded files (papers, packs, report PDFs) are stored: ``STORAGES["default"]``
from the environment.

With ``DAG_S3_BUCKET`` set, django-storages' S3 backend (``storages.backends.s3.S3Storage``;
install the ``s3`` extra: ``pip install .[s3]``) in that bucket, any S3-compatible service:

- ``DAG_S3_ENDPOINT_URL`` (MinIO, Ceph, another provider; AWS when empty),
- ``DAG_S3_REGION``,
- ``DAG_S3_ACCESS_KEY_ID`` and ``DAG_S3_SECRET_ACCESS_KEY`` (when empty, boto3's own chain:
  an instance role, ``AWS_*`` variables),
- ``DAG_S3_LOCATION``, a key prefix inside the bucket.

Files stay private (no public ACL, signed URLs) and are never overwritten (a name taken gets
a suffix): the application serves them to those who may read them. Without the bucket,
files go under ``MEDIA_ROOT`` on disk.
"""

from __future__ import annotations

from typing import Any

S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"

# The S3Storage option each variable sets, when it is not empty.
_S3_OPTIONS = {
    "DAG_S3_ENDPOINT_URL": "endpoint_url",
    "DAG_S3_REGION": "region_name",
    "DAG_S3_ACCESS_KEY_ID": "access_key",
    "DAG_S3_SECRET_ACCESS_KEY": "secret_key",
    "DAG_S3_LOCATION": "location",
}


def default_storage(env: Any) -> dict[str, Any]:
    """``STORAGES["default"]`` as the environment ``env`` (django-environ) says."""
    bucket = env("DAG_S3_BUCKET", default="")
    if not bucket:
        return {"BACKEND": FILESYSTEM_BACKEND}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    for variable, option in _S3_OPTIONS.items():
        value = env(variable, default="")
        if value:
            options[option] = value
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
