"""WSGI entry point (gunicorn dag.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dag.settings.production")

application = get_wsgi_application()
