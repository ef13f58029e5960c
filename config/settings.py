"""UMIS settings: one file, driven by the environment (UMIS_*, DATABASE_URL, SECRET_KEY).

`UMIS_ENV=production` turns on every production safeguard; the demo (`make run`) and
the tests use `UMIS_ENV=development`, which only relaxes what a laptop cannot provide
(HTTPS, a real secret, the staff second factor when UMIS_STAFF_MFA=false).
"""

from __future__ import annotations

import re
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("UMIS_VAR_DIR", str(BASE_DIR / "var")))
# room for the e-visa photos kept while their form is corrected (umis.visas.pending)
UMIS_PENDING_PHOTOS_MB = env_int("UMIS_PENDING_PHOTOS_MB", 500)

UMIS_ENV = env_str("UMIS_ENV", "development")
if UMIS_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"UMIS_ENV={UMIS_ENV!r}: use development or production")
PRODUCTION = UMIS_ENV == "production"

SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else "development-only-not-a-secret")
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
# The key of the audit seals' signatures (HMAC-SHA256): kept out of the database, so that
# someone who can rewrite the audit tables cannot make a seal that verifies (ADR 0002).
UMIS_AUDIT_KEY = env_str(
    "UMIS_AUDIT_KEY", "" if PRODUCTION else "development-only-audit-key-not-a-secret"
)
if PRODUCTION and len(UMIS_AUDIT_KEY) < 32:
    raise ImproperlyConfigured("UMIS_AUDIT_KEY must be at least 32 characters in production")
# Keys the seals were signed with before, oldest first (comma- or line-separated; also
# from the file UMIS_AUDIT_RETIRED_KEYS_FILE): old seals verify with the key they name, and
# new seals are signed with UMIS_AUDIT_KEY only (key rotation, ADR 0002).
UMIS_AUDIT_RETIRED_KEYS = [
    key.strip() for key in re.split(r"[,\n]", env_str("UMIS_AUDIT_RETIRED_KEYS", "")) if key.strip()
]
if PRODUCTION and any(len(key) < 32 for key in UMIS_AUDIT_RETIRED_KEYS):
    raise ImproperlyConfigured("UMIS_AUDIT_RETIRED_KEYS: each key is at least 32 characters")
