"""Django settings, read from environment variables so that one build runs anywhere.

Every setting a deployment may change is an environment variable prefixed VERKA_ (plus the
conventional DATABASE_URL); docs/operations.md lists them.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, STRICT_DYNAMIC
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from verka.conf.https import proxy_ssl_header

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


def env_int(name: str, default: int, *, minimum: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


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
    # Login security (verka.accounts.lockout, verka.accounts.mfa): lockout after failed logins,
    # and second factors: authenticator apps, recovery codes, WebAuthn passkeys.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
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
    # After WhiteNoise, so static files keep their own caching; before everything that renders,
    # so that the nonce and the no-store rule cover every response of a view.
    "verka.conf.headers.SecurityHeadersMiddleware",
    "verka.conf.headers.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which would otherwise be the first to read (and fail on) the body.
    "verka.conf.inputs.InputLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "verka.accounts.middleware.SessionTimeoutMiddleware",
    "verka.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "verka.conf.logging.RequestLogMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
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

# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- login security (docs/operations.md, "Login security") -----------------------------------
# Failed logins: an account is locked after VERKA_LOGIN_ACCOUNT_FAILURE_LIMIT failures, a client
# address after VERKA_LOGIN_ADDRESS_FAILURE_LIMIT (over all the accounts it tried), each until
# VERKA_LOGIN_LOCKOUT_MINUTES have passed since the last failure or an admin lifts it.
AXES_ENABLED = env_bool("VERKA_LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = int(os.environ.get("VERKA_LOGIN_ACCOUNT_FAILURE_LIMIT", "10"))
VERKA_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("VERKA_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("VERKA_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]  # per address: verka.accounts.lockout.LockoutHandler
AXES_HANDLER = "verka.accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "verka.conf.network.client_address"
AXES_LOCKOUT_CALLABLE = "verka.accounts.lockout.lockout_response"
# Tries made while locked out do not push the end of the lockout further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
# Successful logins are in the structured log already; axes keeps only the failure counts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "code", "otp_token"]

# Second factors (verka.accounts.mfa): required for superusers and the groups listed here,
# or for every staff member with VERKA_MFA_REQUIRED_FOR=staff.
VERKA_MFA_REQUIRED_FOR = os.environ.get("VERKA_MFA_REQUIRED_FOR", "groups").strip().lower()
if VERKA_MFA_REQUIRED_FOR not in {"groups", "staff"}:
    raise ValueError("VERKA_MFA_REQUIRED_FOR must be groups or staff")
VERKA_MFA_GROUPS = env_list("VERKA_MFA_GROUPS", "digitalisering")
OTP_TOTP_ISSUER = os.environ.get("VERKA_SITE_NAME", "Exempelkommun") + " (Verka)"
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds, doubled after each wrong code
OTP_STATIC_THROTTLE_FACTOR = 1
# Passkeys (WebAuthn): the relying party is the host staff reach Verka by unless VERKA_WEBAUTHN_RP_ID
# names it; the origins allowed are VERKA_WEBAUTHN_ORIGINS or that host's own origin.
OTP_WEBAUTHN_RP_NAME = os.environ.get("VERKA_SITE_NAME", "Exempelkommun") + " (Verka)"
OTP_WEBAUTHN_RP_ID_CALLABLE = "verka.accounts.passkeys.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "verka.accounts.passkeys.PasskeyHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is the second factor after a password
VERKA_WEBAUTHN_RP_ID = os.environ.get("VERKA_WEBAUTHN_RP_ID", "").strip()
VERKA_WEBAUTHN_ORIGINS = env_list("VERKA_WEBAUTHN_ORIGINS", "")
OTP_WEBAUTHN_ALLOWED_ORIGINS = VERKA_WEBAUTHN_ORIGINS
SILENCED_SYSTEM_CHECKS = [
    # Empty VERKA_WEBAUTHN_ORIGINS: PasskeyHelper allows the origin of the checked host.
    "otp_webauthn.E030",
    # Per-address limits are LockoutHandler's, with their own number (not axes' parameter).
    "axes.W006",
]

# Sessions end after this long without a request (idle) and, however active, this long after
# the login (absolute). Expired sessions are deleted by the worker.
VERKA_STAFF_SESSION_IDLE_SECONDS = 60 * int(
    os.environ.get("VERKA_STAFF_SESSION_IDLE_MINUTES", "30")
)
VERKA_CITIZEN_SESSION_IDLE_SECONDS = 60 * int(
    os.environ.get("VERKA_CITIZEN_SESSION_IDLE_MINUTES", "30")
)
VERKA_SESSION_MAX_SECONDS = 3600 * int(os.environ.get("VERKA_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = VERKA_SESSION_MAX_SECONDS
VERKA_SESSION_CLEAR_MINUTES = int(os.environ.get("VERKA_SESSION_CLEAR_MINUTES", "15"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # OWASP ASVS 2.1.1: at least 12 characters; no rules about which characters.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("VERKA_PASSWORD_MIN_LENGTH", "12"))},
    },
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
# What one draft may hold in uploaded files, and how long an untouched draft (and its files) is
# kept before the worker removes it.
VERKA_DRAFT_MAX_FILES = int(os.environ.get("VERKA_DRAFT_MAX_FILES", "20"))
VERKA_DRAFT_MAX_UPLOAD_BYTES = int(os.environ.get("VERKA_DRAFT_MAX_UPLOAD_MB", "100")) * 1024 * 1024
VERKA_DRAFT_RETENTION_DAYS = int(os.environ.get("VERKA_DRAFT_RETENTION_DAYS", "30"))
# Requests per client (the signed-in user, else the address) on the e-service endpoints anyone
# may use: "<count>/<period>" with s, m or h ("30/h", "10/15m"), or "off".
VERKA_RATE_LIMITS = {
    "drafts": os.environ.get("VERKA_RATE_DRAFTS", "30/h"),
    "autosaves": os.environ.get("VERKA_RATE_AUTOSAVES", "120/m"),
    "uploads": os.environ.get("VERKA_RATE_UPLOADS", "60/h"),
    "submits": os.environ.get("VERKA_RATE_SUBMITS", "30/h"),
    "demo-logins": os.environ.get("VERKA_RATE_DEMO_LOGINS", "60/m"),
}
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

# HTTPS (docs/operations.md, "HTTPS and the reverse proxy"). HSTS is off until the operator
# turns it on: once a browser has seen it, the site cannot go back to plain HTTP for that long.
SECURE_HSTS_SECONDS = env_int("VERKA_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("VERKA_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("VERKA_HSTS_PRELOAD", False)
# "X-Forwarded-Proto: https": the header a trusted reverse proxy sets on requests that reached
# it over HTTPS. Only set it when every request comes through that proxy, which must overwrite
# the header: otherwise a client could claim HTTPS by sending it.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("VERKA_SECURE_PROXY_SSL_HEADER", ""))
SECURE_SSL_REDIRECT = env_bool("VERKA_SSL_REDIRECT", False)
# A load balancer's health check talks plain HTTP to the server itself.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
# Only behind a proxy that sets X-Forwarded-Host itself (Host is checked against ALLOWED_HOSTS).
USE_X_FORWARDED_HOST = env_bool("VERKA_USE_X_FORWARDED_HOST", False)

# Content-Security-Policy (django-csp; verka.conf.headers adds the login providers to
# form-action and relaxes script-src for the Django admin). Every <script> of a page carries
# the response's nonce; 'strict-dynamic' lets the editors' bundles load what they need.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [NONCE, STRICT_DYNAMIC],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": "/csp-rapport",
    }
}
# Further places the login and logout forms may be redirected to, e.g. an identity provider's
# authorization endpoint on another host than its issuer (the issuers are allowed already).
VERKA_CSP_FORM_ACTION = env_list("VERKA_CSP_FORM_ACTION", "")

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

# What one FEEL evaluation or one form validation may spend (docs/operations.md): CPU time in
# regular expressions, all patterns together, and loop steps. The processes app hands them to
# the engine at start-up; running out is a FEEL error (an incident) or a field error.
VERKA_REGEX_TIMEOUT_MS = max(1, int(os.environ.get("VERKA_REGEX_TIMEOUT_MS", "250")))
VERKA_FEEL_MAX_STEPS = max(1000, int(os.environ.get("VERKA_FEEL_MAX_STEPS", "2000000")))

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
