"""Sessions to a XenAPI pool through the ``XenAPI`` client: a pool, retries, tasks, HTTP.

- A small pool (--xenapi_connection_concurrent) of logged-in sessions: a
  ``XenAPI.Session`` is one HTTP connection and is not shared by two green
  threads at once. A session the server expired is logged in again by the
  client itself (it answers SESSION_INVALID by logging in once more).
- A login on a pool slave answers HOST_IS_SLAVE [master address]: the driver
  moves every session to the master (same scheme and port) and retries.
- Transient failures are retried --xenapi_num_retries times with back-off:
  a refused connection (xapi restarting), HOST_IS_SLAVE (the master moved),
  OTHER_OPERATION_IN_PROGRESS, HOST_STILL_BOOTING; a dropped connection only
  for reads (a write may have happened).
- ``call_async`` runs ``Async.<message>`` and waits for the task through
  ``event.from`` on that task (woken when it changes, no fixed polling), then
  destroys the task record; a task past --xenapi_task_timeout is cancelled.
- ``put``/``get`` stream to and from XAPI's HTTP handlers (import_raw_vdi,
  export_raw_vdi) with a session id.
"""
import contextlib
import http.client
import logging
import time
import urllib.parse
import xmlrpc.client

import eventlet
import eventlet.queue

import nova.conf
from nova import exception
from nova.i18n import _LW

try:
    import XenAPI
except ImportError:  # the driver refuses to start; the rest of Nova does not need it
    XenAPI = None

CONF = nova.conf.CONF
LOG = logging.getLogger(__name__)

TRANSIENT = ('HOST_IS_SLAVE', 'OTHER_OPERATION_IN_PROGRESS', 'HOST_STILL_BOOTING')
_READS = ('get_', 'event.from', 'query_data_source')
_NETWORK_ERRORS = (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError)
_ORIGINATOR = 'nova-compute'


def failure_code(error):
    details = getattr(error, 'details', None) or ['']
    return details[0]


def _is_read(method):
    last = method.rsplit('.', 1)[-1]
    return last.startswith('get_') or method in _READS


def _swap_host(url, address):
    parts = urllib.parse.urlsplit(url)
    netloc = address if parts.port is None else '%s:%d' % (address, parts.port)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


