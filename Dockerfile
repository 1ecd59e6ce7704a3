# The API service. Neo4j runs beside it (docker-compose.yml), so NEO4J_URI is required here.
# Multi-stage: build wheels with the pinned lock, run as a non-root user.
FROM python:3.11.14-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY supplygraph ./supplygraph
COPY schema ./schema
COPY resolvers ./resolvers
COPY graph ./graph
COPY auth ./auth
COPY seeds ./seeds
RUN python -m pip install --no-cache-dir --upgrade pip==26.3 \
 && python -m pip wheel --no-cache-dir -c requirements.lock -w /wheels .

FROM python:3.11.14-slim-bookworm
# SUPPLYGRAPH_WORKERS: API processes in the container (`serve --workers`), e.g. one per core.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SUPPLYGRAPH_DATA_DIR=/var/lib/supplygraph SUPPLYGRAPH_HOST=0.0.0.0 SUPPLYGRAPH_PORT=8000 \
    SUPPLYGRAPH_WORKERS=1
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir --no-index --find-links=/wheels supplygraph \
 && rm -rf /wheels \
 && useradd --system --uid 10001 --home-dir /var/lib/supplygraph --create-home supplygraph
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
# SIGTERM (docker stop) drains: requests in flight finish within
# SUPPLYGRAPH_SHUTDOWN_GRACE_SECONDS, then the process exits 0; give `docker stop` a timeout
# above that plus the outbox worker's webhook timeout (docs/operations.md, 45 s by default).
STOPSIGNAL SIGTERM
# Inside a container the API must listen on all interfaces; publish it on 127.0.0.1 only
# (docker-compose.yml) or behind a load balancer. The worker count comes from
# SUPPLYGRAPH_WORKERS; the exec form makes `supplygraph` PID 1, so it receives the signal.
CMD ["supplygraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
