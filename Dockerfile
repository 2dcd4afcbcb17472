# syntax=docker/dockerfile:1
# glowcloud: a static binary on a minimal, non-root base image.
#   docker build -t glowcloud .
#   docker run --rm -e DISCORD_TOKEN=... glowcloud            # the bot (serve)
#   docker run --rm glowcloud manifesto -topic robots         # any other command

# The toolchain go.mod's go line names, exactly: the image builds with what CI tests.
FROM golang:1.26.8 AS build
WORKDIR /src
# Modules first: this layer is cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.buildVersion=${VERSION}" -o /out/glowcloud ./cmd/glowcloud
# The image's volume, owned by the non-root user (distroless "nonroot" is 65532).
RUN mkdir -p /out/data/corpus && chown -R 65532:65532 /out/data

# distroless/static: CA certificates, tzdata, /etc/passwd with "nonroot", no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/glowcloud /usr/local/bin/glowcloud
COPY --from=build --chown=65532:65532 /out/data /data
USER nonroot:nonroot
WORKDIR /data
# Models, corpora and the database live here: GLOWCLOUD_MODEL=/data/glowcloud.model,
# GLOWCLOUD_CORPUS_DIR=/data/corpus (an empty model path serves the embedded essay),
# GLOWCLOUD_DATABASE=/data/glowcloud.db (SQLite, in WAL mode: keep the volume on a local disk).
VOLUME ["/data"]
ENV GLOWCLOUD_HTTP_ADDR=0.0.0.0:8080 \
    GLOWCLOUD_CORPUS_DIR=/data/corpus \
    GLOWCLOUD_DATABASE=/data/glowcloud.db \
    GLOWCLOUD_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["glowcloud", "healthcheck"]
ENTRYPOINT ["glowcloud"]
CMD ["serve"]
