# The Fleetdeck agent image: Node and one bundled file, nothing else.
#   docker build -f deploy/agent.Dockerfile -t ghcr.io/fleetdeck/agent:0.1.0 .
# The tag is lib/agent-version.ts's AGENT_VERSION: the manifests and the served chart
# default to ghcr.io/fleetdeck/agent:<that version>.
# deploy/agent-image.test.ts runs the same build (npm run build:agent) and starts the
# result from a directory holding only what the final stage copies below.

FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Dev dependencies are needed here only (esbuild); none reach the final image.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY deploy/build-agent.mjs deploy/build-agent.mjs
COPY agent agent
COPY lib lib
# Every dependency (@kubernetes/client-node, ws, zod, yaml) is bundled into agent.mjs.
RUN npm run build:agent -- /src/dist/agent

# Distroless: no shell, no package manager; "nonroot" is uid/gid 65532, the runAsUser of
# the manifests and the chart.
FROM gcr.io/distroless/nodejs22-debian12:nonroot
WORKDIR /app
COPY --from=build /src/dist/agent/ /app/
USER 65532:65532
ENV NODE_ENV=production
# The Deployment's `args` (--control-plane-url …) replace CMD, never ENTRYPOINT: the
# script belongs in the entrypoint. The token arrives as FLEETDECK_CLUSTER_TOKEN from the Secret.
ENTRYPOINT ["/nodejs/bin/node", "/app/agent.mjs"]
CMD []
