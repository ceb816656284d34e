# The lab as an image: Jupyter Notebook with the GoNB kernel, the project and both notebooks.
#
#   docker build -t gootlab .
#   docker run -p 8888:8888 gootlab        # then open the URL it prints (token auth is on)
#
# It follows the Jupyter Docker Stacks conventions — non-root user jovyan (uid 1000, gid 100),
# tini as PID 1, start-notebook.sh, port 8888, token auth — so JupyterHub can spawn it as a
# single-user server (docker/README.md). Everything is installed by docker/install.sh, the
# same script that the bare-machine set-up and CI run: Debian packages, Go (Debian's
# bookworm-backports golang-go bootstraps the pinned toolchain through the Go module proxy),
# the pinned Go tools, the gonb kernel, echarts from npm, the Go module and build caches.
FROM debian:bookworm-slim

ARG NB_USER=jovyan
ARG NB_UID=1000
ARG NB_GID=100

ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    SHELL=/bin/bash \
    NB_USER=${NB_USER} \
    NB_UID=${NB_UID} \
    NB_GID=${NB_GID} \
    GOPATH=/opt/go \
    GOCACHE=/opt/go/cache \
    GOTOOLCHAIN=local \
    GOFLAGS=-buildvcs=false \
    OTLAB_KERNEL_PREFIX=/usr/local \
    OTLAB_APT_EXTRA="tini jupyterhub" \
    OTLAB_APT_SKIP="python3-pot python3-sklearn" \
    NOTEBOOK_DIR=/opt/gootlab/notebooks \
    PATH=/usr/local/go/bin:/opt/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# bookworm's own golang-go (1.19) cannot fetch toolchains; bookworm-backports' (1.23) can.
# No recommended packages: they added 557 MB (pandoc, compilers, sympy, matplotlib...) the lab
# does not use. POT and scikit-learn (OTLAB_APT_SKIP) are the tests' peers, not the lab's.
RUN echo "deb http://deb.debian.org/debian bookworm-backports main" \
        > /etc/apt/sources.list.d/bookworm-backports.list \
 && echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/90otlab-no-recommends \
 && useradd --no-log-init --create-home --shell /bin/bash \
        --uid "${NB_UID}" --gid "${NB_GID}" "${NB_USER}" \
 && mkdir -p /opt/go /opt/gootlab

WORKDIR /opt/gootlab

# First only what the install needs, so this slow layer survives edits to code and notebooks.
# Then drop what only the install needed: the bootstrap Go (Debian's golang-go, a second
# toolchain next to /usr/local/go), npm (echarts is in node_modules), the build cache of the
# tools (the second pass below fills the cache with the notebooks' packages), apt's lists.
COPY docker/ docker/
COPY tools/ tools/
COPY go.mod go.sum package.json package-lock.json ./
RUN OTLAB_SKIP_WARM=1 bash docker/install.sh \
 && apt-get purge -y -q --auto-remove $(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'golang-*' npm | awk '$1 == "ii" { print $2 }') \
 && go clean -cache \
 && chown -R "${NB_UID}:${NB_GID}" /opt/go /opt/gootlab \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt/* /root/.cache /root/.npm /tmp/*

COPY --chown=${NB_UID}:${NB_GID} . .
COPY docker/start-notebook.sh /usr/local/bin/start-notebook.sh

USER ${NB_UID}
WORKDIR /home/${NB_USER}
# Second pass as the notebook user: checks everything is in place and compiles the
# notebooks' packages into the build cache, so the first cell does not wait for them.
RUN bash /opt/gootlab/docker/install.sh

EXPOSE 8888
ENTRYPOINT ["tini", "-g", "--"]
CMD ["start-notebook.sh"]
