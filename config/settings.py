"""Smertespor's one settings module, read from the environment.

Bad values fail loudly at start-up. ``SMERTESPOR_ENV=production`` turns on the production
checks: a real SECRET_KEY, DEBUG off, secure cookies and HSTS.
"""

import base64
import hashlib
import ipaddress
import os
import re
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from domain.omeq import SettingsError, Thresholds, default_thresholds
from domain.tracks import RuleSettings, RuleSettingsError, SuccessDefinition, default_rule_settings

BASE_DIR = Path(__file__).resolve().parent.parent

_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _audit_keys(inline: str, path: str) -> dict[str, bytes]:
    """``id:base64`` pairs, comma- or newline-separated; the first is the signing key."""
    if inline and path:
        raise ImproperlyConfigured("Set AUDIT_HMAC_KEYS or AUDIT_HMAC_KEYS_FILE, not both.")
    if path:
        try:
            inline = Path(path).read_text()
        except OSError as error:
            raise ImproperlyConfigured(f"AUDIT_HMAC_KEYS_FILE: {error}") from None
    keys: dict[str, bytes] = {}
    for item in inline.replace("\n", ",").split(","):
        if not item.strip():
            continue
        key_id, _, secret = item.strip().partition(":")
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", key_id) or key_id in keys:
            raise ImproperlyConfigured(
                f"Audit key id {key_id!r}: 1-32 letters, digits, '.', '_' or '-', each once."
            )
        try:
            keys[key_id] = base64.b64decode(secret.strip(), altchars=b"-_", validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"Audit key {key_id!r} is not base64.") from None
        if not keys[key_id]:
            raise ImproperlyConfigured(f"Audit key {key_id!r} is empty.")
    return keys


ENVIRONMENT = os.environ.get("SMERTESPOR_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"SMERTESPOR_ENV must be 'development' or 'production', not {ENVIRONMENT!r}"
    )
IS_PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY)
DEBUG = _env_bool("DEBUG", default=False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

if IS_PRODUCTION:
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production needs SECRET_KEY set to 50+ random characters.")
    if DEBUG:
        raise ImproperlyConfigured("Production refuses to start with DEBUG on.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "simple_history",
    "ninja",
    "django_tasks",
    "django_tasks.backends.database",
    "smertespor.accounts",
    "smertespor.audit",
    "smertespor.patients",
    "smertespor.notifications",
    "smertespor.home",
    "smertespor.advice",
    "smertespor.medication",
    "smertespor.tracks",
    "smertespor.teaching",
    "smertespor.tapering",
    "smertespor.departments",
    "smertespor.referrals",
    "smertespor.pathways",
    "smertespor.centres",
    "smertespor.evaluation",
    "smertespor.jobs",
    "smertespor.interop",
    "smertespor.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "smertespor.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "smertespor.web.middleware.ChosenLanguageMiddleware",
    "smertespor.entry.middleware.ProblemMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "smertespor.entry.caching.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "smertespor.entry.headers.PermissionsPolicyMiddleware",
    "smertespor.accounts.middleware.AbsoluteSessionTimeoutMiddleware",
    "smertespor.accounts.mfa.MfaGateMiddleware",
    "smertespor.entry.bad_input.RequestSizeMiddleware",
    "smertespor.entry.bad_input.RefuseNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "smertespor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "smertespor.web.context_processors.navigation",
                "smertespor.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# SQLite is the embedded default (the demo region); PostgreSQL is production.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'smertespor.sqlite3'}"),
        # Persistent connections in production (a new connection per request cost a quarter
        # of a one-user page); checked before reuse so a restarted database is survived.
        conn_max_age=_env_int("DATABASE_CONN_MAX_AGE", 60 if IS_PRODUCTION else 0),
        conn_health_checks=True,
    )
}
# Background jobs (docs/jobs.md): django-tasks with its database backend, so the queue is a
# table in the same database (SQLite or PostgreSQL); `manage.py db_worker` runs the tasks
# (`make run` starts one beside the web server). Enqueued when the transaction commits, so
# the worker never sees a task whose job row is not there yet.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.database.DatabaseBackend",
        "ENQUEUE_ON_COMMIT": True,
    }
}
# SQLite: a transaction takes the write lock when it begins, so two requests writing at
# once (a live preview's audit row while a form is saved) wait for each other instead of
# one failing with "database is locked" when its reading transaction starts to write.
# PostgreSQL: no JIT compilation. The app's queries are short index lookups; JIT only starts
# when the planner's cost estimate crosses jit_above_cost, which on these pages happens when
# an estimate is wrong, and then it costs more than it saves: at 32,000 patients the old GP
# patient list spent 27 of its 53 ms compiling (15 ms with jit off; 1.5 ms once the scope
# uses its indexes). Region-wide analytics run on DuckDB, not on this connection.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = f"{_pg_options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
# PostgreSQL with two roles (docs/audit-log.md): the app connects as a role that may only
# INSERT and SELECT on the audit tables; migrations run with DATABASE_URL set to the tables'
# owner and DATABASE_APP_ROLE naming the app's role, whose grants each migrate then renews.
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "smertespor.accounts.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database (the web tier stays stateless). Idle timeout: the session's
# expiry, renewed by our middleware at most once a minute (not a row write per request);
# the absolute limit is enforced by the same middleware.
SESSION_COOKIE_AGE = _env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_AFTER_SECONDS = 60
SESSION_ABSOLUTE_TIMEOUT_SECONDS = _env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# The reverse proxies in front of the app (addresses or networks, comma-separated). Only
# their X-Forwarded-For is believed; the client is the nearest address that is not one of
# them (smertespor.entry.client_ip). Empty: the peer itself is the client.
TRUSTED_PROXIES = _env_list("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must be addresses or networks, not {_proxy!r}"
        ) from None

