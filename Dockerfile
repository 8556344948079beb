# Minimal image for the gateway and the worker (one image, the command picks the app).
# Models are not baked in: mount them at /app/models or run `npm run models` with
# MODEL_MIRROR pointing at a folder that has them. The deploy issue hardens this file.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
COPY models/manifest.json models/labels ./models/
USER node
EXPOSE 3000
CMD ["node", "apps/gateway/dist/main.js"]
