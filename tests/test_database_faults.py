"""A database restart costs no failed request: connections are checked before reuse."""

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="terminating server connections needs PostgreSQL",
)


def test_connections_are_kept_and_checked_before_reuse():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


# Serialized rollback: a transactional test without it leaves, after its flush, groups made
# again under new ids, with which a later test's restore of the migrated rows collides.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_the_server_drops_every_connection_the_next_request_succeeds(client):
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/compounds/").status_code == 200
    backend = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in {"host", "port", "user", "password"}},
        dbname=params["dbname"],
        autocommit=True,
    ) as other:
        # What a server restart does to the app's connections.
        terminated = other.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert terminated and all(row[0] for row in terminated)
    # What Django runs as each request starts (the test client leaves it out).
    close_old_connections()
    assert client.get("/compounds/").status_code == 200
    assert connection.connection.info.backend_pid != backend
