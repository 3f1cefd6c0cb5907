# mfstream's container image (docs/CONFIGURATION.md, "In a container"; docs/DEPLOY-COMPOSE.md).
#
#   docker build -t mfstream:local .                       # CPU backend (nd4j-native, OpenBLAS)
#   docker build --build-arg BACKEND=cuda -t mfstream:cuda .   # CUDA 11.6 backend (-Dcuda)
#
# BACKEND picks both the Maven build (`-Dcuda` or not) and the runtime base image (Temurin JRE,
# or the CUDA 11.6 runtime with cuDNN plus the same Temurin JRE), so the two cannot disagree.
# The CUDA image needs the NVIDIA container toolkit at run time (`--gpus all`); the published
# nd4j-cuda-11.6 build runs on Kepler to Ampere/Ada GPUs, not Hopper or newer (README.md).

ARG BACKEND=cpu

# ---- build: the Maven wrapper on a Temurin 17 JDK -------------------------------------------
FROM eclipse-temurin:17.0.16_8-jdk-noble AS build
ARG BACKEND
WORKDIR /src
# The wrapper and the pom first: their dependency layer is rebuilt only when they change.
COPY mvnw ./
COPY .mvn .mvn
COPY pom.xml ./
RUN case "$BACKEND" in \
      cpu) backend_flag= ;; \
      cuda) backend_flag=-Dcuda ;; \
      *) echo "BACKEND must be cpu or cuda, was '$BACKEND'" >&2; exit 1 ;; \
    esac \
 && ./mvnw -B -ntp $backend_flag dependency:go-offline
COPY src src
RUN case "$BACKEND" in cuda) backend_flag=-Dcuda ;; *) backend_flag= ;; esac \
 && ./mvnw -B -ntp $backend_flag package -DskipTests

# ---- runtime bases, one per backend ---------------------------------------------------------
FROM eclipse-temurin:17.0.16_8-jre-noble AS runtime-cpu

FROM nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04 AS runtime-cuda
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:$PATH
COPY --from=eclipse-temurin:17.0.16_8-jre-noble /opt/java/openjdk /opt/java/openjdk

# ---- runtime --------------------------------------------------------------------------------
FROM runtime-${BACKEND} AS runtime
RUN groupadd --system --gid 10001 mfstream \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/mfstream \
      --shell /usr/sbin/nologin mfstream \
 && mkdir -p /var/lib/mfstream/state /etc/mfstream \
 && chown -R 10001:10001 /var/lib/mfstream
WORKDIR /app
COPY --from=build /src/target/lib /app/lib
COPY --from=build /src/target/mfstream.jar /app/mfstream.jar
COPY topics /app/topics
COPY docker/mfstream.properties /etc/mfstream/mfstream.properties
# ND4J unpacks its native libraries into the JavaCPP cache: /tmp, so that the root filesystem
# can be read-only. Add JVM flags to JAVA_TOOL_OPTIONS, keeping this one.
# state.dir is set in /etc/mfstream/mfstream.properties, not by an environment variable: a
# variable would override the file that a deployment mounts (the Helm chart's ConfigMap).
ENV LANG=C.UTF-8 \
    JAVA_TOOL_OPTIONS="-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp"
USER 10001:10001
VOLUME ["/var/lib/mfstream/state"]
EXPOSE 8080
# bash's /dev/tcp: no curl or wget in the image. The port follows MFSTREAM_HTTP_PORT.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/localhost/${MFSTREAM_HTTP_PORT:-8080} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q '^HTTP/1\\.[01] 200 '"]
ENTRYPOINT ["java", "-jar", "/app/mfstream.jar"]
CMD ["run", "--config", "/etc/mfstream/mfstream.properties"]