DEBUG = env_bool("UMIS_DEBUG", False)
ALLOWED_HOSTS = env_list("UMIS_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
# The public address printed in barcodes (verification links).
UMIS_PUBLIC_URL = env_str("UMIS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_otp",
    "umis.core.vendor_apps.TotpConfig",
    "umis.core.vendor_apps.AxesConfig",
    "ninja",
    "django_tasks",
    "umis.core.vendor_apps.TasksConfig",
    "umis.core",
    "umis.accounts",
    "umis.audit",
    "umis.reference",
    "umis.cases",
    "umis.documents",
    "umis.people",
    "umis.screening",
    "umis.stays",
    "umis.payments",
    "umis.visas",
    "umis.border",
    "umis.api",
    "umis.reports",
    "umis.portal",
    "umis.backoffice",
    "umis.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "umis.core.middleware.SecurityHeadersMiddleware",
    "umis.audit.middleware.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "umis.core.middleware.AdminLanguageMiddleware",
    "umis.core.middleware.ApiLanguageMiddleware",
    "umis.api.middleware.ApiRateLimitMiddleware",
    "umis.api.middleware.ApiMethodMiddleware",
    "django.middleware.common.CommonMiddleware",
    "umis.core.middleware.UnstorableInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "umis.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Form widgets are rendered with the project's templates, so templates/ can name fields
# that Django's own widget templates leave unlabelled (the admin's date and time inputs).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite (WAL, synchronous=FULL) by default; PostgreSQL via DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'umis.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("UMIS_DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"].setdefault("OPTIONS", {})
# Prepared reads (umis.core.prepared) are also prepared on the PostgreSQL server, once per
# session; off behind a pooler that moves sessions between clients (PgBouncer, transaction mode).
UMIS_DB_PREPARE = env_bool("UMIS_DB_PREPARE", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "backoffice:home"

# Staff sign-in: second factor (TOTP) required unless switched off for a demo.
UMIS_STAFF_MFA = env_bool("UMIS_STAFF_MFA", PRODUCTION)
if PRODUCTION and not UMIS_STAFF_MFA:
    raise ImproperlyConfigured("UMIS_STAFF_MFA cannot be switched off in production")
# Screening: a name pair at or above this score is a match; a screening hit raises an alert.
UMIS_NAME_MATCH_THRESHOLD = float(env_str("UMIS_NAME_MATCH_THRESHOLD", "85"))
UMIS_SCREENING_THRESHOLD = float(env_str("UMIS_SCREENING_THRESHOLD", "85"))
# The web server and the task worker build the screening index in the background at start.
UMIS_SCREENING_WARM = env_bool("UMIS_SCREENING_WARM", True)
# ... and then catch it up with the watchlists' changes every this many seconds (0: only when
# a screening comes, inside its request).
UMIS_SCREENING_FOLLOW_SECONDS = float(env_str("UMIS_SCREENING_FOLLOW_SECONDS", "2"))
# The cyclic garbage collector's thresholds in the web server and the worker processes
# (umis.core.collector): generation 0 every 50,000 net allocations instead of Python's 700
# ("700,10,10" restores Python's defaults).
_gc = env_list("UMIS_GC_THRESHOLDS", ["50000", "20", "10"])
if len(_gc) != 3 or not all(n.isdigit() and int(n) > 0 for n in _gc):
    raise ImproperlyConfigured(f"UMIS_GC_THRESHOLDS={_gc!r} must be three positive integers")
UMIS_GC_THRESHOLDS = [int(n) for n in _gc]
# parallel PostgreSQL workers for the overstay job's history query (0: none)
UMIS_OVERSTAY_PARALLEL_WORKERS = env_int("UMIS_OVERSTAY_PARALLEL_WORKERS", 2)

UMIS_STAFF_IDLE_SECONDS = env_int("UMIS_STAFF_IDLE_SECONDS", 15 * 60)
UMIS_STAFF_ABSOLUTE_SECONDS = env_int("UMIS_STAFF_ABSOLUTE_SECONDS", 8 * 3600)
OTP_TOTP_ISSUER = "UMIS"

# Requests a caller may make per minute (0: no limit), beyond which the answer is 429 with
# Retry-After: an API client (its key), API calls without a key (per address), the
# public look-ups of the portal that answer from personal data (per address), the
# foreigner's own place-of-stay filings and his endings of them ("I have left", per address,
# each apart from the look-ups) and sign-in attempts (per address).
UMIS_RATE_LIMITS = {
    "api_client": env_int("UMIS_RATE_LIMIT_API_CLIENT", 12_000),
    "api_anonymous": env_int("UMIS_RATE_LIMIT_API_ANONYMOUS", 300),
    "lookup": env_int("UMIS_RATE_LIMIT_LOOKUP", 20),
    "stay_filing": env_int("UMIS_RATE_LIMIT_STAY_FILING", 20),
    "stay_ending": env_int("UMIS_RATE_LIMIT_STAY_ENDING", 20),
    "sign_in": env_int("UMIS_RATE_LIMIT_SIGN_IN", 30),
}
# How long a submission's answer is kept for a retry with the same Idempotency-Key.
UMIS_IDEMPOTENCY_DAYS = env_int("UMIS_IDEMPOTENCY_DAYS", 7)
AXES_FAILURE_LIMIT = env_int("UMIS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# a success clears the failures of its own account only, never the address's
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "umis.accounts.lockout.AccountLockoutHandler"
AXES_ENABLED = env_bool("UMIS_AXES_ENABLED", True)
if PRODUCTION and not AXES_ENABLED:
    raise ImproperlyConfigured("UMIS_AXES_ENABLED cannot be switched off in production")
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# the caller's address as the audit log and the rate limits see it: X-Forwarded-For only
# behind a proxy of ours (UMIS_BEHIND_PROXY), else the connection's address
AXES_CLIENT_IP_CALLABLE = "umis.audit.middleware.client_ip"

LANGUAGE_CODE = "az"
LANGUAGES = [("az", _("Azerbaijani")), ("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Baku"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = not PRODUCTION

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UMIS_MAX_REQUEST_BYTES", 12 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# an uploaded file is kept only up to the same size (umis/core/uploads.py)
FILE_UPLOAD_HANDLERS = [
    "umis.core.uploads.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Security headers and cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "umis.portal.views.csrf_failure"
SESSION_COOKIE_AGE = UMIS_STAFF_ABSOLUTE_SECONDS
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("UMIS_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if env_bool("UMIS_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
UMIS_BEHIND_PROXY = env_bool("UMIS_BEHIND_PROXY", False)
CSRF_TRUSTED_ORIGINS = env_list("UMIS_CSRF_TRUSTED_ORIGINS", [])

TASKS = {
    "default": {
        "BACKEND": env_str("UMIS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = env_str("UMIS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("UMIS_FROM_EMAIL", "noreply@migration.gov.az")

# Documents: the signer identity printed in seals.
# Reference data (countries, regions, registration rules, holidays) is re-read at most
# this often by each process; 0 reads it on every request.
UMIS_REFERENCE_CACHE_SECONDS = env_int("UMIS_REFERENCE_CACHE_SECONDS", 30)
UMIS_SEAL_COUNTRY = env_str("UMIS_SEAL_COUNTRY", "AZE")
UMIS_SEAL_SIGNER = env_str("UMIS_SEAL_SIGNER", "AZSM")
UMIS_COUNTRY = env_str("UMIS_COUNTRY", "AZ")  # for public holidays

# Payments: the acquirer adapter, its hosted page and the shared HMAC secret.
UMIS_PAYMENT_GATEWAY = env_str("UMIS_PAYMENT_GATEWAY", "umis.payments.gateway.SimulatorGateway")
UMIS_PAYMENT_SIMULATOR_PORT = env_int("UMIS_PAYMENT_SIMULATOR_PORT", 8001)
UMIS_PAYMENT_GATEWAY_URL = env_str(
    "UMIS_PAYMENT_GATEWAY_URL", f"http://127.0.0.1:{UMIS_PAYMENT_SIMULATOR_PORT}"
)
UMIS_PAYMENT_SECRET = env_str(
    "UMIS_PAYMENT_SECRET", "" if PRODUCTION else "simulator-shared-secret-not-for-production"
)
if PRODUCTION and len(UMIS_PAYMENT_SECRET) < 32:
    raise ImproperlyConfigured("UMIS_PAYMENT_SECRET must be at least 32 characters in production")
UMIS_PAYMENT_CALLBACK_BASE = env_str("UMIS_PAYMENT_CALLBACK_BASE", UMIS_PUBLIC_URL)
UMIS_PAYMENT_STATEMENT_DIR = Path(
    env_str("UMIS_PAYMENT_STATEMENT_DIR", str(VAR_DIR / "payment-statements"))
)
# How long a payer back from the gateway's page waits for the gateway's notification before
# paying is offered again (no second payment meanwhile), and how often the e-visa status
# page reloads itself during that wait.
UMIS_PAYMENT_CONFIRMATION_WAIT_MINUTES = env_int("UMIS_PAYMENT_CONFIRMATION_WAIT_MINUTES", 15)
if UMIS_PAYMENT_CONFIRMATION_WAIT_MINUTES < 1:
    raise ImproperlyConfigured("UMIS_PAYMENT_CONFIRMATION_WAIT_MINUTES must be at least 1")
UMIS_EVISA_STATUS_RELOAD_SECONDS = env_int("UMIS_EVISA_STATUS_RELOAD_SECONDS", 10)
if UMIS_EVISA_STATUS_RELOAD_SECONDS < 1:
    raise ImproperlyConfigured("UMIS_EVISA_STATUS_RELOAD_SECONDS must be at least 1")
# Statistics: in tables by nationality (and any other table an app marks sensitive) counts
# from 1 to this value less one are shown as "<N", so that nobody is recognised from them.
UMIS_REPORTS_SMALL_COUNT = env_int("UMIS_REPORTS_SMALL_COUNT", 5)
if UMIS_REPORTS_SMALL_COUNT < 2:
    raise ImproperlyConfigured("UMIS_REPORTS_SMALL_COUNT must be at least 2")
# E-visa: whether the fee is refunded when an application is refused after payment.
UMIS_EVISA_REFUND_ON_REFUSAL = env_bool("UMIS_EVISA_REFUND_ON_REFUSAL", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # request paths and lines lose their query strings and verification codes (personal data)
    "filters": {"personal_data": {"()": "umis.core.redact.PersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env_str("UMIS_LOG_LEVEL", "WARNING")},
    "loggers": {
        "umis": {"level": env_str("UMIS_LOG_LEVEL", "INFO")},
        # runserver's request lines, through the same filter
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
