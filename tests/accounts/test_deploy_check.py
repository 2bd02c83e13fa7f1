"""Production settings pass ``manage.py check --deploy`` with the login safety in place
(django-axes' own checks included), without needing the compose stack's servers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production(*argv: str, static_root: Path) -> subprocess.CompletedProcess:
    env = {
        # Hashed static names are read at URL loading (the favicon): collected first, as the
        # image does at build; without the compressed copies, which take a minute.
        "STATIC_ROOT": str(static_root),
        "STATIC_COMPRESS": "False",
        # This test process's own variables, less what the browser tests set for themselves
        # (Playwright's sync API needs DJANGO_ALLOW_ASYNC_UNSAFE; a deployment must not).
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "dag.settings.production",
        "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz-production",
        "DATABASE_URL": "postgres://tracker:secret@127.0.0.1:5432/tracker",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "governance.example.org",
    }
    return subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean(tmp_path):
    collected = production("manage.py", "collectstatic", "--noinput", static_root=tmp_path)
    assert collected.returncode == 0, collected.stderr
    checked = production(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", static_root=tmp_path
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_production_throttles_behind_the_proxy_with_a_shared_cache(tmp_path):
    shown = production(
        "-c",
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.TRUSTED_PROXY_COUNT,s.CACHES['default']['BACKEND'],s.AXES_FAILURE_LIMIT,"
        "s.AUTHENTICATION_BACKENDS[0],s.MIDDLEWARE[-1])",
        static_root=tmp_path,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == [
        "1",
        "django.core.cache.backends.redis.RedisCache",
        "5",
        "core.auth.LoginThrottleBackend",
        "axes.middleware.AxesMiddleware",
    ]
