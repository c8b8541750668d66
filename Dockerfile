# reportbot: the Telegram bot. Build: docker build -t reportbot .   (see docs/deploy.md)
FROM python:3.11-slim

# Reading legacy .doc uploads needs LibreOffice (about 300 MB): build with
# --build-arg WITH_LIBREOFFICE=1 to include it; every other format works without.
ARG WITH_LIBREOFFICE=0
RUN if [ "$WITH_LIBREOFFICE" = "1" ]; then \
      apt-get update && apt-get install -y --no-install-recommends libreoffice-writer \
      && rm -rf /var/lib/apt/lists/*; \
    fi

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    REPORTBOT_DB=/data/reports.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY index index
COPY handlers handlers
COPY data data
# Editable, so the code finds data/ (the lexicon) next to it. The ocr extra (about 290 MB, its
# models inside the wheel) reads scanned PDFs; build with --build-arg EXTRAS= to leave it out.
ARG EXTRAS=ocr
RUN pip install --no-cache-dir -e ".${EXTRAS:+[$EXTRAS]}"

RUN useradd --system --uid 10001 reportbot && mkdir /data && chown reportbot /data
USER reportbot
VOLUME /data

CMD ["reportbot", "serve"]
