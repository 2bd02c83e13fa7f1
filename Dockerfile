# The application image: web (gunicorn), worker and beat all run it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (headline report PDFs) needs Pango and HarfBuzz; the report uses these fonts:
# Liberation and DejaVu for Latin text, Noto for CJK (fonts-noto-cjk), Arabic and Hebrew
# (fonts-noto-core), since people write names and notes in any script.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation2 fonts-noto-cjk fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app app \
    && mkdir -p var/media var/staticfiles \
    && SECRET_KEY=collectstatic-only-not-a-secret \
       DATABASE_URL=postgres://build@localhost/build \
       REDIS_URL=redis://localhost:6379/0 \
       ALLOWED_HOSTS=localhost \
       DJANGO_SETTINGS_MODULE=dag.settings.production \
       python manage.py collectstatic --noinput \
    && chown -R app:app var

USER app
ENV DJANGO_SETTINGS_MODULE=dag.settings.production PORT=8000
EXPOSE 8000
CMD ["gunicorn", "dag.wsgi", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
