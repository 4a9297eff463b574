# Participation Graph: a static binary on a distroless base, run as a non-root user.
#
#   docker build -t participation-graph .
#   docker run -p 8080:8080 -v pg-data:/data participation-graph        # embedded database
#   docker run -p 8080:8080 -e MONGODB_URI=mongodb://... participation-graph

FROM golang:1.26-alpine AS build
WORKDIR /src
# Modules first, so that a source change does not fetch them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The embedded database's SQLite is pure Go: no C toolchain, a static binary.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/participation-graph . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/participation-graph /usr/local/bin/participation-graph
# The embedded database's files; mount a volume here to keep them.
COPY --from=build --chown=65532:65532 /out/data /data
ENV PORT=8080 \
    DATA_DIR=/data \
    APP_ENV=production
EXPOSE 8080
VOLUME ["/data"]
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/participation-graph"]
