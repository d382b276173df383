"""Settings for Insight Swarm CMS, read from the environment (see .env.example).

One module for every machine: a laptop runs on the defaults (SQLite, local-memory
cache, DEBUG from a generated .env), production sets the variables.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already set in the process win over the file, so CI and production
# can override any line of a developer's .env. ENV_FILE names another file
# (or /dev/null for none).
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)

# Only a development machine may run on a known key; anywhere else a missing
# key would sign sessions and password-reset links with a public value.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(see .env.example); only DEBUG=on may run without one."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])

# The public address of the site, used for canonical URLs and the sitemap.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "insightswarm.apps.InsightSwarmAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # SearchVectorField and the search expressions; harmless on SQLite.
    "django.contrib.postgres",
    # Failed sign-ins counted per account and per address (see "Sign-in" below).
    "axes",
    "compounds",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so that the files it serves get these headers too.
    "insightswarm.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "insightswarm.middleware.SessionIdleExpiryMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag and Last-Modified checks: a page that has not changed answers 304.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Answers a locked-out sign-in with the lockout page; after the others, as axes asks.
    "axes.middleware.AxesMiddleware",
]
if env.list("DATABASE_REPLICA_URLS", default=[]):
    # Around the view, before axes (which asks to be last): a public view's reads go to a
    # replica that has replayed the last decision.
    MIDDLEWARE.insert(-1, "insightswarm.replicas.PublicReadsFromReplicas")

# Pages load nothing from elsewhere and run no inline script (JSON-LD is a data
# block), so one strict policy needs no nonce and a page can be cached whole.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Headers of every response, for browsers' own protections. Django's SecurityMiddleware
# sends Referrer-Policy (nothing leaves for other sites: a patient's reading stays
# private), X-Content-Type-Options and Cross-Origin-Opener-Policy;
# insightswarm.middleware sends Permissions-Policy and Cross-Origin-Resource-Policy.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
# No script of the site reads the CSRF cookie: the forms carry the token.
CSRF_COOKIE_HTTPONLY = True

ROOT_URLCONF = "insightswarm.urls"

TEMPLATES = [
    # The public pages (pages/jinja2/), in Jinja2 for speed: see pages/templating.py.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "pages.templating.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "pages.addresses.site",
                # The site's own pages that are live: the footer and bylines link them.
                "pages.live.links_context",
            ],
        },
    },
    # The admin and the sign-in pages (templates/ and the apps' templates/).
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pages.addresses.site",
            ],
        },
    },
]

WSGI_APPLICATION = "insightswarm.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Connections are kept between requests and checked before reuse, so a database
# restart costs no failed request. Behind a transaction-mode pooler (PgBouncer),
# set CONN_MAX_AGE=0 and let the pooler keep the connections.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
# The public pages' few queries (pages/live.py, Prepared) are server-side prepared
# statements on PostgreSQL: planning a review page's query cost five times running it.
# A transaction-mode pooler must support them (PgBouncer 1.21+ with
# max_prepared_statements set); otherwise set DATABASE_PREPARED_STATEMENTS=off.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

# Streaming replicas of the PostgreSQL primary, for public reads (insightswarm/replicas.py):
# a public page reads a replica only once it has replayed the last decision, else the
# primary; the admin and every write use the primary. None by default.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    _replica = environ.Env.db_url_config(_url)
    if "postgresql" not in _replica["ENGINE"] or "postgresql" not in DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS names PostgreSQL streaming replicas of a PostgreSQL "
            f"DATABASE_URL; replica {_number} is not one."
        )
    _replica.setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    _replica.setdefault("CONN_HEALTH_CHECKS", True)
    # A replica that does not answer is skipped after this long, not waited for.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Tests read the primary's test database through it (tests/test_read_replicas.py
    # points it at a real replica).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["insightswarm.replicas.PublicReadRouter"]

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Django's, keeping its Redis clients between operations (insightswarm/redis_cache.py).
    CACHES["default"]["BACKEND"] = "insightswarm.redis_cache.RedisCache"
    # A slow or stopped Redis must not hold up pages: they are served uncached instead.
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 0.25)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 0.25)

# Whole public pages are cached in this cache for this long (0: not at all), and
# refreshed the moment an approval changes them (pages/cache.py). Every app process
# must share the cache (Redis in production): a per-process cache would keep serving
# a page another process has withdrawn.
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=24 * 3600)
# The longest a cached page can outlive the decision that changed it once the cache can
# be reached, whatever failed when the decision was taken: each app process checks the
# recorded changes at most this often before it serves from the cache.
PAGE_REFRESH_SECONDS = env.float("PAGE_REFRESH_SECONDS", default=1.0)
# How long a caching proxy in front (deploy/nginx.conf) may serve a page without asking.
PROXY_CACHE_SECONDS = env.int("PROXY_CACHE_SECONDS", default=1)

# An edge cache in front (Varnish, Fastly or Cloudflare: pages/edge.py) keeps public pages
# until a decision changes them. Each cacheable page carries its tags in the edge's header
# (xkey, Surrogate-Key or Cache-Tag), and after each decision the site purges the tags it
# changed there. EDGE_CACHE names the edge: "varnish" (deploy/varnish.vcl) purges through
# each of EDGE_PURGE_URLS (none: no purge); "fastly" and "cloudflare" through their APIs.
EDGE_CACHE = env.str("EDGE_CACHE", default="varnish")
EDGE_PURGE_URLS = env.list("EDGE_PURGE_URLS", default=[])
FASTLY_SERVICE_ID = env.str("FASTLY_SERVICE_ID", default="")
FASTLY_API_TOKEN = env.str("FASTLY_API_TOKEN", default="")
FASTLY_API_URL = env.str("FASTLY_API_URL", default="https://api.fastly.com")
CLOUDFLARE_ZONE_ID = env.str("CLOUDFLARE_ZONE_ID", default="")
CLOUDFLARE_API_TOKEN = env.str("CLOUDFLARE_API_TOKEN", default="")
CLOUDFLARE_API_URL = env.str("CLOUDFLARE_API_URL", default="https://api.cloudflare.com/client/v4")
# How long a CDN keeps a page (Fastly's Surrogate-Control, Cloudflare's
# Cloudflare-CDN-Cache-Control); deploy/varnish.vcl sets its own.
EDGE_CACHE_SECONDS = env.int("EDGE_CACHE_SECONDS", default=24 * 3600)
# The longest one purge request may take: the advisor's response waits for it.
EDGE_PURGE_TIMEOUT = env.float("EDGE_PURGE_TIMEOUT", default=2.0)
# A page rendered from the old content by a request that raced a decision may reach the
# edge after the purge: each change is purged again once this long has passed.
EDGE_SETTLE_SECONDS = env.float("EDGE_SETTLE_SECONDS", default=5.0)

# An e-mail address the reference lookup (compounds/references/lookup.py) gives PubMed and
# Crossref, as their etiquette asks, so they write before they block the site.
REFERENCE_LOOKUP_CONTACT = env.str("REFERENCE_LOOKUP_CONTACT", default="")

# The evidence watch (compounds/watch/): the address PubMed and Crossref may write to
# (Crossref's polite pool needs one), by default the reference lookup's; and an NCBI API
# key, which lets PubMed be asked 10 times a second instead of 3.
WATCH_CONTACT_EMAIL = env.str("WATCH_CONTACT_EMAIL", default=REFERENCE_LOOKUP_CONTACT)
NCBI_API_KEY = env.str("NCBI_API_KEY", default="")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Review emails (compounds/review/notifications.py): the console in development, SMTP in
# production (the local mail server unless EMAIL_URL names another, e.g.
# EMAIL_URL=smtp+tls://user:password@smtp.example.org:587).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_smtp = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
    # A mail server that hangs must not hold a review step's response for long.
    "timeout": 10,
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Insight Swarm <reviews@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# "Report a problem with this page" (compounds/feedback/, pages/feedback.py). Readers'
# addresses are kept this many days after a report, and the text of a closed report this
# many days after it was closed (`manage.py clear_old_feedback`, daily by cron). One client
# address may send FEEDBACK_RATE_LIMIT reports an hour. The acknowledgement comes from
# FEEDBACK_FROM_EMAIL: an address that takes no replies.
FEEDBACK_EMAIL_RETENTION_DAYS = env.int("FEEDBACK_EMAIL_RETENTION_DAYS", default=90)
FEEDBACK_TEXT_RETENTION_DAYS = env.int("FEEDBACK_TEXT_RETENTION_DAYS", default=365)
FEEDBACK_RATE_LIMIT = env.int("FEEDBACK_RATE_LIMIT", default=5)
FEEDBACK_FROM_EMAIL = env.str("FEEDBACK_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)

# Where `manage.py backup` (make backup) writes its files.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")

# Review workflow. Four-eyes: an advisor may not approve a change they made
# themselves; a team with a single advisor turns it off.
REVIEW_FOUR_EYES = env.bool("REVIEW_FOUR_EYES", default=True)
# Approved content is due for review again this many months after approval.
REVIEW_INTERVAL_MONTHS = env.int("REVIEW_INTERVAL_MONTHS", default=12)

# The call to action at the foot of every review page. Unset, it offers the site's own
# report to take to the doctor, made of the pair's review (pages/doctor_report.py). Set,
# it links elsewhere (a paid service, say) and CTA_LABEL says what it is, beside it: a
# reader must not take an offer for part of the advisor-approved review.
CTA_URL = env.str("CTA_URL", default="")
CTA_TEXT = env.str("CTA_TEXT", default="")
CTA_LABEL = env.str("CTA_LABEL", default="Advertisement: not part of this review")

# `manage.py loaddata seed_content` finds the seed content here.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in. Failed attempts are counted per account and, apart, per address: after
# SIGNIN_FAILURE_LIMIT of either, sign-in is refused (even with the right password)
# for SIGNIN_COOLOFF_MINUTES, or until an administrator unlocks it (README, "Sign-in").
# An unknown account is counted and answered exactly as a known one.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "insightswarm.signin.locked_out"
# The address is the client's as the proxies in front saw it (TRUSTED_PROXY_COUNT),
# never the proxy's own, which would lock every user out at once.
AXES_CLIENT_IP_CALLABLE = "insightswarm.signin.client_address"
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Failures are logged (WARNING, logger "axes") with the address; the name typed is
# left out, as it is sometimes a password typed in the wrong field.
AXES_SENSITIVE_PARAMETERS = ["username"]
# The lockout answer to scripts is for this site only, not every origin.
AXES_ALLOWED_CORS_ORIGINS = SITE_URL
# After signing in, the admin home; after signing out, the sign-in page; a `next`
# goes first when it names a page of the admin (insightswarm/signin.py).
LOGIN_REDIRECT_URL = "admin:index"
LOGOUT_REDIRECT_URL = "admin:login"

# A session idle for a working day ends: a signed-in user's requests move its expiry
# on (at most every SESSION_RENEW_SECONDS, insightswarm/middleware.py), so only
# inactivity counts.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 3600)
SESSION_RENEW_SECONDS = 300
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the root of the site (favicon.ico), served by whitenoise.
WHITENOISE_ROOT = BASE_DIR / "webroot"
# Nothing of the site is for other sites to load (Cross-Origin-Resource-Policy says so too).
WHITENOISE_ALLOW_ALL_ORIGINS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed files with content-hashed names, so browsers may cache them
    # for ever; in DEBUG the plain storage serves files straight from source.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

if not DEBUG:
    # Patients' reading is private: production answers over HTTPS only. HTTPS=off
    # tries a production-like set-up over plain HTTP on one's own machine.
    HTTPS = env.bool("HTTPS", default=True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
    # Browsers keep to HTTPS for a year, subdomains included. The preload token lets the
    # domain be submitted to browsers' built-in list (hstspreload.org); a domain whose
    # owner is not ready for that sets SECURE_HSTS_PRELOAD=off (check --deploy then
    # warns, security.W021, as it should).
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
