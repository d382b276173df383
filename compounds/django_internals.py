"""The only places the project relies on Django's private workings, each kept because it
pays; tests/compounds/test_django_internals.py fails when Django changes one of them.

- An approved object rebuilt from its snapshot (compounds/review/snapshots.py) lists its
  children from the snapshot and reads nothing from the working copy. Django has no
  public way to give a related manager objects that are in no table, nor to mark a
  foreign key as read without clearing its id: `list_in`, `relate` and `leave_unread`.
- The public pages' few queries (pages/live.py, Prepared) are compiled once, then
  only run, by the server's own prepared statement: `compile_once`, `convert` and
  `server_prepared_cursor`. Compiling cost more than running on an index: finding a
  pair's row took 1.45 ms through the ORM, 0.44 ms compiled once and 0.23-0.29 ms
  server-prepared (tests/pages/measure_private_paths.py, PostgreSQL). The public
  OPTIONS {"server_side_binding": True, "prepare_threshold": 5} matched the last
  figure after five runs a connection, but binds every query of the site server-side
  (with a threshold of 0, Django's own migrations fail under it): not adopted before
  the whole suite has passed under it.
"""

from django.db.backends.postgresql.base import ServerBindingCursor


def list_in(model, instances):
    """A queryset of model that lists instances, reading nothing, and can query nothing
    else: a further filter or order starts from none()."""
    queryset = model._default_manager.none()
    queryset._result_cache = list(instances)
    queryset._prefetch_done = True
    return queryset


def relate(obj, name, queryset):
    """What obj's related manager `name` lists (`obj.name.all()`): queryset, as though
    prefetched."""
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}
    obj._prefetched_objects_cache[name] = queryset


def leave_unread(obj, name):
    """obj's many-to-one `name` reads no row, its id kept: None, or for a required one
    RelatedObjectDoesNotExist, never the row the id names."""
    obj._state.fields_cache[name] = None


def compile_once(queryset, connection):
    """The SQL, parameters and converters of a values_list() queryset, as the ORM runs it:
    converters are (position, (functions, expression)) pairs."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    columns = [column for column, _, _ in compiler.select]
    return sql, params, list(compiler.get_converters(columns).items())


def convert(rows, converters, connection):
    """Rows as lists, each value through the converters of its column."""
    rows = [list(row) for row in rows]
    for row in rows:
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
    return rows


def server_prepared_cursor(connection):
    """A cursor whose statements PostgreSQL plans once per connection and then only runs.

    Django turns psycopg's prepared statements off on its connections and binds values
    client-side; a server-side binding cursor, on a connection that prepares from the
    first run, prepares each statement once. Queries still go through Django's cursor
    wrapper, so they are logged and counted like any other."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    database = connection.connection
    if database.prepare_threshold is None:
        database.prepare_threshold = 0
    cursor = ServerBindingCursor(database)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)
