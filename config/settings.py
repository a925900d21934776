"""Cordon settings: one module, every value from the environment.

With no variable set, the embedded default runs: SQLite under var/ and a
filesystem Celery broker under var/broker/, so a machine with only Python can
run the whole hub. `.env.example` lists every variable.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("CORDON_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-embedded-default-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN
    "agencies",
    "sharing",
    "hub",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "agencies.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hub.web.middleware.WebSecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hub.web.context.web_context",
            ],
            "libraries": {"web": "hub.web.templatetags"},
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cordon.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; the timeout rides
    # out the short write locks the embedded default shares between processes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "web:login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Web sessions: an analyst's session ends after 8 hours or when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
# Web sign-in throttling: this many failures per username and address lock it out for a while.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["agencies.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["agencies.auth.IsAgencyCaller"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "agencies.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cordon API",
    "DESCRIPTION": "Cross-agency hub for signed export-control intelligence.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Request bodies over these sizes are refused with 413 before they are parsed.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
SANCTIONS_MAX_BODY_BYTES = env.int("SANCTIONS_MAX_BODY_BYTES", default=64 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = SANCTIONS_MAX_BODY_BYTES

# Custodial private keys are encrypted at rest with this key (any string; a
# Fernet key is derived from it). Defaults to one derived from SECRET_KEY.
CUSTODIAL_KEY_SECRET = env.str("CUSTODIAL_KEY_SECRET", default=SECRET_KEY)

# Celery: Redis when REDIS_URL is set, otherwise an embedded filesystem broker.
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://localhost//"  # a host name keeps kombu from warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
# The cache (sign-in throttling) is shared by every web process: through Redis when
# REDIS_URL is set, otherwise through files under var/ (the embedded default).
CACHES = {
    "default": (
        {
            "BACKEND": "config.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cordon-cache",
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE: dict = {}
# Task modules outside an app's top-level tasks.py (autodiscovery finds only those).
CELERY_IMPORTS = ["hub.screening.tasks"]
# Screening: a report party scoring at or above this is a hit (DESIGN 5).
SCREENING_THRESHOLD = env.float("SCREENING_THRESHOLD", default=0.7)
# Screening: publications hint a task that screens every due report; this
# sweep catches a lost hint.
SCREENING_SWEEP_SECONDS = env.float("SCREENING_SWEEP_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE["screening-reports-sweep"] = {
    "task": "screening.reports_screen",
    "schedule": SCREENING_SWEEP_SECONDS,
}
# Distribution: the sweeper re-enqueues deliveries that are due and not in
# flight, so nothing depends on a broker message surviving.
DELIVERY_SWEEP_SECONDS = env.float("DELIVERY_SWEEP_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE["sharing-deliveries-sweep"] = {
    "task": "sharing.deliveries_sweep",
    "schedule": DELIVERY_SWEEP_SECONDS,
}
# Seconds between webhook attempts (with +/-10 % jitter); dead after the last.
DELIVERY_RETRY_SCHEDULE = env.list(
    "DELIVERY_RETRY_SCHEDULE",
    cast=float,
    default=[5, 300, 1800, 7200, 18000, 36000, 86400, 86400],
)
# An in-flight claim older than this means its worker died: release and retry.
DELIVERY_CLAIM_STALE_SECONDS = env.float("DELIVERY_CLAIM_STALE_SECONDS", default=120.0)
# The sweeper leaves a delivery alone this long after enqueueing it.
DELIVERY_REENQUEUE_AFTER_SECONDS = env.float("DELIVERY_REENQUEUE_AFTER_SECONDS", default=60.0)
# Retries due sooner than this ride a broker countdown; later ones wait for the sweeper.
DELIVERY_COUNTDOWN_MAX_SECONDS = env.float("DELIVERY_COUNTDOWN_MAX_SECONDS", default=60.0)
# The `iss` of what the hub signs itself; HUB_SIGNING_KEY (a private Ed25519
# JWK, JSON) pins its key, otherwise one is generated and kept encrypted.
HUB_ISSUER = env.str("HUB_ISSUER", default="CORDON-HUB")
HUB_SIGNING_KEY = env.str("HUB_SIGNING_KEY", default="")

# Webhooks: refuse loopback and private targets unless explicitly allowed.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)

# Tests: with HUB_REQUIRE_SERVICES=1, tests needing PostgreSQL, Redis or a
# worker fail instead of skipping.
HUB_REQUIRE_SERVICES = env.bool("HUB_REQUIRE_SERVICES", default=False)
