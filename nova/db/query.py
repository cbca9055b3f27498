"""Statements every section of api.py builds on: read_deleted filtering, soft delete."""
import json
import time

import sqlalchemy as sa
from sqlalchemy.ext import compiler
from sqlalchemy.sql import expression
from sqlalchemy.sql import visitors

from nova import utils

READ_DELETED = ('no', 'yes', 'only')


def model_query(context, model, read_deleted=None):
    """select(model) of live rows, deleted rows or both, as context.read_deleted asks."""
    return sa.select(model).where(*deleted_criteria(context, model, read_deleted))


def deleted_criteria(context, model, read_deleted=None):
    """[criterion] selecting live rows, deleted rows or both (read_deleted or the context's)."""
    read_deleted = read_deleted or context.read_deleted
    if read_deleted == 'no':
        return [model.deleted == 0]
    if read_deleted == 'only':
        return [model.deleted != 0]
    if read_deleted == 'yes':
        return []
    raise ValueError('read_deleted must be one of %s, not %r' % (READ_DELETED, read_deleted))


class AnyOf(expression.ColumnElement):
    """``column`` is one of the list bound as ``name`` at execution: ``column =
    ANY(:name)`` with the list as one array parameter on PostgreSQL, ``column IN
    (SELECT value FROM json_each(:name))`` with the list as one JSON text on
    SQLite, an expanding ``IN`` elsewhere. An expanding IN of a page's 1,000 uuids
    is 1,000 placeholders that SQLAlchemy renders (and psycopg parses) on every
    execution (a third of a server list's CPU on PostgreSQL, a seventh on SQLite);
    one parameter keeps the statement's text the same whatever the list's length.
    An empty list matches no row on all."""

    __visit_name__ = 'any_of'
    _traverse_internals = [('column', visitors.InternalTraversal.dp_clauseelement),
                           ('name', visitors.InternalTraversal.dp_string)]
    type = sa.Boolean()
    _is_implicitly_boolean = True

    def __init__(self, column, name):
        self.column, self.name = column, name


@compiler.compiles(AnyOf)
def _expanding_in(element, sql_compiler, **kw):
    return sql_compiler.process(
        element.column.in_(sa.bindparam(element.name, expanding=True)), **kw)


def _array_text(values):
    """The text of a PostgreSQL array of these strings (or integers): '{"a","b"}'."""
    values = [v if isinstance(v, str) else str(v) for v in values]
    together = ''.join(values)
    if '"' in together or '\\' in together:  # escaped only then: uuids have neither
        values = [v.replace('\\', '\\\\').replace('"', '\\"') for v in values]
    return '{"%s"}' % '","'.join(values) if values else '{}'


class _TextArray(sa.types.UserDefinedType):
    """A list bound as the text of a text[] parameter (psycopg sends a str as of
    unknown type, which PostgreSQL reads as the cast's type: a constant array it
    hashes for the = ANY). psycopg's own list dumper checks each element with a
    regular expression: milliseconds for a page's 1,000 uuids; this is one join.
    text[], not the column's varchar(36)[]: a cast to the length would cut a
    longer value down to one that matches."""

    cache_ok = True
    render_bind_cast = True

    def get_col_spec(self, **kw):
        return 'TEXT[]'

    def bind_processor(self, dialect):
        return _array_text


@compiler.compiles(AnyOf, 'postgresql')
def _any_array(element, sql_compiler, **kw):
    return sql_compiler.process(element.column == sa.any_(
        sa.bindparam(element.name, type_=_TextArray())), **kw)


