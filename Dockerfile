# Experimentierraum in one image: JupyterLab, the MLflow server, the `sandbox` package,
# its content folders (notebooks, templates, example experiments, profiles, reference
# data) and the default synthetic dataset (musterstadt, seed 42).
#
#   docker build -t experimentierraum .
#   docker run --rm -p 127.0.0.1:8888:8888 -e JUPYTER_TOKEN=... experimentierraum   # JupyterLab
#   docker run ... experimentierraum tracking                                       # MLflow server
#
# Runs as the unprivileged user `lab` (uid 1000); the workspace is /home/lab/work
# (mount a volume there to keep work across restarts). No secret is baked in: the
# JupyterLab token and database passwords come from the environment at run time.
ARG BASE_IMAGE=python:3.11-slim-bookworm

# The dependency list alone, so that the dependency layer below is rebuilt only when the
# dependencies change, not on every other edit of pyproject.toml.
FROM ${BASE_IMAGE} AS requirements
COPY pyproject.toml /tmp/pyproject.toml
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt

FROM ${BASE_IMAGE}

ARG UID=1000
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    SANDBOX_APP=/opt/experimentierraum \
    SANDBOX_HOME=/home/lab/work \
    SHELL=/bin/bash

RUN groupadd --gid "$UID" lab \
 && useradd --uid "$UID" --gid lab --create-home --shell /bin/bash lab \
 && python3 -m venv "$VIRTUAL_ENV"

# Dependencies first: this layer changes only with the dependency list. Where PyPI is reached
# only with the host's CA bundle (CI), the build mounts it and names it in the CI-only argument
# PIP_CERT_FILE (see .ci/engine.sh); no layer keeps it. No BuildKit feature is needed, so
# docker-compose 1.29's classic builder builds this file too.
ARG PIP_CERT_FILE=""
COPY --from=requirements /tmp/requirements.txt /tmp/requirements.txt
RUN if [ -n "$PIP_CERT_FILE" ]; then export PIP_CERT="$PIP_CERT_FILE"; fi \
 && pip install --quiet --upgrade pip 'setuptools>=68' wheel \
 && pip install --quiet -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The package (no dependency resolution, no network) and the content folders.
COPY pyproject.toml README.md $SANDBOX_APP/
COPY sandbox $SANDBOX_APP/sandbox
RUN pip install --quiet --no-deps --no-build-isolation "$SANDBOX_APP" \
 && rm -rf "$SANDBOX_APP/build" "$SANDBOX_APP"/*.egg-info
COPY synthetic_data/profiles $SANDBOX_APP/workspace/synthetic_data/profiles
COPY synthetic_data/reference $SANDBOX_APP/workspace/synthetic_data/reference
COPY templates $SANDBOX_APP/workspace/templates
COPY experiments $SANDBOX_APP/workspace/experiments
COPY notebooks $SANDBOX_APP/workspace/notebooks

# The default dataset, generated once at build time (deterministic: same files every build).
RUN SANDBOX_HOME="$SANDBOX_APP/workspace" sandbox data generate >/dev/null \
 && chmod -R a+rX "$SANDBOX_APP" \
 && mkdir -p "$SANDBOX_HOME" /home/lab/mlflow \
 && chown lab:lab "$SANDBOX_HOME" /home/lab/mlflow

LABEL org.opencontainers.image.title="Experimentierraum" \
      org.opencontainers.image.description="Sandbox für kommunale Innovationslabore: synthetische Daten, JupyterLab, MLflow" \
      org.opencontainers.image.licenses="MIT"

USER lab
WORKDIR /home/lab/work
EXPOSE 8888 5000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "sandbox.services.entrypoint", "health"]
ENTRYPOINT ["python", "-m", "sandbox.services.entrypoint"]
CMD ["lab"]