# django-axes: lock a user name at one client address (the real client's, behind the proxy)
# after 5 failures for 30 minutes. Nobody elsewhere can lock the owner out: failures from
# other addresses only make the account wait 1, 2, 4 … seconds, at most
# LOGIN_BACKOFF_MAX_SECONDS, and never at an address the user logged in from within
# LOGIN_KNOWN_ADDRESS_DAYS (smertespor.accounts.throttle).
AXES_FAILURE_LIMIT = _env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "smertespor.entry.client_ip.client_ip"
# An attempt at a locked address checks no password: it neither counts nor extends the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_BACKOFF_AFTER_FAILURES = _env_int("LOGIN_BACKOFF_AFTER_FAILURES", 5)
LOGIN_BACKOFF_MAX_SECONDS = _env_int("LOGIN_BACKOFF_MAX_SECONDS", 300)
LOGIN_BACKOFF_WINDOW = timedelta(hours=1)
LOGIN_KNOWN_ADDRESS_DAYS = 30
if not 1 <= LOGIN_BACKOFF_AFTER_FAILURES <= 100:
    raise ImproperlyConfigured("LOGIN_BACKOFF_AFTER_FAILURES must be 1 to 100.")
if not 1 <= LOGIN_BACKOFF_MAX_SECONDS <= 900:
    raise ImproperlyConfigured("LOGIN_BACKOFF_MAX_SECONDS must be 1 to 900.")

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "smertespor" / "locale"]
# Day-first dates in English mode too (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "smertespor" / "static"]
# Outside production, serve static files straight from the apps (no collectstatic step).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The sender of notification e-mails (smertespor.notifications).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Smertespor <smertespor@localhost>")
# The address of this site, for links in notification e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")

# Two factors (smertespor.accounts.mfa): with MFA_REQUIRED every user must set up an
# authenticator app or a passkey before reaching anything, and pass it after the password.
# Off (the demo region, development): password only, marked on the login page; a user who
# set up a second factor anyway is still asked for it.
MFA_REQUIRED = _env_bool("MFA_REQUIRED", default=IS_PRODUCTION)
OTP_TOTP_ISSUER = "Smertespor"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys (WebAuthn) belong to the site's domain and work over https (or on localhost).
_site = urlsplit(SITE_URL)
_site_host = _site.hostname or "localhost"
try:
    ipaddress.ip_address(_site_host)
    _site_host = "localhost"  # a passkey cannot belong to an IP address
except ValueError:
    pass
