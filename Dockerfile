# syntax=docker/dockerfile:1
#
# mongo2pg image: a builder stage compiles the TypeScript; the runtime stage holds only dist/,
# schema/ and the production dependencies, and runs as the unprivileged `node` user (uid 1000).
#
#   docker build -t mongo2pg .          (or: make image)
#   docker run --rm mongo2pg --help
#
# Signals: node runs as PID 1 without an init (no --init, no tini). That is safe here because
# mongo2pg installs its own SIGTERM/SIGINT handlers (PID 1 gets no default signal actions from the
# kernel: an unhandled SIGTERM would be ignored) and starts no child processes, so there are no
# zombies to reap. First SIGTERM: stop at the next checkpoint; second: exit at once.
#
# e2e/dockerfile-build.test.ts replays the steps below without a Docker engine (RUN --mount flags
# are ignored there); keep RUN steps to commands that work in any directory (no absolute paths, no
# apt) and the instructions to those it knows: ARG FROM WORKDIR COPY RUN ENV USER ENTRYPOINT CMD.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS builder
WORKDIR /app
COPY package.json package-lock.json ./
# A BuildKit cache mount keeps the npm cache out of the image layers.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app ./app
RUN npx tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=builder /app/dist ./dist
COPY schema ./schema
# Error reports go to CONVERT_WORK_DIR, by default the current directory: /app belongs to root and
# is not writable by `node` (issue 13, D9). /tmp is writable by every user (the chart mounts an
# emptyDir at its own convert.workDir and at /tmp).
ENV CONVERT_WORK_DIR=/tmp/mongo2pg
USER node
ENTRYPOINT ["node", "dist/main.js"]
CMD ["migrate"]
