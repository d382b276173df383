"""Settings come from the environment; a production start without a secret key fails."""

import os
import subprocess
import sys

from django.conf import settings

CLEAN_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_SETTINGS_MODULE": "insightswarm.settings",
    # Keep the developer's .env out of these runs: each names every variable it means.
    "ENV_FILE": os.devnull,
}


def _settings_in_a_fresh_process(expression, **env):
    """Evaluate `expression` against settings loaded from exactly `env`."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(repr(({expression})))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**CLEAN_ENV, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_missing_secret_key_stops_the_start():
    result = _settings_in_a_fresh_process("settings.SECRET_KEY", DEBUG="off")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_with_debug_a_development_key_is_used():
    result = _settings_in_a_fresh_process("settings.SECRET_KEY", DEBUG="on")
    assert result.returncode == 0, result.stderr
    assert "insecure-development-key" in result.stdout


def test_database_defaults_to_a_sqlite_file_in_the_project():
    result = _settings_in_a_fresh_process(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
        DEBUG="on",
    )
    assert result.stdout.strip() == repr(
        ("django.db.backends.sqlite3", str(settings.BASE_DIR / "db.sqlite3"))
    )


def test_database_url_selects_postgresql():
    result = _settings_in_a_fresh_process(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
        DEBUG="on",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/insightswarm",
    )
    assert "('django.db.backends.postgresql', 'insightswarm')" in result.stdout


def test_cache_defaults_to_local_memory_and_redis_url_selects_the_redis_cache():
    default = _settings_in_a_fresh_process("settings.CACHES['default']['BACKEND']", DEBUG="on")
    assert default.stdout.strip() == "'django.core.cache.backends.locmem.LocMemCache'"
    redis = _settings_in_a_fresh_process(
        "settings.CACHES['default']['BACKEND']",
        DEBUG="on",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    # Django's RedisCache, keeping its clients (insightswarm/redis_cache.py).
    assert redis.stdout.strip() == "'insightswarm.redis_cache.RedisCache'"


def test_production_settings_serve_hashed_compressed_static_files():
    result = _settings_in_a_fresh_process(
        "settings.STORAGES['staticfiles']['BACKEND'], settings.ALLOWED_HOSTS, settings.SITE_URL",
        DEBUG="off",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="example.org,www.example.org",
        SITE_URL="https://example.org/",
    )
    assert result.returncode == 0, result.stderr
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in result.stdout
    assert "['example.org', 'www.example.org']" in result.stdout
    assert "'https://example.org'" in result.stdout


def test_fully_configured_production_settings_pass_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **CLEAN_ENV,
            "DEBUG": "off",
            "SECRET_KEY": "a-long-random-production-key-" + "q7Zx" * 10,
            "ALLOWED_HOSTS": "example.org",
            "SITE_URL": "https://example.org",
            "CACHE_URL": "redis://127.0.0.1:6379/1",
            "TRUSTED_PROXY_COUNT": "1",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_static_files_collect_with_hashed_names(tmp_path):
    """The manifest storage refuses a stylesheet that points at a missing file: collect
    everything as production does, into a scratch folder, and find the site's CSS."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        env={
            **CLEAN_ENV,
            "DEBUG": "off",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "example.org",
            "STATIC_ROOT": str(tmp_path),
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert '"css/site.css": "css/site.' in manifest
    assert list(tmp_path.glob("css/site.*.css.gz"))


def test_deploy_checks_warn_of_a_page_cache_each_process_keeps_alone(settings):
    from pages.checks import page_cache_is_shared

    settings.PAGE_CACHE_SECONDS = 3600
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in page_cache_is_shared(None)] == ["pages.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    assert page_cache_is_shared(None) == []