OTP_WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID", _site_host)
OTP_WEBAUTHN_RP_NAME = "Smertespor"
OTP_WEBAUTHN_ALLOWED_ORIGINS = _env_list(
    "WEBAUTHN_ORIGINS",
    f"https://{_site.netloc}"
    if _site.scheme == "https"
    else "http://localhost" + (f":{_site.port}" if _site.port else ""),
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is the second factor, not the only

# Uploaded files (advice attachments). Never served as public media: only through views
# that check access (smertespor.advice.views.attachment_download).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

# Advice (sparring): the clinic's reply target per urgency, in working days (weekends and
# Danish public holidays excluded; "optional" adds Christmas Eve, New Year's Eve, 1 May
# and Constitution Day). Attachments: PDF and images, 50 MB per message as MedCom allows.
ADVICE_TARGET_WORKING_DAYS = {
    "routine": _env_int("ADVICE_TARGET_WORKING_DAYS_ROUTINE", 3),
    "urgent": _env_int("ADVICE_TARGET_WORKING_DAYS_URGENT", 1),
}
ADVICE_HOLIDAY_CATEGORIES = _env_list("ADVICE_HOLIDAY_CATEGORIES", "public")

# Appointments (the clinic's course plan, the pain centre's course) are booked on working days
# (weekends and Danish public holidays closed) inside these local opening hours, HH:MM.
APPOINTMENT_OPENS = os.environ.get("APPOINTMENT_OPENS", "07:00")
APPOINTMENT_CLOSES = os.environ.get("APPOINTMENT_CLOSES", "17:00")
try:
    _opens, _closes = (time.fromisoformat(v) for v in (APPOINTMENT_OPENS, APPOINTMENT_CLOSES))
except ValueError as _error:
    raise ImproperlyConfigured(
        f"APPOINTMENT_OPENS and APPOINTMENT_CLOSES must be times as HH:MM ({_error})."
    ) from None
if not _opens < _closes:
    raise ImproperlyConfigured("APPOINTMENT_OPENS must be before APPOINTMENT_CLOSES.")
ADVICE_ATTACHMENT_MAX_BYTES = _env_int("ADVICE_ATTACHMENT_MAX_MB", 50) * 1024 * 1024
ADVICE_ATTACHMENT_MAX_FILES = _env_int("ADVICE_ATTACHMENT_MAX_FILES", 10)
for _urgency, _days in ADVICE_TARGET_WORKING_DAYS.items():
    if not 0 <= _days <= 60:
        raise ImproperlyConfigured(
            f"ADVICE_TARGET_WORKING_DAYS_{_urgency.upper()} must be 0 to 60, not {_days}."
        )
if not set(ADVICE_HOLIDAY_CATEGORIES) <= {"public", "optional"} or not ADVICE_HOLIDAY_CATEGORIES:
    raise ImproperlyConfigured(
        "ADVICE_HOLIDAY_CATEGORIES must be 'public', or 'public,optional', "
        f"not {','.join(ADVICE_HOLIDAY_CATEGORIES)!r}."
    )
if not 1 <= ADVICE_ATTACHMENT_MAX_BYTES <= 50 * 1024 * 1024:
    raise ImproperlyConfigured("ADVICE_ATTACHMENT_MAX_MB must be 1 to 50 (MedCom's limit).")
if not 0 <= ADVICE_ATTACHMENT_MAX_FILES <= 50:
    raise ImproperlyConfigured("ADVICE_ATTACHMENT_MAX_FILES must be 0 to 50.")

# The capacity forecast (docs/forecast.md): a rate is estimated from the recorded courses
# when at least FORECAST_MIN_COURSES courses inform it; otherwise these defaults are used
# (planning assumptions to replace with the region's own figures, not clinical facts).
FORECAST_MIN_COURSES = _env_int("FORECAST_MIN_COURSES", 30)
FORECAST_DEFAULT_RATES = {
    "new_per_month": 40.0,
    "early_handover_per_month": 0.03,
    "success_at_3_months": 0.6,
    "hospital_end_per_month": 0.15,
}
FORECAST_DEFAULT_SLOTS_PER_MONTH = _env_int("FORECAST_DEFAULT_SLOTS_PER_MONTH", 15)
if not 1 <= FORECAST_MIN_COURSES <= 10_000:
    raise ImproperlyConfigured("FORECAST_MIN_COURSES must be 1 to 10000.")
if not 0 <= FORECAST_DEFAULT_SLOTS_PER_MONTH <= 10_000:
    raise ImproperlyConfigured("FORECAST_DEFAULT_SLOTS_PER_MONTH must be 0 to 10000.")

# A request body larger than this is refused by its declared length before it is read (413):
# the largest upload (an advice message's attachments) plus room for the form around it.
REQUEST_MAX_BYTES = _env_int("REQUEST_MAX_MB", 51) * 1024 * 1024
if REQUEST_MAX_BYTES <= ADVICE_ATTACHMENT_MAX_BYTES:
    raise ImproperlyConfigured("REQUEST_MAX_MB must be larger than ADVICE_ATTACHMENT_MAX_MB.")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): only our own scripts and styles, no inline code,
