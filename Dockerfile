# A minimal image of the `groupwire` binary:
#   docker build -t groupwire .
#   docker run --rm groupwire demo
#   docker run --rm -e GROUPWIRE_PASSWORD -v "$PWD:/work" groupwire check /work/target.toml \
#       --format junit --output /work/groupwire.xml
# The build stage uses the toolchain the project pins (Cargo.toml `rust-version`).
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p groupwire-conformance --bin groupwire \
    && cp target/release/groupwire /groupwire

# Runtime: the binary and the system root certificates (for `check` against real servers).
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /groupwire /usr/local/bin/groupwire
USER nobody
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/groupwire"]
CMD ["--help"]
