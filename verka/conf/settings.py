"""Django settings, read from environment variables so that one build runs anywhere.

Every setting a deployment may change is an environment variable prefixed VERKA_ (plus the
conventional DATABASE_URL); docs/operations.md lists them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("VERKA_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("VERKA_DEBUG", False)
SECRET_KEY = os.environ.get("VERKA_SECRET_KEY", "")
if not SECRET_KEY:
    # Without a configured key each installation makes its own random one once, kept in var/,
    # so that sessions survive restarts and no shared default key exists.
    from verka.conf.secret import installation_secret_key

    SECRET_KEY = installation_secret_key(VAR_DIR)

ALLOWED_HOSTS = env_list("VERKA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("VERKA_CSRF_TRUSTED_ORIGINS", "")
# Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed when finding
# the client's address (verka.conf.network.client_address); empty: REMOTE_ADDR is the client.
VERKA_TRUSTED_PROXIES = env_list("VERKA_TRUSTED_PROXIES", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "verka.accounts",
    "verka.portal",
    "verka.worker",
    "verka.processes",
    "verka.connectors",
    "verka.eservices",
    "verka.cases",
    "verka.workspace",
    "verka.goals",
    "verka.api",
    "verka.demoservices",
    "verka.studio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "verka.conf.logging.RequestLogMiddleware",
]

ROOT_URLCONF = "verka.conf.urls"
WSGI_APPLICATION = "verka.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "verka.portal.context.site",
            ],
        },
    },
]

# SQLite (WAL) under var/ unless DATABASE_URL names another database, e.g.
# postgres://user:password@host:5432/verka
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # psycopg prepares a statement the fifth time a connection runs it, so the server stops
        # parsing and planning the engine's few hot statements. Django turns this off for
        # connection poolers in transaction mode; set VERKA_PG_PREPARE=false behind one.
        prepare = os.environ.get("VERKA_PG_PREPARE", "true").lower() in {"1", "true", "yes"}
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5 if prepare else None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "verka.sqlite3",
            "OPTIONS": {
                # WAL lets readers work while the worker writes; IMMEDIATE avoids the
                # deadlock-prone upgrade from a read to a write lock inside a transaction.
                # Engine writers' processes checkpoint from a thread about once a second,
                # outside the writers' turns (verka.processes.rows._Checkpoints); the
                # autocheckpoint, run inside a commit, is the safety net at 10,000 pages (40 MB
                # of log) instead of 1,000, for processes that write little. The log file is
                # cut back to 64 MB after a checkpoint.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                    " PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=10000;"
                    " PRAGMA journal_size_limit=67108864;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # Kept open between requests and worker passes, as on PostgreSQL: opening one
            # costs a millisecond of PRAGMAs and function registrations each time.
            "CONN_MAX_AGE": 60,
            # A file (worker subprocesses in the tests open it too), one per test run so that
            # parallel runs never share it; the test runner deletes it at the end.
            "TEST": {"NAME": Path(tempfile.gettempdir()) / f"verka-test-{os.getpid()}.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Swedish first, English second (DOMAIN.md).
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("VERKA_TIME_ZONE", "Europe/Stockholm")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise expects the folder even while it serves from the finders (no collectstatic run).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The bpmn.io libraries and axe-core come from npm (package.json) into node_modules/.
NODE_MODULES_DIR = Path(os.environ.get("VERKA_NODE_MODULES", PROJECT_DIR / "node_modules"))
# Only the distribution folders are served, not all of node_modules.
_VENDOR_DIST = {
    "vendor/bpmn-js": "bpmn-js/dist",
    "vendor/dmn-js": "dmn-js/dist",
    "vendor/form-js": "@bpmn-io/form-js/dist",
    "vendor/htmx": "htmx.org/dist",
}
STATICFILES_DIRS = [
    (prefix, NODE_MODULES_DIR / folder)
    for prefix, folder in _VENDOR_DIST.items()
    if (NODE_MODULES_DIR / folder).is_dir()
]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("VERKA_MEDIA_ROOT", VAR_DIR / "uploads"))
VERKA_MAX_UPLOAD_BYTES = int(os.environ.get("VERKA_MAX_UPLOAD_MB", "20")) * 1024 * 1024
# Requests carry at most one upload plus the form; anything larger is refused before parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Set VERKA_SECURE_COOKIES=true whenever Verka is served over HTTPS (it always should be in
# production); the default allows the demo on http://127.0.0.1.
SESSION_COOKIE_SECURE = env_bool("VERKA_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = os.environ.get(
    "VERKA_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("VERKA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("VERKA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("VERKA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("VERKA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("VERKA_EMAIL_TLS", False)
# A mail server that stops answering must not hold a worker past its claim on the e-mail.
EMAIL_TIMEOUT = float(os.environ.get("VERKA_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("VERKA_EMAIL_FROM", "verka@localhost")

# The organisation that runs this Verka; shown in the header of every page.
VERKA_SITE_NAME = os.environ.get("VERKA_SITE_NAME", "Exempelkommun")
VERKA_SITE_LOGO = os.environ.get("VERKA_SITE_LOGO", "")  # URL or static path; empty: built-in

# Python modules `verka worker` imports at start: they register job handlers by job type
# (see verka.processes.worker.job_handler).
VERKA_WORKER_MODULES = env_list("VERKA_WORKER_MODULES", "")
# A worker's claim on an outgoing effect (e-mail, webhook batch) lasts this long; a worker killed
# while sending leaves the effect to another one after it. Longer than any send may take.
VERKA_OUTBOX_LEASE_SECONDS = float(os.environ.get("VERKA_OUTBOX_LEASE_SECONDS", "120"))
# Sent effects (e-mails with their addresses and text, webhook batches) are deleted this many
# days after they went out; failed and pending ones stay until sent.
VERKA_OUTBOX_KEEP_DAYS = int(os.environ.get("VERKA_OUTBOX_KEEP_DAYS", "30"))

# OpenID Connect providers for citizens and staff (docs/operations.md lists the variables).
from verka.accounts.oidc_config import providers_from_environ  # noqa: E402

VERKA_OIDC_PROVIDERS = providers_from_environ(os.environ)
# The demo's own identity provider with test personas, at /demo-idp/ (`verka demo` turns it on).
VERKA_DEMO_IDP = env_bool("VERKA_DEMO_IDP", False)

# `verka demo` turns these on: a stand-in maintenance system (and other demo services).
VERKA_DEMO_SERVICES = env_bool("VERKA_DEMO_SERVICES", False)

# REST API limits (docs/api.md).
VERKA_API_MAX_RESOURCE_BYTES = int(os.environ.get("VERKA_API_MAX_RESOURCE_MB", "5")) * 1024 * 1024
VERKA_API_MAX_RESOURCES = int(os.environ.get("VERKA_API_MAX_RESOURCES", "50"))
VERKA_API_MAX_LONG_POLL_MS = int(os.environ.get("VERKA_API_MAX_LONG_POLL_MS", "60000"))
VERKA_API_IDEMPOTENCY_HOURS = int(os.environ.get("VERKA_API_IDEMPOTENCY_HOURS", "24"))
VERKA_API_MAX_MESSAGE_TTL_DAYS = int(os.environ.get("VERKA_API_MAX_MESSAGE_TTL_DAYS", "365"))

# The verka-http connector refuses private and loopback addresses unless allowed here.
VERKA_HTTP_ALLOWED_HOSTS = env_list("VERKA_HTTP_ALLOWED_HOSTS", "")
VERKA_HTTP_ALLOW_PRIVATE = env_bool("VERKA_HTTP_ALLOW_PRIVATE", False)

LOG_FORMAT = os.environ.get("VERKA_LOG_FORMAT", "json")
LOG_LEVEL = os.environ.get("VERKA_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "verka.conf.logging.RedactSecrets"}},
    "formatters": {
        "json": {"()": "verka.conf.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT in {"json", "text"} else "json",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request log middleware reports each request once, in the structured format.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}