# no plugins, no framing, forms post only to us. Templates carry no inline <script>, <style>,
# style="…" or on…= handler (smertespor/entry/tests/test_headers.py checks every role's
# pages); htmx's indicator styles come from our CSS (see base.html's htmx-config). The API
# docs (ninja's Swagger UI) are served from ninja's static files under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Permissions-Policy (smertespor.entry.headers): no camera, microphone, location, payment or
# USB; passkeys (WebAuthn) only from our own origin.
PERMISSIONS_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "publickey-credentials-get": "(self)",
    "publickey-credentials-create": "(self)",
}

# The API's docs (/api/docs) and schema (/api/openapi.json) describe every operation: public
# while developing, behind login in production (smertespor.entry.docs_access).
API_DOCS_PUBLIC = _env_bool("API_DOCS_PUBLIC", default=not IS_PRODUCTION)
if IS_PRODUCTION:
    # SECURE_COOKIES=0 only for `make serve` on http://127.0.0.1 (never behind a real host).
    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

# The audit log (docs/audit-log.md). Rows carry an HMAC under a key that lives outside the
# database: AUDIT_HMAC_KEYS="k2:<base64>,k1:<base64>" (the first signs new rows; the rest only
# verify, so a key can be rotated) or AUDIT_HMAC_KEYS_FILE, a file in the same format (one
# key per line or comma-separated). Outside production a fixed, public development key is
# used, named so that nobody mistakes it for a real one.
_DEV_AUDIT_KEY_ID = "dev-insecure-public-key"
AUDIT_HMAC_KEYS = _audit_keys(
    os.environ.get("AUDIT_HMAC_KEYS", ""), os.environ.get("AUDIT_HMAC_KEYS_FILE", "")
)
if not AUDIT_HMAC_KEYS:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "Production needs AUDIT_HMAC_KEYS (or AUDIT_HMAC_KEYS_FILE): key_id:base64 of 32+ "
            "random bytes, kept outside the database (docs/audit-log.md)."
        )
    AUDIT_HMAC_KEYS = {_DEV_AUDIT_KEY_ID: hashlib.sha256(b"smertespor development audit").digest()}
elif IS_PRODUCTION and (
    _DEV_AUDIT_KEY_ID in AUDIT_HMAC_KEYS or min(len(k) for k in AUDIT_HMAC_KEYS.values()) < 32
):
    raise ImproperlyConfigured("Production audit keys must be 32+ random bytes, not the dev key.")
# Where `manage.py anchor_audit_log` appends the signed head of the seal chain. Production: a
# file on another host or a write-once store (the database's owner must not reach it).
AUDIT_ANCHOR_FILE = os.environ.get(
    "AUDIT_ANCHOR_FILE", "" if IS_PRODUCTION else str(BASE_DIR / "var" / "audit-anchors.jsonl")
)
# A gap in the sequence (a rolled-back transaction) is sealed over only once the row after it
# is this old; a younger gap may still be a transaction in flight, so the sealer waits.
AUDIT_SEAL_GRACE_SECONDS = _env_int("AUDIT_SEAL_GRACE_SECONDS", 60)
AUDIT_SEAL_BATCH_ROWS = _env_int("AUDIT_SEAL_BATCH_ROWS", 5000)
if not 0 <= AUDIT_SEAL_GRACE_SECONDS <= 24 * 60 * 60:
    raise ImproperlyConfigured("AUDIT_SEAL_GRACE_SECONDS must be 0 to 86400.")
