"""Writing many rows in a fixed number of statements, and rows returned with children.

Child rows (metadata, tags, members, ...) are inserted as one executemany
and put into the parent's (view-only) collection as if loaded, so the rows a
create returns read their children without another query.
"""
import sqlalchemy as sa
from sqlalchemy import orm


def insert_values(session, model, rows):
    """INSERT rows (dicts) in one executemany; nothing is read back."""
    if rows:
        session.execute(sa.insert(model), rows)


_CORE_INSERTS = {}


def core_insert(connection, model, rows):
    """INSERT rows (dicts keyed by column name) on a Core Connection: one executemany
    per set of keys given, with a statement built once per table. The ORM's bulk
    INSERT cost more CPU than the statement on the hot paths (a server create)."""
    table = model.__table__
    if table not in _CORE_INSERTS:
        _CORE_INSERTS[table] = sa.insert(table)
    by_keys = {}
    for row in rows:
        by_keys.setdefault(tuple(sorted(row)), []).append(row)
    for same in by_keys.values():
        connection.execute(_CORE_INSERTS[table], same)


def python_defaults(model):
    """[(column name, a function making its value)] of the model's columns with a
    Python-side default: what a Core INSERT would fill in, made before it, so that
    the objects returned for the rows have the values the database holds."""
    made = []
    for column in model.__table__.c:
        default = column.default
        if default is None:
            continue
        if default.is_scalar:
            made.append((column.key, lambda value=default.arg: value))
        elif default.is_callable:
            made.append((column.key, lambda make=default.arg: make(None)))
    return made


def insert_rows(session, model, rows):
    """INSERT rows (dicts) and return them as model rows, in as few statements as the
    engine allows (multi-row INSERT ... RETURNING where it has one).
    """
    if not rows:
        return []
    if session.get_bind().dialect.insert_executemany_returning:
        return sorted(session.scalars(sa.insert(model).returning(model), rows),
                      key=lambda row: row.id)
    objects = [model(**values) for values in rows]
    session.add_all(objects)
    session.flush()
    return objects


def set_children(parent, relationship, model, rows):
    """Fill parent.<relationship> with model rows for the dicts just inserted."""
    orm.attributes.set_committed_value(parent, relationship, [model(**r) for r in rows])
