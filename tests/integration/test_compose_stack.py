"""The compose stack's processes, started with docker-compose.yml's own commands and
environment: gunicorn (web), the Celery worker and beat, on PostgreSQL and Redis.

Docker itself is not needed: the file is parsed, and each service's command is run here with
its environment (from the file and .env.example, with this machine's database, broker and a
file email backend). The stack answers /health/, serves static files through whitenoise, and
a reminder scheduled in the database goes from beat through Redis and the worker to an email,
once, however often beat fires.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, compose_services, emails_in, env_example, free_port, text_of, wait_for

pytestmark = pytest.mark.integration

APP_SERVICES = ("migrate", "web", "worker", "beat")
TASK_DONE = re.compile(r"Task actions\.reminders_send\[[^\]]+\] succeeded")


def test_compose_file_runs_one_image_with_health_checks_and_volumes():
    services = compose_services()
    assert set(services) == {"postgres", "redis", "proxy", *APP_SERVICES}
    # Only the proxy is published; gunicorn is reached through it (test_compose_proxy.py).
    assert services["proxy"]["ports"] == ["8000:8080"]
    assert "ports" not in services["web"]
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"] == "."
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "dag.settings.production"
        assert service["env_file"] == ".env"
        assert "media:/app/var/media" in service["volumes"]
    for name in ("postgres", "redis", "proxy", "web", "worker", "beat"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "redis": {"condition": "service_healthy"},
        }
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    import yaml

    volumes = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["volumes"]
    assert set(volumes) == {"pgdata", "redisdata", "media"}
    # Every variable the settings read is documented in .env.example.
    documented = set(env_example()) | set(
        re.findall(r"^# ([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    for variable in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "EMAIL_URL",
                     "SITE_URL", "DEFAULT_FROM_EMAIL", "POSTGRES_PASSWORD"):  # fmt: skip
        assert variable in documented, variable


def _get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own server)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_compose_processes_serve_health_and_static_and_send_a_scheduled_reminder(stack):
    # Production settings pass the deployment checks with this environment.
    checked = stack.run(["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert "no issues" in checked.stdout
    # The image collects static files at build time, as the stack fixture did.
    assert "collectstatic --noinput" in (ROOT / "Dockerfile").read_text()
    smoke = stack.scenario("smoke")

    port = free_port()
    stack.env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{port}"
    stack.env["SITE_URL"] = f"http://127.0.0.1:{port}"
    for name in ("web", "worker", "beat"):
        stack.start(name)
    base = f"http://127.0.0.1:{port}"

    status, _, body = wait_for(
        lambda: (r := _get(f"{base}/health/"))[0] == 200 and r,
        timeout=45,
        what="/health/ to answer 200",
        logs=stack.logs,
    )
    assert json.loads(body) == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}

    # Plain HTTP elsewhere is sent to HTTPS; behind the proxy, whitenoise serves static files
    # under their hashed names with a far-future cache header.
    status, headers, _ = _get(f"{base}/accounts/login/")
    assert status == 301
    assert headers["Location"].startswith("https://")
    manifest = json.loads((Path(stack.env["STATIC_ROOT"]) / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/app.css"]
    status, headers, css = _get(f"{base}/static/{hashed}", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert css == (ROOT / "static" / "css" / "app.css").read_bytes()
    assert "immutable" in headers["Cache-Control"]

    # Beat fires the reminder task every second; Sam Smoke gets one email, once.
    def sam_emails():
        return [m for m in emails_in(stack.mail_dir) if "sam.smoke@example.org" in m["To"]]

    wait_for(sam_emails, timeout=60, what="the scheduled reminder email", logs=stack.logs)
    worker = next(p for p in stack.processes if p.name == "worker")
    wait_for(
        lambda: len(TASK_DONE.findall(worker.log())) >= 3,
        timeout=30,
        what="beat to fire the reminder task three times",
        logs=stack.logs,
    )
    [email] = sam_emails()
    assert email["Subject"] == "Action reminder: 1 due soon"
    body = text_of(email)
    assert smoke["ref"] in body
    assert f"http://127.0.0.1:{port}/actions/{smoke['ref']}/" in body
    assert "due in 3 days" in body
    beat = next(p for p in stack.processes if p.name == "beat")
    assert "Sending due task Smoke test reminders (actions.reminders_send)" in beat.log()
