"""Sorting and keyset pagination (limit + marker) shared by the list functions.

The page after a marker is the rows that sort after it, found by comparing
the sort columns with the marker row's values (no OFFSET: a page costs the
same wherever it is). NULL sorts as the smallest value on every engine.
"""
import sqlalchemy as sa

from nova import exception


def _column(model, key):
    if key not in model.column_names():
        raise exception.InvalidInput(reason='cannot sort %s by %r' % (
            model.__tablename__, key))
    return getattr(model, key)


def sort_criteria(model, sort_keys, sort_dirs, default_dir='asc'):
    """[(column, 'asc'|'desc')], with the primary key last so the order is total."""
    sort_keys = list(sort_keys)
    sort_dirs = list(sort_dirs or [])
    for direction in sort_dirs:
        if direction not in ('asc', 'desc'):
            raise exception.InvalidInput(reason='sort direction must be asc or desc, '
                                                'not %r' % direction)
    sort_dirs += [sort_dirs[-1] if sort_dirs else default_dir] * (len(sort_keys) - len(sort_dirs))
    criteria = [(_column(model, key), direction) for key, direction in zip(sort_keys, sort_dirs)]
    if 'id' not in sort_keys:
        criteria.append((model.id, sort_dirs[-1] if sort_dirs else default_dir))
    return criteria


def _nullable(column):
    return column.property.columns[0].nullable


def order_by(stmt, criteria):
    for column, direction in criteria:
        terms = [column]
        if _nullable(column):  # NULL first ascending, last descending, everywhere
            terms.insert(0, sa.case((column.is_(None), 0), else_=1))
        stmt = stmt.order_by(*(t.asc() if direction == 'asc' else t.desc() for t in terms))
    return stmt


def _after(column, direction, value):
    """Rows strictly after value in this column's order."""
    if direction == 'asc':
        return column.is_not(None) if value is None else column > value
    if value is None:
        return sa.false()
    return sa.or_(column < value, column.is_(None)) if _nullable(column) else column < value


def _equal(column, value):
    return column.is_(None) if value is None else column == value


def after_marker(criteria, marker_row):
    """WHERE clause selecting the rows that sort after marker_row."""
    directions = {direction for _column, direction in criteria}
    if len(directions) == 1 and not any(_nullable(column) for column, _d in criteria):
        # one row-value comparison, (a, b) < (x, y): an index on the sort columns
        # seeks straight to the marker (the OR of the general case is a filter that
        # reads every row before it)
        columns = sa.tuple_(*(column for column, _d in criteria))
        values = sa.tuple_(*(sa.literal(getattr(marker_row, column.key), column.type)
                             for column, _d in criteria))
        return columns > values if directions == {'asc'} else columns < values
    alternatives = []
    for i, (column, direction) in enumerate(criteria):
        equal = [_equal(c, getattr(marker_row, c.key)) for c, _d in criteria[:i]]
        alternatives.append(sa.and_(*equal, _after(column, direction,
                                                   getattr(marker_row, column.key))))
    return sa.or_(*alternatives)


def page(session, stmt, criteria, limit=None, marker_stmt=None, marker=None, rows=False):
    """stmt sorted by criteria, after the marker row (MarkerNotFound), at most limit rows
    (rows=True: the result rows of a column select, not ORM objects)."""
    if marker is not None:
        marker_row = session.scalars(marker_stmt.limit(1)).first()
        if marker_row is None:
            raise exception.MarkerNotFound(marker=marker)
        stmt = stmt.where(after_marker(criteria, marker_row))
    stmt = order_by(stmt, criteria)
    if limit is not None:
        if int(limit) < 0:
            raise exception.InvalidInput(reason='limit must be 0 or more, not %s' % limit)
        stmt = stmt.limit(int(limit))
    if rows:  # a column select: Core rows, without the ORM's per-row work
        return session.connection().execute(stmt).all()
    return list(session.scalars(stmt))
