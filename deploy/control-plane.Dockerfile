# The Fleetdeck control plane image: the dashboard (Next build), the API and the agents'
# WebSocket endpoint on one port, run by server.ts with production dependencies only.
#   docker build -f deploy/control-plane.Dockerfile -t ghcr.io/fleetdeck/control-plane:0.1.0 .
# Run: docker run -p 3000:3000 -v fleetdeck-data:/data \
#        -e FLEETDECK_PUBLIC_URL=https://fleetdeck.example.com ghcr.io/fleetdeck/control-plane:0.1.0
# (or -e DATABASE_URL=postgres://… instead of the /data volume). One replica per database:
# a second one refuses to start (instance lock).

# Production dependencies only, better-sqlite3 compiled for this base image when no
# prebuilt binary fits.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The Next build needs the dev dependencies (Tailwind, TypeScript); they stay in this stage.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN npx next build && rm -rf .next/cache

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME_BIND=0.0.0.0 \
    DATABASE_PATH=/data/fleetdeck.db
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
# server.ts runs through tsx (a production dependency) and resolves "@/…" with tsconfig.json;
# the pages are compiled into .next, so app/ and components/ are not needed at run time.
COPY package.json package-lock.json tsconfig.json next.config.js server.ts ./
COPY server ./server
COPY lib ./lib
COPY db ./db
# The "node" user (uid 1000) owns only the data directory and Next's cache.
RUN mkdir -p /data /app/.next/cache && chown node:node /data /app/.next/cache
USER node
VOLUME ["/data"]
EXPOSE 3000
CMD ["node", "--import", "tsx", "server.ts"]
