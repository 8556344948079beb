# syntax=docker/dockerfile:1
#
# Argus images: one Dockerfile, two targets that share every layer but the last.
#
#   docker build --target gateway -t argus-gateway .
#   docker build --target worker  -t argus-worker  .
#
# Models: by default the image holds only models/manifest.json and the label files, and the
# worker reads the weights from a volume mounted at /app/models (docker-compose.yml mounts
# ./models after `npm run models`). To bake them in, point the `model-mirror` build context
# at a folder holding the .onnx files (sha256-checked by the installer):
#
#   docker build --target worker --build-arg MODELS=bake \
#     --build-context model-mirror=./models -t argus-worker .
#
# Needs BuildKit (the default builder since Docker 23; `docker compose` always uses it).
# See docs/deploy.md.

# `volume` (weights mounted at run time) or `bake` (weights copied into the image).
ARG MODELS=volume
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- manifests: package.json files only, so `npm ci` layers are rebuilt when dependencies
# change, not on every code change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/client/package.json ./packages/client/
COPY packages/config/package.json ./packages/config/
COPY packages/contracts/package.json ./packages/contracts/
COPY packages/metrics/package.json ./packages/metrics/
COPY packages/model-sources/package.json ./packages/model-sources/
COPY packages/models/package.json ./packages/models/
COPY packages/queue/package.json ./packages/queue/
COPY packages/vision/package.json ./packages/vision/
COPY packages/webhooks/package.json ./packages/webhooks/
COPY apps/gateway/package.json ./apps/gateway/
COPY apps/launcher/package.json ./apps/launcher/
COPY apps/tools/package.json ./apps/tools/
COPY apps/worker/package.json ./apps/worker/

# ---- build: compile TypeScript with the dev dependencies ---------------------------------
FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
COPY models/manifest.json ./models/manifest.json
COPY models/labels ./models/labels
RUN npx tsc -b packages/client apps/gateway apps/worker apps/tools apps/webui

# ---- deps: production dependencies only ----------------------------------------------------
# onnxruntime-node ships binaries for every OS and CPU (~290 MB); keep this machine's only.
FROM manifests AS deps
RUN npm ci --omit=dev --no-audit --no-fund \
  && arch="$(node -p process.arch)" \
  && find node_modules/onnxruntime-node/bin -mindepth 2 -maxdepth 2 -type d ! -name linux -exec rm -rf {} + \
  && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -type d ! -name "$arch" -exec rm -rf {} + \
  && npm cache clean --force

# ---- models: manifest and labels only (volume) or with the weights (bake) -------------------
# An empty default for the `model-mirror` build context; `--build-context model-mirror=DIR`
# replaces it.
FROM scratch AS model-mirror

FROM build AS models-volume

FROM build AS models-bake
# Comma-separated model ids to bake (empty: every model of the manifest).
ARG MODEL_IDS=""
RUN --mount=type=bind,from=model-mirror,target=/mirror \
  MODEL_MIRROR=/mirror node apps/tools/dist/install-models.js ${MODEL_IDS:+--only=$MODEL_IDS}

FROM models-${MODELS} AS models

# ---- runtime: what both apps run on ----------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LOG_JSON=true \
    MODELS_DIR=/app/models
WORKDIR /app
# Video jobs decode and encode with Debian's ffmpeg (ffprobe comes with it). In the shared
# runtime layer, so both images reuse it and the gateway could probe uploads later.
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app ./
# Compiled code and the files read at run time; sources, tests and dev tools stay behind.
COPY --from=build /app/packages/client/dist ./packages/client/dist
COPY --from=build /app/packages/config/dist ./packages/config/dist
COPY --from=build /app/packages/contracts/dist ./packages/contracts/dist
COPY --from=build /app/packages/metrics/dist ./packages/metrics/dist
COPY --from=build /app/packages/model-sources/dist ./packages/model-sources/dist
COPY --from=build /app/packages/models/dist ./packages/models/dist
COPY --from=build /app/packages/queue/dist ./packages/queue/dist
COPY --from=build /app/packages/vision/dist ./packages/vision/dist
COPY --from=build /app/packages/webhooks/dist ./packages/webhooks/dist
COPY --from=build /app/apps/gateway/dist ./apps/gateway/dist
COPY --from=build /app/apps/gateway/openapi.json ./apps/gateway/openapi.json
COPY --from=build /app/apps/worker/dist ./apps/worker/dist
COPY --from=build /app/apps/tools/dist ./apps/tools/dist
COPY --from=build /app/apps/webui/dist ./apps/webui/dist
COPY --from=build /app/apps/webui/public ./apps/webui/public
COPY --from=models /app/models ./models
COPY docker/worker-healthcheck.js ./docker/worker-healthcheck.js
# The node image's unprivileged user (uid 1000); the code stays root-owned and read-only.
USER node

# ---- gateway --------------------------------------------------------------------------------
FROM runtime AS gateway
ENV PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# SIGTERM: stop accepting, finish in-flight requests, exit 0 (sync requests wait up to SYNC_TIMEOUT_MS).
STOPSIGNAL SIGTERM
CMD ["node", "apps/gateway/dist/main.js"]

# ---- worker ---------------------------------------------------------------------------------
FROM runtime AS worker
# Healthy while this container's worker heartbeats in Redis (see docker/worker-healthcheck.js).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "docker/worker-healthcheck.js"]
# SIGTERM: stop taking jobs, finish the active ones, flush metrics, exit 0.
STOPSIGNAL SIGTERM
CMD ["node", "apps/worker/dist/main.js"]
