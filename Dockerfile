# The boards service under Granian, scripts/web_server.py (used by docker-compose.yml).

# Build stage: mysqlclient compiles against MariaDB Connector/C.
FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config default-libmysqlclient-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /venv \
    && /venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

# Runtime stage: the client library only, no compilers. libmariadb3 carries
# the caching_sha2_password plugin MySQL 8.4 accounts use; MYSQL_SSL_MODE
# (docker-compose.yml sets REQUIRED) gives that plugin its TLS connection.
FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app boards
COPY --from=build /venv /venv
ENV PATH="/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY . .
USER boards
EXPOSE 5000

# Apply pending sql/migrations/ (a no-op on a database made from schema.sql),
# then serve wsgi:app; `exec` replaces the shell, so the server itself gets
# the stop signal and shuts its workers down gracefully. docker-compose.yml
# runs the two as separate services (one migrate for several app processes).
CMD ["sh", "-c", "flask --app app migrate && exec python -m scripts.web_server --bind 0.0.0.0:5000 wsgi:app"]
