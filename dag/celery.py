"""The Celery app (``celery -A dag worker`` / ``celery -A dag beat``).

Configured from Django settings (``CELERY_*``, see ``dag.settings.base``): with ``REDIS_URL``
set, tasks go through Redis to a worker; without it they run in-process (eager), so the
development server needs no broker. Beat reads its schedule from the database
(django-celery-beat's DatabaseScheduler): the defaults are installed by a migration and the
PMO edits them in the admin under "Periodic tasks".
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dag.settings.local")

app = Celery("dag")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Keep retrying the broker at start-up (compose starts the worker as Redis comes up); this is
# Celery 6's default, stated to silence its deprecation warning.
app.conf.broker_connection_retry_on_startup = True
app.autodiscover_tasks()
