"""Settings for a developer's machine: `manage.py` defaults to these."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