class _JsonList(sa.types.TypeDecorator):
    """A list bound as its JSON text (for SQLite's json_each)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return json.dumps(list(value))


@compiler.compiles(AnyOf, 'sqlite')
def _in_json_each(element, sql_compiler, **kw):
    return '%s IN (SELECT value FROM json_each(%s))' % (
        sql_compiler.process(element.column, **kw),
        sql_compiler.process(sa.bindparam(element.name, type_=_JsonList()), **kw))


def first(session, stmt, not_found):
    """The first row of stmt, or not_found() raised."""
    row = session.scalars(stmt.limit(1)).first()
    if row is None:
        raise not_found()
    return row


def first_with_children(session, stmt, not_found):
    """first() of a statement that joins its row's collections (orm.joinedload): the
    row and its children in one round trip, where selectinload cost one each."""
    row = session.scalars(stmt.limit(1)).unique().first()
    if row is None:
        raise not_found()
    return row


def labelled_columns(model, prefix):
    """[(attribute key, column labelled prefix + key)] of a model's columns, for a Core
    SELECT whose rows detached() makes into the model's objects."""
    return [(key, prop.columns[0].label(prefix + key))
            for key, prop in sa.inspect(model).column_attrs.items()]


def row_values(labelled, row):
    """{attribute key: value} of a row selected with labelled_columns' columns."""
    mapping = row._mapping
    return {key: mapping[column.name] for key, column in labelled}


def joined_children(rows, labelled, model):
    """The distinct detached children of one kind (labelled_columns' columns, by id)
    in the rows of a SELECT joining a parent to its children, in the rows' order."""
    id_label = dict(labelled)['id'].name
    found = {}
    for row in rows:
        row_id = row._mapping[id_label]
        if row_id is not None and row_id not in found:
            found[row_id] = detached(model, row_values(labelled, row))
    return list(found.values())


def detached(model, values):
    """A detached object of model holding values (and any relationship given in
    values as already loaded), as a Session would have left it after its
    transaction, made without one: a Session's set-up, ORM row processing and
    identity map cost more than a hot path's whole Core read."""
    mapper = sa.inspect(model)
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    state = sa.inspect(obj)
    state.key = mapper.identity_key_from_primary_key(
        (values['id'],) if 'id' in values else
        tuple(values[mapper.get_property_by_column(column).key]
              for column in mapper.primary_key))
    return obj


def insert_row(conn, model, values):
    """INSERT a row of model with Core (a Session's unit of work cost more than the
    statement) and return its attribute values, every column's included (the
    given ones, the Python defaults, None) with the new id: what detached() takes.
    A key that is not a column is a caller's bug (TypeError)."""
    columns = sa.inspect(model).column_attrs
    unknown = set(values) - set(columns.keys())
    if unknown:
        raise TypeError('%s has no column %s' % (model.__name__, ', '.join(sorted(unknown))))
    row, params = {}, {}
    for key, prop in columns.items():
        column = prop.columns[0]
        if column.primary_key:
            continue
        if key in values:
            value = values[key]
        elif column.default is None:
            value = None
        else:
            value = column.default.arg(None) if column.default.is_callable \
                else column.default.arg
        row[key] = params[column.name] = value
    result = conn.execute(sa.insert(model.__table__), params)
    row['id'] = result.inserted_primary_key[0]
    return row


def soft_delete(model, *criteria):
    """UPDATE marking the live rows matching criteria deleted (deleted = id)."""
    return (sa.update(model)
            .where(model.deleted == 0, *criteria)
            .values(deleted=model.id, deleted_at=utils.utcnow())
            .execution_options(synchronize_session=False))


CLAIM_ATTEMPTS = 200
CLAIM_WAIT = 0.005


def claim_skip_locked(claim, others_hold_enough, enough=lambda found: found is not None):
    """claim() (a SELECT ... FOR UPDATE SKIP LOCKED) until it finds enough, or until
    others_hold_enough() (the same SELECT without locking) says the rows it skipped
    are all that is left and they are gone: rows another transaction holds come
    back when it fails, so a skipped row is waited for, not counted as taken.
    The last claim's answer."""
    found = claim()
    for _ in range(CLAIM_ATTEMPTS):
        if enough(found) or not others_hold_enough():
            return found
        time.sleep(CLAIM_WAIT)  # green under eventlet
        found = claim()
    return found
