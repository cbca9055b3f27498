"""Instance lists for the APIs: plain records, two SELECTs whatever the page size.

A server list reads many rows and changes none, so it skips the ORM: one
SELECT of the instance columns, one of the page's metadata and tags (a brief
list, GET /servers, reads only id, uuid and name: one SELECT).
The JSON columns (flavor, system_metadata, security_groups) are decoded once
per distinct text: the servers of a page mostly share a flavor and an image.
Records are read-only snapshots with the attribute names of models.Instance
(plus its metadata_dict, tags and name), for every column but the _UNLISTED
ones; shared decoded values must not be changed by their readers.
"""
import json

import sqlalchemy as sa

from nova.db import instances
from nova.db import models
from nova.db import paginate
from nova.db import query
from nova.db import session as db_session

Instance = models.Instance
InstanceMetadata = models.InstanceMetadata
Tag = models.Tag

# what no list shows or filters on: left in the table (every other column is read, so
# that each front end's views (OpenStack, EC2) find what the model has)
_UNLISTED = ('key_data',)
_COLUMN_NAMES = tuple(name for name in Instance.column_names() if name not in _UNLISTED)
_JSON_COLUMNS = tuple(name for name in _COLUMN_NAMES
                      if isinstance(Instance.__table__.c[name].type, models.JSONEncoded))
# the JSON columns come back as their text, decoded below with a memo
_TABLE = Instance.__table__
_COLUMNS = tuple(sa.type_coerce(_TABLE.c[name], sa.Text).label(name)
                 if name in _JSON_COLUMNS else _TABLE.c[name] for name in _COLUMN_NAMES)
_SELECT = sa.select(*_COLUMNS)  # built once: coercing 45 columns costs more than the query
_BRIEF_NAMES = ('id', 'uuid', 'display_name')
_BRIEF_SELECT = sa.select(*(_TABLE.c[name] for name in _BRIEF_NAMES))
# a partial record: what tells whether a kept server view is stale (every write to
# the row sets updated_at) and what the views read per request (state, zone, host)
_PARTIAL_NAMES = ('uuid', 'updated_at', 'vm_state', 'task_state', 'host',
                  'availability_zone', 'project_id')
_PARTIAL_SELECT = sa.select(*(_TABLE.c[name] for name in _PARTIAL_NAMES))
_BY_UUIDS = sa.select(*_COLUMNS).where(query.AnyOf(_TABLE.c.uuid, 'uuids'))


class InstanceRecord:
    """One instance of a list: its column values as attributes, metadata_dict, tags."""

    def __init__(self, values, metadata_dict, tags):
        self.__dict__.update(values)
        self.metadata_dict = metadata_dict
        self.tags = tags

    @property
    def name(self):
        return Instance.NAME_TEMPLATE % self.id

    def __repr__(self):
        return '<InstanceRecord %s>' % self.uuid


def _decoder():
    memo = {None: None}

    def decode(text):
        try:
            return memo[text]
        except KeyError:
            value = memo[text] = json.loads(text)
            return value
    return decode


_METADATA = InstanceMetadata.__table__
_TAGS = Tag.__table__


# built once, the uuids bound at execution (one array): building the statement
# for each page cost more than running it
_CHILDREN = sa.union_all(
    sa.select(_METADATA.c.instance_uuid.label('uuid'), sa.literal_column('0').label('kind'),
              _METADATA.c.key.label('name'), _METADATA.c.value)
    .where(query.AnyOf(_METADATA.c.instance_uuid, 'uuids'),
           _METADATA.c.deleted == 0),
    sa.select(_TAGS.c.resource_id, sa.literal_column('1'), _TAGS.c.tag,
              sa.cast(sa.null(), _METADATA.c.value.type))
    .where(query.AnyOf(_TAGS.c.resource_id, 'uuids')),
).order_by('kind', 'name')


def _children(session, uuids):
    """({uuid: {key: value}}, {uuid: [tag]}) of the given instances: one SELECT of
    metadata UNION ALL tags (a tag row has no value and kind 1)."""
    metadata = {instance_uuid: {} for instance_uuid in uuids}
    tags = {instance_uuid: [] for instance_uuid in uuids}
    if not uuids:
        return metadata, tags
    for instance_uuid, kind, name, value in session.connection().execute(
            _CHILDREN, {'uuids': uuids}).all():
        if kind:
            tags[instance_uuid].append(name)
        else:
            metadata[instance_uuid][name] = value
    return metadata, tags


def instance_records_by_filters(context, filters, sort_keys=None, sort_dirs=None, limit=None,
                                marker=None, brief=False, partial=False):
    """InstanceRecords of the instances matching filters: the same filters, order
    and pagination as instances.instance_get_all_by_filters, at a fraction of its cost.

    brief: only id, uuid and display_name (what GET /servers shows), one SELECT.
    partial: only _PARTIAL_NAMES with metadata_dict and tags (a server view kept
    from before needs no more); instance_records_complete() reads the rest.
    """
    criteria, order, marker_stmt = instances.list_criteria(context, filters, sort_keys,
                                                           sort_dirs, marker)
    names = _BRIEF_NAMES if brief else _PARTIAL_NAMES if partial else _COLUMN_NAMES
    select = _BRIEF_SELECT if brief else _PARTIAL_SELECT if partial else _SELECT
    with db_session.reader() as session:
        rows = paginate.page(session, select.where(*criteria), order, limit, marker_stmt,
                             marker, rows=True)
        if brief:
            return [InstanceRecord(dict(zip(names, row)), None, None) for row in rows]
        metadata, tags = _children(session, [row.uuid for row in rows])
    return _records(rows, names, metadata, tags, decode=None if partial else _decoder())


def _records(rows, names, metadata, tags, decode):
    records = []
    new_record = InstanceRecord.__new__
    for row in rows:
        record = new_record(InstanceRecord)  # its __dict__ built here, in one step
        values = record.__dict__ = dict(zip(names, row))
        if decode:
            for name in _JSON_COLUMNS:
                values[name] = decode(values[name])
        record.metadata_dict, record.tags = metadata[values['uuid']], tags[values['uuid']]
        records.append(record)
    return records


def instance_records_complete(context, records):
    """Fill in every column of these partial records (one SELECT by uuid, whatever
    their state); those whose row is gone are left out of the returned list."""
    if not records:
        return []
    with db_session.reader() as session:
        rows = session.connection().execute(
            _BY_UUIDS, {'uuids': [record.uuid for record in records]}).all()
    decode = _decoder()
    by_uuid = {}
    for row in rows:
        values = dict(zip(_COLUMN_NAMES, row))
        for name in _JSON_COLUMNS:
            values[name] = decode(values[name])
        by_uuid[values['uuid']] = values
    completed = []
    for record in records:
        values = by_uuid.get(record.uuid)
        if values is not None:
            record.__dict__.update(values)
            completed.append(record)
    return completed
