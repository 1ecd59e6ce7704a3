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
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SUPPLYGRAPH_DATA_DIR=/var/lib/supplygraph SUPPLYGRAPH_HOST=0.0.0.0 SUPPLYGRAPH_PORT=8000
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir --no-index --find-links=/wheels supplygraph \
 && rm -rf /wheels \
 && useradd --system --uid 10001 --home-dir /var/lib/supplygraph --create-home supplygraph
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
# Inside a container the API must listen on all interfaces; publish it on 127.0.0.1 only
# (docker-compose.yml) or behind a load balancer.
CMD ["supplygraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
