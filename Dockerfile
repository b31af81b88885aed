# syntax=docker/dockerfile:1
# The one image every Airflow service in docker-compose.yml runs: Airflow 3.3 with the Celery
# provider, the system libraries WeasyPrint needs for the PDFs, and this project.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

USER root
# The base image has no Pango. libharfbuzz-subset0: without it WeasyPrint subsets fonts with
# fontTools and a Chinese report renders about ten times slower. fonts-noto-cjk: the glyphs;
# fonts-hanazono: CJK Extension B+ characters in real names (𠀀, 𪚥); fonts-symbola: emoji.
# poppler-utils: pdftotext, to check a report's text from inside a container.
# libjs-pdf: PDF.js, with which the Reports page shows a PDF inside the Airflow UI frame.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      fonts-noto-cjk fonts-hanazono fonts-symbola libharfbuzz-subset0 libpango-1.0-0 \
      libpangoft2-1.0-0 poppler-utils libjs-pdf \
 && apt-get autoremove -yqq --purge \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*

# Code in /opt/satisfaction; data under SATISFACTION_HOME, where compose mounts the reports and
# outbox volumes. Made here and owned by airflow (gid 0) so fresh named volumes inherit that.
ENV SATISFACTION_HOME=/srv/satisfaction
RUN mkdir -p /opt/satisfaction /opt/airflow/auth \
      /srv/satisfaction/reports /srv/satisfaction/var/outbox /srv/satisfaction/config \
 && chown -R airflow:0 /opt/satisfaction /opt/airflow/auth /srv/satisfaction \
 && chmod -R g+rwX /opt/satisfaction /opt/airflow/auth /srv/satisfaction

USER airflow
# The project's exact pins (Airflow itself included, so nothing upgrades it by accident);
# pip check fails the build on a conflict instead of leaving it for the first run.
COPY --chown=airflow:0 requirements.lock /opt/satisfaction/requirements.lock
RUN pip install --no-cache-dir -r /opt/satisfaction/requirements.lock \
 && pip check

# etl finds sql/ and report_templates/ beside itself, so the package is installed in place.
COPY --chown=airflow:0 pyproject.toml README.md /opt/satisfaction/
COPY --chown=airflow:0 etl /opt/satisfaction/etl
COPY --chown=airflow:0 sql /opt/satisfaction/sql
COPY --chown=airflow:0 report_templates /opt/satisfaction/report_templates
RUN pip install --no-cache-dir --no-deps -e /opt/satisfaction

# Baked in for running the image without bind mounts; compose mounts ./dags and ./plugins
# over these so a DAG change needs no rebuild (an etl change does).
COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins
