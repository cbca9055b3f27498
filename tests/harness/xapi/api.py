"""XenAPI's messages: dispatch of ``Class.message`` calls, sessions, tasks, events, records.

``Xapi.call(name, params)`` is what one XML-RPC request does: the session
(the first parameter of every message but the logins) is checked, ``Async.``
messages run in a task, a failure injected for the message is raised, and the
handler's value is returned in XAPI's wire types. Each class gets XAPI's
generated messages from its field table (get_record, get_all,
get_all_records, get_all_records_where, get_by_uuid, get_by_name_label,
get_/set_/add_to_/remove_from_<field>, create, destroy); vm.py and storage.py
add the messages with behaviour.
"""
import inspect
import re
import threading
import time
import xmlrpc.client
from xml.sax.saxutils import escape

from tests.harness.xapi import objects
from tests.harness.xapi.db import Database
from tests.harness.xapi.errors import XapiError

API_VERSION = (2, 21)
_WHERE = re.compile(r'field\s+"(\w+)"\s*=\s*"([^"]*)"')


class Injections:
    """Failures a test asks for: the next ``times`` calls of a message raise ``description``."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = {}  # message -> [description, times left or None]
        self.delays = {}  # message -> seconds each call takes

    def add(self, message, description, times=1):
        with self.lock:
            self.pending[message] = [list(description), times]

    def clear(self):
        with self.lock:
            self.pending.clear()
            self.delays.clear()

    def check(self, message):
        delay = self.delays.get(message)
        if delay:
            time.sleep(delay)
        with self.lock:
            entry = self.pending.get(message)
            if entry is None:
                return
            if entry[1] is not None:
                entry[1] -= 1
                if entry[1] <= 0:
                    del self.pending[message]
        raise XapiError(*entry[0])


class Xapi:
    """One pool with one host: the records, the sessions, and the message handlers."""

    def __init__(self, username='root', password='secret'):
        self.db = Database()
        self.credentials = (username, password)
        self.sessions = {}  # session ref -> username
        self.injections = Injections()
        self.handlers = {}
        self.call_counts = {}  # message -> calls received (for tests counting round trips)
        self.masters = {}  # listener address -> master address or None (this one is master)
        for cls in objects.CLASSES:
            self._generated(cls)
        self.handlers.update({
            'session.login_with_password': self.login_with_password,
            'session.logout': self.logout,
            'session.get_this_host': lambda this: self.host_ref,
            'event.from': self.event_from,
            'task.cancel': self.task_cancel,
        })

    # -- dispatch ------------------------------------------------------------------------
    def call(self, name, params, listener=None):
        """The value of message ``name``, or XapiError; what one XML-RPC request does."""
        self.call_counts[name] = self.call_counts.get(name, 0) + 1
        if name.startswith('session.login'):
            master = self.masters.get(listener)
            if master:
                raise XapiError('HOST_IS_SLAVE', master)
            return self._run(name, params)
        if not params or params[0] not in self.sessions:
            raise XapiError('SESSION_INVALID', params[0] if params else '')
        if name.startswith('Async.'):
            return self._async(name[len('Async.'):], params)
        return self._run(name, params)

    def _run(self, name, params):
        handler = self.handlers.get(name)
        if handler is None:
            raise XapiError('MESSAGE_METHOD_UNKNOWN', name)
        args = params if name.startswith('session.login') else params[1:]
        signature = inspect.signature(handler)
        try:
            signature.bind(*args)
        except TypeError:
            raise XapiError('MESSAGE_PARAMETER_COUNT_MISMATCH', name,
                            len(signature.parameters), len(args)) from None
        self.injections.check(name)
        return handler(*args)

    # -- sessions --------------------------------------------------------------------------
    def login_with_password(self, username, password, version='1.0', originator=''):
        if (username, password) != self.credentials:
            raise XapiError('SESSION_AUTHENTICATION_FAILED', username,
                            'Authentication failure')
        ref = objects.new_ref()
        self.sessions[ref] = username
        return ref

    def logout(self):
        return ''  # the session is dropped by the server (see server.py)

    def expire_sessions(self):
        """Every session becomes invalid, as when xapi restarts."""
        self.sessions.clear()

    # -- tasks -------------------------------------------------------------------------------
    def _async(self, name, params):
        if name not in self.handlers:
            raise XapiError('MESSAGE_METHOD_UNKNOWN', 'Async.' + name)
        task = self.db.add('task', {'name_label': 'Async.' + name, 'created': objects.now(),
                                    'status': 'pending', 'resident_on': self.host_ref})
        threading.Thread(target=self._run_task, args=(task, name, params), daemon=True).start()
        return task

    def _run_task(self, task, name, params):
        try:
            value = self._run(name, params)
        except XapiError as error:
            updates = {'status': 'failure', 'error_info': error.description}
        except Exception as error:  # noqa: BLE001 -- a bug in a handler is XAPI's INTERNAL_ERROR
            updates = {'status': 'failure', 'error_info': ['INTERNAL_ERROR', str(error)]}
        else:
            updates = {'status': 'success', 'result': task_result(value), 'progress': 1.0}
        if task in self.db.tables['task']:
            if self.db.tables['task'][task]['status'] == 'cancelling':
                updates = {'status': 'cancelled', 'error_info': ['TASK_CANCELLED', task]}
            self.db.update('task', task, finished=objects.now(), **updates)

    def task_cancel(self, task):
        record = self.db.get('task', task)
        if record['status'] != 'pending':
            raise XapiError('OPERATION_NOT_ALLOWED', 'task is not pending')
        self.db.update('task', task, status='cancelling')
        return ''

    # -- events ------------------------------------------------------------------------------
    def event_from(self, classes, token, timeout):
        if not isinstance(timeout, (int, float)):
            raise XapiError('FIELD_TYPE_ERROR', 'timeout')
        events, token = self.db.events_since(classes, token, float(timeout), time.monotonic)
        return {'events': events, 'valid_ref_counts': {}, 'token': token}

    # -- generated messages ---------------------------------------------------------------
    def _generated(self, cls):
        fields = objects.CLASSES[cls]
        db = self.db
        h = self.handlers

        def record(ref):
            return objects.record_to_wire(cls, db.get(cls, ref))

        def get_all_records_where(expr):
            conditions = _WHERE.findall(expr)
            if not conditions and expr.strip() not in ('', 'true'):
                raise XapiError('INVALID_VALUE', 'expr', expr)
            return {ref: objects.record_to_wire(cls, rec) for ref, rec in db.tables[cls].items()
                    if all(_where_text(objects.to_wire(fields[k][0], rec[k])) == v
                           for k, v in conditions if k in fields)}

        h['%s.get_record' % cls] = record
        h['%s.get_all' % cls] = lambda: list(db.tables[cls])
        h['%s.get_all_records' % cls] = lambda: {
            ref: objects.record_to_wire(cls, rec) for ref, rec in db.tables[cls].items()}
        h['%s.get_all_records_where' % cls] = get_all_records_where
        h['%s.get_by_uuid' % cls] = lambda value: db.by_uuid(cls, value)
        if 'name_label' in fields:
            h['%s.get_by_name_label' % cls] = lambda label: [
                ref for ref, rec in db.tables[cls].items() if rec['name_label'] == label]
        for name, (kind, access, _default) in fields.items():
            h['%s.get_%s' % (cls, name)] = _getter(db, cls, name, kind)
            if access == objects.RW:
                h['%s.set_%s' % (cls, name)] = _setter(db, cls, name, kind)
                if kind == 'map':
                    h['%s.add_to_%s' % (cls, name)] = _map_adder(db, cls, name)
                    h['%s.remove_from_%s' % (cls, name)] = _map_remover(db, cls, name)
        if cls in objects.CREATABLE:
            h['%s.create' % cls] = lambda values: self.create(cls, values)
            h['%s.destroy' % cls] = lambda ref: self.destroy(cls, ref)

    def create(self, cls, values):
        """A record from a client's struct: RO_INS and RW fields, type-checked; refs must
        name existing records (HANDLE_INVALID)."""
        if not isinstance(values, dict):
            raise XapiError('FIELD_TYPE_ERROR', 'args')
        checked = {}
        for name, (kind, access, default) in objects.CLASSES[cls].items():
            if access == objects.RO_RUN:
                continue
            if name not in values:
                if default is None:
                    raise XapiError('FIELD_TYPE_ERROR', name)
                continue
            checked[name] = objects.from_wire(cls, name, kind, values[name])
            if kind.startswith('ref:') and checked[name] != objects.NULL:
                self.db.get(kind[4:], checked[name])
        return self.db.add(cls, checked)

    def destroy(self, cls, ref):
        self.db.delete(cls, ref)
        return ''


def _where_text(value):
    return str(value).lower() if isinstance(value, bool) else str(value)


def _getter(db, cls, name, kind):
    return lambda ref: objects.to_wire(kind, db.get(cls, ref)[name])


def _setter(db, cls, name, kind):
    def setter(ref, value):
        db.get(cls, ref)
        db.update(cls, ref, **{name: objects.from_wire(cls, name, kind, value)})
        return ''
    return setter


def _map_adder(db, cls, name):
    def add(ref, key, value):
        current = dict(db.get(cls, ref)[name])
        if key in current:
            raise XapiError('MAP_DUPLICATE_KEY', cls, name, ref, key)
        current[key] = objects.from_wire(cls, name, 'map', {key: value})[key]
        db.update(cls, ref, **{name: current})
        return ''
    return add


def _map_remover(db, cls, name):
    def remove(ref, key):
        current = dict(db.get(cls, ref)[name])
        current.pop(key, None)
        db.update(cls, ref, **{name: current})
        return ''
    return remove


def task_result(value):
    """A task's result field: the message's value as an XML-RPC <value> element."""
    if value in ('', None):
        return ''
    if isinstance(value, str):
        return '<value>%s</value>' % escape(value)
    marshalled = xmlrpc.client.dumps((value,), allow_none=True)
    return marshalled[marshalled.index('<value>'):marshalled.rindex('</value>') + 8]