if not 1 <= AUDIT_SEAL_BATCH_ROWS <= 1_000_000:
    raise ImproperlyConfigured("AUDIT_SEAL_BATCH_ROWS must be 1 to 1000000.")

# CPR numbers are masked when a log record is made (smertespor.audit.logging), so no
# handler ever sees one.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if IS_PRODUCTION else "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'plain' or 'json', not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
        "json": {"()": "config.logformat.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

NINJA_PAGINATION_PER_PAGE = 50

# OMEQ warning thresholds (mg/day, "at or above"); defaults from domain/data/omeq_settings.toml.
_OMEQ_DEFAULTS = default_thresholds()
OMEQ_REASSESS_MG_PER_DAY = _env_int(
    "OMEQ_REASSESS_MG_PER_DAY", int(_OMEQ_DEFAULTS.reassess_mg_per_day)
)
OMEQ_HIGH_MG_PER_DAY = _env_int("OMEQ_HIGH_MG_PER_DAY", int(_OMEQ_DEFAULTS.high_mg_per_day))
try:
    Thresholds(Decimal(OMEQ_REASSESS_MG_PER_DAY), Decimal(OMEQ_HIGH_MG_PER_DAY))
except SettingsError as error:
    raise ImproperlyConfigured(f"OMEQ_REASSESS/HIGH_MG_PER_DAY: {error.message}") from None

# The practice track's 3-month rule; defaults from domain/data/track_rule.toml.
_TRACK_RULE = default_rule_settings()
TRACKS_RULE_PERIOD_MONTHS = _env_int("TRACKS_RULE_PERIOD_MONTHS", _TRACK_RULE.period_months)
TRACKS_SUCCESS_DEFINITION = os.environ.get(
    "TRACKS_SUCCESS_DEFINITION", _TRACK_RULE.success_definition.value
)
TRACKS_APPROACHING_DAYS = _env_int("TRACKS_APPROACHING_DAYS", _TRACK_RULE.approaching_days)
# The GP's worklist lists follow-ups due within this many days (and every overdue one).
TRACKS_FOLLOW_UP_DUE_DAYS = _env_int("TRACKS_FOLLOW_UP_DUE_DAYS", 7)
# How a course without success is judged at its deadline: the tolerance against the taper
# plan's expected dose (% of the plan's start), whether being on plan keeps the course in the
# practice track, and when a kept course is reviewed again (calendar months).
TRACKS_REVIEW_MONTHS = _env_int("TRACKS_REVIEW_MONTHS", _TRACK_RULE.review_months)
TRACKS_ON_PLAN_KEEPS_COURSE = _env_bool(
    "TRACKS_ON_PLAN_KEEPS_COURSE", default=_TRACK_RULE.on_plan_keeps_course
)
_tolerance = os.environ.get(
    "TRACKS_ON_PLAN_TOLERANCE_PERCENT", str(_TRACK_RULE.on_plan_tolerance_percent)
)
try:
    TRACKS_ON_PLAN_TOLERANCE_PERCENT = Decimal(_tolerance)
except ArithmeticError:
    raise ImproperlyConfigured(
        f"TRACKS_ON_PLAN_TOLERANCE_PERCENT must be a number, not {_tolerance!r}"
    ) from None
try:
    RuleSettings(
        TRACKS_RULE_PERIOD_MONTHS,
        SuccessDefinition(TRACKS_SUCCESS_DEFINITION),
        TRACKS_APPROACHING_DAYS,
        review_months=TRACKS_REVIEW_MONTHS,
        on_plan_tolerance_percent=TRACKS_ON_PLAN_TOLERANCE_PERCENT,
        on_plan_keeps_course=TRACKS_ON_PLAN_KEEPS_COURSE,
    )
except ValueError:
    raise ImproperlyConfigured(
        "TRACKS_SUCCESS_DEFINITION must be one of "
        f"{', '.join(d.value for d in SuccessDefinition)}, not {TRACKS_SUCCESS_DEFINITION!r}"
    ) from None
except RuleSettingsError as error:
    raise ImproperlyConfigured(
        f"TRACKS_RULE_PERIOD_MONTHS/APPROACHING_DAYS/REVIEW_MONTHS/ON_PLAN_*: {error.message}"
    ) from None
if not 0 <= TRACKS_FOLLOW_UP_DUE_DAYS <= 366:
    raise ImproperlyConfigured("TRACKS_FOLLOW_UP_DUE_DAYS must be 0 to 366.")

# Taper plan defaults (shared/reference/tapering-and-care.md: CDC 2022 and HHS 2019, 10 % a
# month or slower after long-term use; slow down near the end). 0 % below: no slow-down.
TAPER_DEFAULT_STEP_PERCENT = _env_int("TAPER_DEFAULT_STEP_PERCENT", 10)
TAPER_DEFAULT_INTERVAL_DAYS = _env_int("TAPER_DEFAULT_INTERVAL_DAYS", 28)
TAPER_DEFAULT_SLOW_DOWN_BELOW_PERCENT = _env_int("TAPER_DEFAULT_SLOW_DOWN_BELOW_PERCENT", 50)
TAPER_DEFAULT_SLOW_DOWN_STEP_PERCENT = _env_int("TAPER_DEFAULT_SLOW_DOWN_STEP_PERCENT", 50)
if not 1 <= TAPER_DEFAULT_STEP_PERCENT <= 50:
    raise ImproperlyConfigured("TAPER_DEFAULT_STEP_PERCENT must be 1 to 50.")
if not 1 <= TAPER_DEFAULT_INTERVAL_DAYS <= 365:
    raise ImproperlyConfigured("TAPER_DEFAULT_INTERVAL_DAYS must be 1 to 365.")
if not 0 <= TAPER_DEFAULT_SLOW_DOWN_BELOW_PERCENT <= 99:
    raise ImproperlyConfigured("TAPER_DEFAULT_SLOW_DOWN_BELOW_PERCENT must be 0 to 99.")
if not 1 <= TAPER_DEFAULT_SLOW_DOWN_STEP_PERCENT <= 100:
    raise ImproperlyConfigured("TAPER_DEFAULT_SLOW_DOWN_STEP_PERCENT must be 1 to 100.")
# Never stop a product from more than this OMEQ a day (issue 11); 0: the default of
# domain/data/taper_settings.toml (30 mg OMEQ, with its rationale and sources).
TAPER_STOP_THRESHOLD_MG_OMEQ = _env_int("TAPER_STOP_THRESHOLD_MG_OMEQ", 0)
if not 0 <= TAPER_STOP_THRESHOLD_MG_OMEQ <= 1000:
    raise ImproperlyConfigured("TAPER_STOP_THRESHOLD_MG_OMEQ must be 0 to 1000.")

# Screening of dispensing data (docs/screening.md): the region's key for the keyed pseudonym
# of the CPR number (HMAC-SHA256, hex). Outside production a fixed, public development key; in
# production none unless set, and then flagged persons are not matched to patients (counts per
# practice still work), so a region that does not screen needs no key.
_DEV_SCREENING_KEY = hashlib.sha256(b"smertespor development screening pseudonyms").hexdigest()
SCREENING_PSEUDONYM_KEY = os.environ.get(
    "SCREENING_PSEUDONYM_KEY", "" if IS_PRODUCTION else _DEV_SCREENING_KEY
)
try:
    if SCREENING_PSEUDONYM_KEY and len(bytes.fromhex(SCREENING_PSEUDONYM_KEY)) < 16:
        raise ValueError
except ValueError:
    raise ImproperlyConfigured("SCREENING_PSEUDONYM_KEY must be hex of 16 or more bytes.") from None
if IS_PRODUCTION and SCREENING_PSEUDONYM_KEY == _DEV_SCREENING_KEY:
    raise ImproperlyConfigured("SCREENING_PSEUDONYM_KEY is the public development key.")
# Evaluation (docs/evaluation.md): a rate, mean or median is not shown outside the patients'
# own practice when fewer than this many people are below the line (counts 1-4 are "< 5").
EVALUATION_MIN_DENOMINATOR = _env_int("EVALUATION_MIN_DENOMINATOR", 10)
if not 1 <= EVALUATION_MIN_DENOMINATOR <= 1000:
    raise ImproperlyConfigured("EVALUATION_MIN_DENOMINATOR must be 1 to 1000.")
