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