class XenAPISession:
    """Calls into one pool; every driver module goes through one of these."""

    def __init__(self, url, username, password, concurrent=None):
        if XenAPI is None:
            raise exception.XenAPIConnectionFailed(
                url=url, reason='the XenAPI client library is not installed (pip install '
                                'XenAPI)')
        self.url, self.username, self.password = url, username, password
        self.size = concurrent or CONF.xenapi_connection_concurrent
        self._idle = eventlet.queue.LifoQueue()
        self._made = 0
        self._generation = 0  # bumped when the master moves: older sessions are dropped
        session = self._login()
        self.host_ref = session.xenapi.session.get_this_host(session.handle)
        self._release(session, self._generation)

    # -- sessions ---------------------------------------------------------------------
    def _login(self):
        """A logged-in session to the master (a slave's HOST_IS_SLAVE is followed)."""
        for _ in range(3):
            session = XenAPI.Session(self.url)
            try:
                with eventlet.Timeout(CONF.xenapi_login_timeout):
                    session.login_with_password(self.username, self.password or '', '2.21',
                                                _ORIGINATOR)
                return session
            except eventlet.Timeout:
                raise exception.XenAPIConnectionFailed(
                    url=self.url, reason='no answer in %ds' % CONF.xenapi_login_timeout) from None
            except XenAPI.Failure as error:
                if failure_code(error) == 'HOST_IS_SLAVE' and len(error.details) > 1:
                    self._follow_master(error.details[1])
                    continue
                raise exception.XenAPIConnectionFailed(
                    url=self.url, reason=' '.join(error.details)) from None
        raise exception.XenAPIConnectionFailed(url=self.url, reason='the pool master kept moving')

    def _acquire(self):
        try:
            return self._idle.get_nowait()
        except eventlet.queue.Empty:
            pass
        if self._made < self.size:
            self._made += 1
            try:
                return self._login(), self._generation
            except BaseException:
                self._made -= 1
                raise
        return self._idle.get()

    def _release(self, session, generation):
        if generation == self._generation:
            self._idle.put((session, generation))
        else:
            self._made -= 1

    def _discard(self):
        self._made -= 1

    @contextlib.contextmanager
    def session(self):
        """A logged-in XenAPI.Session of the pool, for this green thread alone."""
        session, generation = self._acquire()
        try:
            yield session
        except BaseException:
            self._discard()
            raise
        else:
            self._release(session, generation)

    def _follow_master(self, master):
        new_url = _swap_host(self.url, master)
        if new_url != self.url:
            LOG.warning(_LW('XenAPI host %s is a pool slave: following the master at %s'),
                        self.url, new_url)
            self.url = new_url
        self._generation += 1
        while True:  # idle sessions talk to the old master
            try:
                self._idle.get_nowait()
                self._made -= 1
            except eventlet.queue.Empty:
                break

    # -- calls ------------------------------------------------------------------------
    def call(self, method, *args):
        """``method`` ('VM.start', 'host.get_record', ...) with the session prepended by
        the client; XenAPIFailure (with XAPI's ErrorDescription) when it fails."""
        delay = CONF.xenapi_retry_interval
        for attempt in range(CONF.xenapi_num_retries + 1):
            last = attempt == CONF.xenapi_num_retries
            try:
                with self.session() as session:
                    target = session.xenapi
                    for part in method.split('.'):
                        target = getattr(target, part)
                    return target(*args)
            except _xenapi_failure() as error:
                code = failure_code(error)
                if code == 'HOST_IS_SLAVE' and len(error.details) > 1:
                    self._follow_master(error.details[1])
                if code not in TRANSIENT or last:
                    raise exception.XenAPIFailure(method=method,
                                                  details=list(error.details)) from None
                LOG.info('XenAPI %s: %s, retrying', method, code)
            except exception.XenAPIConnectionFailed:
                if last:
                    raise
            except _NETWORK_ERRORS as error:
                refused = isinstance(error, ConnectionRefusedError)
                if last or not (refused or _is_read(method)):
                    raise exception.XenAPIConnectionFailed(url=self.url,
                                                           reason=repr(error)) from None
                LOG.info('XenAPI %s: %r, retrying', method, error)
            eventlet.sleep(delay)
            delay *= 2

    def call_async(self, method, *args):
        """Run ``Async.<method>`` and wait for its task; the task's result (the value the
        message returns, e.g. a ref), or XenAPIFailure with the task's error_info."""
        task = self.call('Async.' + method, *args)
        try:
            record = self.wait_for_task(task, method)
        finally:
            with contextlib.suppress(exception.XenAPIFailure, exception.XenAPIConnectionFailed):
                self.call('task.destroy', task)
        if record['status'] == 'success':
            return parse_task_result(record['result'])
        details = list(record.get('error_info') or [record['status']])
        raise exception.XenAPIFailure(method=method, details=details)

    def wait_for_task(self, task, method):
        """The task's record once it is no longer pending (event.from on that task)."""
        deadline = time.monotonic() + CONF.xenapi_task_timeout
        token = ''
        cancelled = False
        while True:
            reply = self.call('event.from', ['task/%s' % task], token,
                              float(CONF.xenapi_task_poll_interval))
            token = reply['token']
            for event in reply['events']:
                snapshot = event.get('snapshot')
                if event['operation'] == 'del':
                    raise exception.XenAPIFailure(method=method,
                                                  details=['HANDLE_INVALID', 'task', task])
                if snapshot and snapshot['status'] not in ('pending', 'cancelling'):
                    return snapshot
            if time.monotonic() > deadline and not cancelled:
                LOG.warning(_LW('XenAPI task %s (%s) ran past %ds: cancelling it'), task, method,
                            CONF.xenapi_task_timeout)
                with contextlib.suppress(exception.XenAPIFailure):
                    self.call('task.cancel', task)
                cancelled = True
            elif cancelled and time.monotonic() > deadline + CONF.xenapi_task_timeout:
                raise exception.XenAPIFailure(method=method, details=['TASK_TIMEOUT', task])

    # -- HTTP handlers -------------------------------------------------------------------
    def _connection(self):
        parts = urllib.parse.urlsplit(self.url)
        cls = http.client.HTTPSConnection if parts.scheme == 'https' else http.client.HTTPConnection
        return cls(parts.hostname, parts.port, timeout=max(CONF.xenapi_login_timeout, 60))

    def put(self, path, query, chunks, length):
        """Stream ``chunks`` (``length`` bytes) to a XAPI handler (e.g. /import_raw_vdi)."""
        with self.session() as session:
            conn = self._connection()
            try:
                target = '%s?%s' % (path, urllib.parse.urlencode(
                    dict(query, session_id=session.handle)))
                conn.putrequest('PUT', target)
                conn.putheader('Content-Length', str(length))
                conn.putheader('Content-Type', 'application/octet-stream')
                conn.endheaders()
                sent = 0
                for chunk in chunks:
                    conn.send(chunk)
                    sent += len(chunk)
                if sent != length:
                    raise exception.XenAPIFailure(method='PUT ' + path, details=[
                        'VDI_IO_ERROR', 'sent %d of %d bytes' % (sent, length)])
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    raise exception.XenAPIFailure(method='PUT ' + path, details=[
                        'HTTP %d' % response.status, body.decode(errors='replace')])
            except (OSError, http.client.HTTPException) as error:
                raise exception.XenAPIConnectionFailed(url=self.url, reason=repr(error)) from None
            finally:
                conn.close()

    def get(self, path, query, chunk_size=1024 * 1024):
        """Chunks a XAPI handler (e.g. /export_raw_vdi) streams back."""
        with self.session() as session:
            conn = self._connection()
            try:
                conn.request('GET', '%s?%s' % (path, urllib.parse.urlencode(
                    dict(query, session_id=session.handle))))
                response = conn.getresponse()
                if response.status != 200:
                    raise exception.XenAPIFailure(method='GET ' + path, details=[
                        'HTTP %d' % response.status, response.read().decode(errors='replace')])
                yield from iter(lambda: response.read(chunk_size), b'')
            except (OSError, http.client.HTTPException) as error:
                raise exception.XenAPIConnectionFailed(url=self.url, reason=repr(error)) from None
            finally:
                conn.close()


def _xenapi_failure():
    return XenAPI.Failure


def parse_task_result(result):
    """A task's result field (an XML-RPC <value> element, '' for none) as a Python value."""
    if not result:
        return ''
    params, _ = xmlrpc.client.loads('<params><param>%s</param></params>' % result)
    return params[0]


def connect():
    """The session to the pool --xenapi_connection_url names."""
    if not CONF.xenapi_connection_url:
        raise exception.XenAPIConnectionFailed(
            url='(unset)', reason='--xenapi_connection_url is required with the XenAPI driver')
    try:
        return XenAPISession(CONF.xenapi_connection_url, CONF.xenapi_connection_username,
                             CONF.xenapi_connection_password)
    except _NETWORK_ERRORS as error:
        raise exception.XenAPIConnectionFailed(url=CONF.xenapi_connection_url,
                                               reason=repr(error)) from None
