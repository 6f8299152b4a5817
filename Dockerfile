# Linggong app image: slim, non-root. Migrations run as their own one-shot service
# (see docker-compose.yml) before any replica starts, so replicas never race to migrate.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LINGGONG_ENVIRONMENT=production

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin linggong
WORKDIR /app

# Exactly the locked releases, each checked against its hash (`make lock` writes the lock);
# this layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY market ./market
COPY matching ./matching
COPY web ./web
COPY alembic ./alembic
# the project alone: its dependencies are all in the lock, built with the locked setuptools
RUN pip install --no-deps --no-build-isolation -e . && chown -R linggong:linggong /app

USER linggong
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["linggong", "serve", "--host", "0.0.0.0", "--port", "8000"]
