# The production image used by docker-compose.yml: the app, gunicorn, Celery; no embedded servers.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs no database or secrets beyond placeholders; the real ones come at run time.
RUN SECRET_KEY=build DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
RUN useradd --system --home /app isotrack && mkdir -p /data/private && chown isotrack /data/private
USER isotrack
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
