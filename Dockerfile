# syntax=docker/dockerfile:1
#
# job-offers container image.
#
#   docker build -t job-offers .
#   docker run --rm -p 5000:5000 \
#     -e DATABASE_URL=postgres://offers:offers@db:5432/offers \
#     -e ROCKET_JWT_SECRET="$(openssl rand -hex 32)" \
#     -e ROCKET_SECRET_KEY="$(openssl rand -base64 32)" \
#     job-offers
#
# Stages:
#   chef     - Rust toolchain + cargo-chef
#   planner  - computes the dependency "recipe" from Cargo.toml/Cargo.lock
#   builder  - builds only the dependencies (cached layer, invalidated only when
#              the recipe changes), then the application itself
#   runtime  - debian:bookworm-slim with the binary, templates/, static/ and
#              Rocket.toml, running as an unprivileged user (UID/GID 10001)
#
# Versions are pinned here; bump them deliberately.

ARG RUST_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

############################################################################
FROM ${RUST_IMAGE} AS chef
ARG CARGO_CHEF_VERSION=0.1.73
RUN cargo install cargo-chef --locked --version "${CARGO_CHEF_VERSION}" \
    && rm -rf "${CARGO_HOME}/registry"
WORKDIR /app

############################################################################
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

############################################################################
FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
# Dependencies only: this layer is reused as long as Cargo.toml/Cargo.lock
# (i.e. the recipe) do not change.
RUN cargo chef cook --release --locked --recipe-path recipe.json
# The application itself. Migrations are embedded by sqlx::migrate!, so the
# migrations/ directory is only needed at build time.
COPY . .
RUN cargo build --release --locked --bin job-offers \
    && cp target/release/job-offers /usr/local/bin/job-offers

############################################################################
FROM ${RUNTIME_IMAGE} AS runtime

# Runtime packages: ca-certificates for outbound TLS (e.g. Sentry), curl for
# the HEALTHCHECK. The upstream version is pinned and the Debian revision is
# left to float (glob) so bookworm security updates still apply and the build
# does not break when the archive drops a superseded revision.
# hadolint reads the '=' as a pin (DL3008 satisfied).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        'ca-certificates=20250419~deb12u*' \
        'curl=7.88.1-10+deb12u*' \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app \
        --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app
COPY --from=builder --chown=root:root /usr/local/bin/job-offers /usr/local/bin/job-offers
COPY --chown=root:root Rocket.toml ./Rocket.toml
COPY --chown=root:root templates/ ./templates/
COPY --chown=root:root static/ ./static/

# Non-secret defaults. Secrets (ROCKET_JWT_SECRET, ROCKET_SECRET_KEY,
# DATABASE_URL, SENTRY_DSN) are supplied at run time, never baked in.
# ROCKET_TOKEN_TTL_HOURS keeps the application's default (24); set it at run
# time to change it.
ENV ROCKET_PROFILE=release \
    ROCKET_ADDRESS=0.0.0.0 \
    ROCKET_PORT=5000 \
    ROCKET_LOG_FORMAT=json \
    ROCKET_LOG_LEVEL=critical

# The application files are owned by root (the app user can read but not
# modify them), and nothing is written at run time: the container also works
# with a read-only root filesystem (the Helm chart mounts an emptyDir on /tmp).
USER 10001:10001

EXPOSE 5000

# Liveness only (/healthz): the process serves. Readiness (/readyz, DB
# reachable) is for orchestrators that route traffic, see chart/.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/bin/sh", "-c", "curl -fsS --max-time 2 \"http://127.0.0.1:${ROCKET_PORT}/healthz\" || exit 1"]

# Rocket handles SIGTERM gracefully (shutdown.grace + mercy = 10 s).
STOPSIGNAL SIGTERM

ENTRYPOINT ["/usr/local/bin/job-offers"]
