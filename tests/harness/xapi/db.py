"""The server's records, kept in memory as XAPI keeps its database, and its event log.

Every change goes through ``add``, ``update`` and ``delete`` so that each one
becomes an event (class, operation add/mod/del, ref, snapshot of the record)
that ``event.from`` hands out after the caller's token. One lock serialises
writers, as XAPI's database lock does.
"""
import threading
import uuid

from tests.harness.xapi import objects
from tests.harness.xapi.errors import XapiError, handle_invalid

# back-reference sets XAPI keeps: (class, ref field) -> set field of the referenced record
_BACKREFS = {
    ('VBD', 'VM'): 'VBDs', ('VBD', 'VDI'): 'VBDs', ('VIF', 'VM'): 'VIFs',
    ('VIF', 'network'): 'VIFs', ('VDI', 'SR'): 'VDIs', ('PBD', 'SR'): 'PBDs',
    ('PBD', 'host'): 'PBDs',
}
_EVENTS_KEPT = 20000


class Database:
    def __init__(self):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.tables = {cls: {} for cls in objects.CLASSES}
        self.events = []  # (id, class, operation, ref, wire snapshot or None)
        self.last_event_id = 0

    # -- reads -----------------------------------------------------------------------
    def get(self, cls, ref):
        record = self.tables[cls].get(ref)
        if record is None:
            raise handle_invalid(cls, ref)
        return record

    def find(self, cls, **where):
        return [(ref, rec) for ref, rec in self.tables[cls].items()
                if all(rec.get(k) == v for k, v in where.items())]

    def by_uuid(self, cls, value):
        for ref, record in self.tables[cls].items():
            if record['uuid'] == value:
                return ref
        raise XapiError('UUID_INVALID', cls, value)

    # -- writes ----------------------------------------------------------------------
    def add(self, cls, values, ref=None):
        with self.lock:
            record = objects.default_record(cls)
            record.update(values)
            record['uuid'] = record.get('uuid') or str(uuid.uuid4())
            ref = ref or objects.new_ref()
            self.tables[cls][ref] = record
            for (child, field), backref in _BACKREFS.items():
                if child == cls and record.get(field, objects.NULL) != objects.NULL:
                    parent_cls = objects.CLASSES[cls][field][0][4:]
                    parent = self.tables[parent_cls].get(record[field])
                    if parent is not None:
                        parent[backref].append(ref)
                        self._event(parent_cls, 'mod', record[field])
            self._event(cls, 'add', ref)
            return ref

    def update(self, cls, ref, **values):
        with self.lock:
            self.get(cls, ref).update(values)
            self._event(cls, 'mod', ref)

    def delete(self, cls, ref):
        with self.lock:
            record = self.get(cls, ref)
            for (child, field), backref in _BACKREFS.items():
                if child == cls and record.get(field, objects.NULL) != objects.NULL:
                    parent_cls = objects.CLASSES[cls][field][0][4:]
                    parent = self.tables[parent_cls].get(record[field])
                    if parent is not None and ref in parent[backref]:
                        parent[backref].remove(ref)
                        self._event(parent_cls, 'mod', record[field])
            del self.tables[cls][ref]
            self._event(cls, 'del', ref)

    def _event(self, cls, operation, ref):
        self.last_event_id += 1
        snapshot = (None if operation == 'del'
                    else objects.record_to_wire(cls, self.tables[cls][ref]))
        self.events.append((self.last_event_id, cls, operation, ref, snapshot))
        if len(self.events) > _EVENTS_KEPT:
            del self.events[:len(self.events) - _EVENTS_KEPT]
        self.changed.notify_all()

    # -- event.from ------------------------------------------------------------------
    def events_since(self, subscriptions, token, timeout, deadline_clock):
        """(events, new token) of the subscribed classes ('vm', 'task/<ref>', '*') after
        ``token``; waits up to ``timeout`` seconds for the first one."""
        wanted = _subscriptions(subscriptions)
        with self.lock:
            if token == '':
                return self._current(wanted), _token(self.last_event_id)
            try:
                since = int(token)
            except ValueError:
                raise XapiError('EVENT_FROM_TOKEN_PARSE_FAILURE', token) from None
            if self.events and since < self.events[0][0] - 1:
                raise XapiError('EVENTS_LOST')
            deadline = deadline_clock() + timeout
            while True:
                found = [self._wire_event(e) for e in self.events
                         if e[0] > since and _matches(wanted, e[1], e[3])]
                left = deadline - deadline_clock()
                if found or left <= 0:
                    return found, _token(self.last_event_id)
                self.changed.wait(left)

    def _current(self, wanted):
        events = []
        for cls, table in self.tables.items():
            for ref, record in table.items():
                if _matches(wanted, cls, ref):
                    events.append({'id': _token(self.last_event_id), 'class': cls.lower(),
                                   'operation': 'add', 'ref': ref,
                                   'timestamp': objects.wire_datetime(objects.now()),
                                   'snapshot': objects.record_to_wire(cls, record)})
        return events

    @staticmethod
    def _wire_event(event):
        event_id, cls, operation, ref, snapshot = event
        wire = {'id': _token(event_id), 'class': cls.lower(), 'operation': operation,
                'ref': ref, 'timestamp': objects.wire_datetime(objects.now())}
        if snapshot is not None:
            wire['snapshot'] = snapshot
        return wire


def _token(event_id):
    return '%020d' % event_id


def _subscriptions(classes):
    wanted = []
    for entry in classes:
        cls, _, ref = entry.partition('/')
        wanted.append((cls.lower(), ref or None))
    return wanted


def _matches(wanted, cls, ref):
    for want_cls, want_ref in wanted:
        if want_cls in ('*', cls.lower()) and want_ref in (None, ref):
            return True
    return False
