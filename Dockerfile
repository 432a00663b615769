# c5watch: the bot as a container. Build: docker build -t c5watch .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, pinned by constraints.txt, so code changes reuse this layer.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir -p bot storage && touch bot/__init__.py storage/__init__.py \
 && pip install -c constraints.txt . \
 && pip uninstall -y c5watch

# The code and its data (seeds/ holds the topic rules and the demo feeds).
COPY bot ./bot
COPY storage ./storage
COPY seeds ./seeds
RUN pip install --no-deps -e . \
 && useradd --system --uid 10001 --home-dir /app c5watch \
 && mkdir -p /data && chown c5watch /data

USER c5watch
ENV DATABASE_URL=sqlite+aiosqlite:////data/c5watch.db \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"

ENTRYPOINT ["c5watch"]
CMD ["run"]
