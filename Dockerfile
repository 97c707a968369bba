FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HARBOR_ENV=production FLASK_APP=wsgi
WORKDIR /app
COPY pyproject.toml README.md config.py wsgi.py ./
COPY intake ./intake
COPY workers ./workers
COPY migrations ./migrations
COPY templates ./templates
RUN pip install --no-cache-dir . \
    && (ls intake/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1 \
        && pybabel compile -d intake/translations) \
    && useradd --create-home harbor
USER harbor
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "wsgi:app"]
