"""The Celery app. With REDIS_URL set tasks go through Redis; otherwise they run in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dag.settings.local")

app = Celery("dag")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
