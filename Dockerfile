# Concurso Coach API image: `docker build -t concurso-coach .`
#
# Written for the classic builder as well as BuildKit, because CI builds it on
# Debian's engine without BuildKit: no `# syntax=` line, no `RUN --mount`, and
# uv comes from PyPI rather than `COPY --from` a registry image.

# --- build: resolve the locked dependencies, then install the project ---------
FROM python:3.11-slim-bookworm AS build

# Bytecode is compiled here so the read-only runtime never writes __pycache__.
# No uv cache: a layer holds only what the image needs (no cache mounts, which
# the classic builder lacks), and copying avoids hardlinks into a dropped cache.
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON=python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv

# Pinned so that a rebuild of the same lock file resolves the same way.
RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /src

# Dependencies alone first: this layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# hatchling reads README.md for the package metadata.
COPY README.md ./
COPY src ./src

# Non-editable, so the runtime needs the venv only and no source tree.
RUN uv sync --frozen --no-dev --no-editable

# --- runtime: the venv on a clean slim base, no compilers, no uv, no pip use ---
FROM python:3.11-slim-bookworm AS runtime

# A fixed numeric uid lets Kubernetes check runAsNonRoot without a name lookup.
RUN groupadd --system --gid 10001 coach \
    && useradd --system --no-log-init --uid 10001 --gid coach \
       --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin coach

# Owned by root: the service can read its code but never rewrite it.
COPY --from=build /app/.venv /app/.venv

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    LOG_FORMAT=json

WORKDIR /app
USER 10001:10001
EXPOSE 8000

# The slim base has no curl; Python's urllib is the probe. Same numbers as the
# compose healthcheck and the Kubernetes readiness probe.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=3).status == 200 else 1)"]

# Exec form: uvicorn is PID 1, receives SIGTERM itself and drains in-flight
# requests for up to 20 s, inside the 30 s grace that compose and k8s allow.
# Migrations are not run here: they are their own one-shot step. Proxy headers are
# the app's to judge (TRUSTED_PROXIES), so uvicorn must not rewrite the peer first.
CMD ["uvicorn", "--factory", "concurso_coach.app:create_app", \
     "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers", \
     "--no-access-log", "--timeout-graceful-shutdown", "20"]
