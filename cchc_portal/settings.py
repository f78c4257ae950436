"""Settings for CCHC Portal, read from the environment.

Development needs no configuration: an SQLite file next to the project, DEBUG on,
local-memory cache. Production (``DEBUG`` false, the default outside development)
refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``.

Environment: DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, CACHE_URL,
CSRF_TRUSTED_ORIGINS, STATIC_ROOT, LOG_LEVEL, TASKS_BACKEND, IMPORT_MAX_BYTES,
IMPORT_MAX_UNPACKED_BYTES, IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS, IMPORT_MAX_CELLS,
FRAMEWORK_MAX_CRITERIA, IMPORT_BACKGROUND_BYTES, PUBLIC_CACHE_SECONDS, PUBLIC_MAX_AGE,
PUBLIC_VERSION_SECONDS, WEB_STATEMENT_TIMEOUT_SECONDS, AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES,
SESSION_COOKIE_AGE, TRUSTED_PROXY_COUNT, MEDIA_ROOT, FILE_STORAGE_BACKEND, FILE_STORAGE_OPTIONS,
EVIDENCE_MAX_BYTES, EVIDENCE_UNIT_MAX_BYTES, EVIDENCE_MAX_FILES, EMAIL_URL, DEFAULT_FROM_EMAIL,
PORTAL_URL, OPEN_DATA_LICENCE, OPEN_DATA_LICENCE_URL, BOUNDARIES_MAX_BYTES, BOUNDARIES_UPLOAD_MAX_BYTES, MAP_MAX_UNITS.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file is a convenience for development; the real environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = [host for host in env.list("ALLOWED_HOSTS", default=[]) if host]
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
else:
    SECRET_KEY = SECRET_KEY or "development-only-insecure-key"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "staff.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "cchc_portal.apps.AxesConfig",  # django-axes
    "csp",
    "cchc_portal.apps.PortalConfig",
    "units",
    "scoring",
    "assessments",
    "dossiers",
    "staff.apps.StaffConfig",
    "public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "cchc_portal.middleware.RequestLimitsMiddleware",
    "cchc_portal.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staff.middleware.VisibilityMiddleware",  # request.visibility: the frameworks the user may see
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers a locked-out login
]

# The reverse proxies in front of the portal that append the address they were reached
# from to X-Forwarded-For (0: none, the portal is reached directly). The client's
# address is the one the outermost of them saw (cchc_portal.clients).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Logins: django-axes counts failed attempts per pair of user name and client address;
# after AXES_FAILURE_LIMIT of them that pair, and only that pair, is locked out for
# AXES_COOLOFF_MINUTES: a stranger's wrong passwords cannot lock a user out everywhere,
# nor can the proxy's one address make everyone a single client.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "staff.sites.AdministratorBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the pair, not either alone
AXES_CLIENT_IP_CALLABLE = "cchc_portal.clients.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cchc_portal.views.locked_out"
# Staff sessions end with the browser or after a working day, and their cookies are
# out of JavaScript's reach.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

ROOT_URLCONF = "cchc_portal.urls"
WSGI_APPLICATION = "cchc_portal.wsgi.application"

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
                "cchc_portal.licence.context",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes the write lock when it begins, as PostgreSQL's row locks are taken by
    # the services: a write reads its framework's state only once no other write can change it.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Web requests' statements end after this (PostgreSQL; cchc_portal/wsgi.py), under gunicorn's
# 30-second worker timeout; 0: no limit. Commands and the background worker have none.
WEB_STATEMENT_TIMEOUT_SECONDS = env.int("WEB_STATEMENT_TIMEOUT_SECONDS", default=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://cchc")}
# Public pages: how long a rendered page stays in the cache (0: not cached; a change
# of the data makes a new key anyway), and how long browsers and proxies may reuse it
# before they revalidate (a 304 when nothing changed).
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=3600)
PUBLIC_MAX_AGE = env.int("PUBLIC_MAX_AGE", default=60)
# How long a process trusts the data version it read (seconds; 0: read it for every request).
PUBLIC_VERSION_SECONDS = env.float("PUBLIC_VERSION_SECONDS", default=1.0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["cchc_portal.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "cchc_portal.staticfiles.PlotlyFinder",
]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Uploaded files (assessment evidence): never served from a URL of their own, only
# through a view that checks the reader (assessments). The file system under
# MEDIA_ROOT by default; several app servers share any django-storages backend, e.g.
# FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage with its options as JSON in
# FILE_STORAGE_OPTIONS (the package installed alongside).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": env.str("FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("FILE_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # Hashed names, which WhiteNoise serves with a ten-year max-age and "immutable";
            # an unhashed name (none is linked) gets a minute.
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The largest boundaries file import_boundaries reads (GeoJSON), the largest the admin
# accepts (read into memory in a web worker), and the most units a map draws.
BOUNDARIES_MAX_BYTES = env.int("BOUNDARIES_MAX_BYTES", default=200 * 2**20)
BOUNDARIES_UPLOAD_MAX_BYTES = env.int("BOUNDARIES_UPLOAD_MAX_BYTES", default=30 * 2**20)
MAP_MAX_UNITS = env.int("MAP_MAX_UNITS", default=600)

# The open-data licence of the published figures, in the footer, downloads and API.
OPEN_DATA_LICENCE = env.str("OPEN_DATA_LICENCE", default="CC BY 4.0")
OPEN_DATA_LICENCE_URL = env.str("OPEN_DATA_LICENCE_URL", default="https://creativecommons.org/licenses/by/4.0/")

# Production hardening; all of these are harmless behind TLS and off in development.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# HSTS: a year, for the portal's host and the names under it (a portal lives on its own
# host, e.g. cchc.example.gov.vn, so this does not reach the department's other sites).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp), on every response, development included, so a
# page that breaks it breaks in the tests: the pages load scripts, styles and images from
# the site only, and nothing inline (no 'unsafe-inline', no 'unsafe-eval'). Data is handed
# to scripts with json_script, whose <script type="application/json"> is not executed.
# plotly.js would add its stylesheet as a <style> element: the page names the site's copy
# of it instead (static/css/plotly.css, see templates/base.html), and plotly.js leaves it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): the portal uses none of these features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Imports (units, criteria, scores): the largest file accepted, and for xlsx/ods
# (zip files) the most they may unpack to, against zip bombs.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 2**20)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=200 * 2**20)
# The largest grid a spreadsheet's sheet (or a CSV) may make, checked before it is built
# (cchc_portal/sheet_extent.py): the national long CSV has 401,600 rows of 3 cells, the
# wide file 10,040 rows of 43.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=500_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=1_000)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=4_000_000)
# The most criteria one framework may hold, typed or from a file (a real one has under 200).
FRAMEWORK_MAX_CRITERIA = env.int("FRAMEWORK_MAX_CRITERIA", default=1_000)
# An upload larger than this is checked and imported in the background (a task
# run by `manage.py db_worker`); a smaller one at once, in the request.
IMPORT_BACKGROUND_BYTES = env.int("IMPORT_BACKGROUND_BYTES", default=256 * 2**10)

# Mail (the assessment round's notifications): SMTP from EMAIL_URL in production
# (smtp+tls://user:password@host:587), printed to the console in development.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="cchc-portal@localhost")
# The portal's address as the mails link to it.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")

# Evidence files of an assessment: at most this much a file and a unit's round, and
# this many files a criterion.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 2**20)
EVIDENCE_UNIT_MAX_BYTES = env.int("EVIDENCE_UNIT_MAX_BYTES", default=500 * 2**20)
EVIDENCE_MAX_FILES = env.int("EVIDENCE_MAX_FILES", default=10)

# Background tasks: django-tasks, queued in the database (`manage.py db_worker`
# runs them). TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
# runs them at once instead (tests).
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# django-import-export: our Revision rows are the audit trail of imports, and
# importing into a model needs the permission to change it.
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
