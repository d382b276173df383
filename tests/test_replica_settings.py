"""DATABASE_REPLICA_URLS: replicas for public reads where set, exactly today's site where not
(tests/test_read_replicas.py runs them against a real replica)."""

from tests.test_settings import _settings_in_a_fresh_process

PRIMARY = "postgres://postgres@127.0.0.1:5432/insightswarm"
REPLICAS = (
    "postgres://postgres@127.0.0.1:5433/insightswarm,postgres://postgres@10.0.0.2/insightswarm"
)
WIRING = (
    "sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
    "[m for m in settings.MIDDLEWARE if 'replicas' in m]"
)


def test_without_replicas_there_is_one_database_and_no_router():
    result = _settings_in_a_fresh_process(WIRING, DEBUG="on", DATABASE_URL=PRIMARY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr((["default"], [], []))


def test_each_replica_is_a_database_read_through_the_router():
    result = _settings_in_a_fresh_process(
        WIRING, DEBUG="on", DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS=REPLICAS
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(
        (
            ["default", "replica_1", "replica_2"],
            ["insightswarm.replicas.PublicReadRouter"],
            ["insightswarm.replicas.PublicReadsFromReplicas"],
        )
    )


def test_a_replica_that_does_not_answer_is_given_up_on_quickly():
    result = _settings_in_a_fresh_process(
        "settings.DATABASES['replica_2']['HOST'], "
        "settings.DATABASES['replica_2']['OPTIONS']['connect_timeout']",
        DEBUG="on",
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URLS=REPLICAS,
    )
    assert result.stdout.strip() == repr(("10.0.0.2", 2))


def test_replicas_of_a_sqlite_database_are_refused_at_start():
    result = _settings_in_a_fresh_process(
        "settings.DATABASES",
        DEBUG="on",
        DATABASE_REPLICA_URLS="postgres://postgres@127.0.0.1:5433/insightswarm",
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS names PostgreSQL streaming replicas" in result.stderr
