"""The HTTP workload of upstream Nova's anchor harness (../shared/anchor-nova/lib/bench.py),
run against this cloud's compute API: boot 100 servers in one request, 100 separate
POSTs at concurrency 10, delete them at concurrency 10, list 100 and 1,000 servers,
boot 900 more and delete all 1,000, each waited for as a client sees it (polling the
server list), so that the two clouds' numbers compare.

Differences from the anchor, on purpose: one keep-alive connection per client thread
(as novaclient/openstacksdk sessions do), a Keystone token instead of the anchor's
noauth filter, the poll interval is a parameter (the anchor's 0.5 s would cap a
100-server burst that takes 0.3 s at 200/s; polling much faster takes the API's CPU
from the work it waits for) and the ERROR check runs every 5th poll, not every poll.
Numbers only; nothing asserts a time.
"""
import http.client
import json
import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

MICROVERSION = '2.96'


class Api:
    """The compute API as one client sees it: one keep-alive connection per thread."""

    def __init__(self, base_url, token):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.prefix = parts.hostname, parts.port, parts.path.rstrip('/')
        self.headers = {'X-Auth-Token': token, 'Accept': 'application/json',
                        'Content-Type': 'application/json',
                        'OpenStack-API-Version': 'compute %s' % MICROVERSION}
        self.local = threading.local()
        self.requests = 0

    def _conn(self):
        if getattr(self.local, 'conn', None) is None:
            self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        return self.local.conn

    def request(self, method, path, body=None, ok=(200,)):
        data = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):  # a kept-alive connection the server closed: one retry
            conn = self._conn()
            try:
                conn.request(method, self.prefix + path, body=data, headers=self.headers)
                response = conn.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        self.requests += 1
        if response.status not in ok:
            raise RuntimeError('%s %s: %d %s' % (method, path, response.status, payload[:300]))
        return response.status, (json.loads(payload) if payload else None)


def median(values):
    return round(statistics.median(values), 3) if values else None


class Workload:
    """The anchor's run(), step by step; waits go through `waiter` (list polling over
    the API by default, a direct DB count in profile mode)."""

    def __init__(self, api, image, flavor, n=100, big=1000, concurrency=10, reps=2, poll=0.25,
                 waiter=None, networks='none'):
        """networks: what each server asks for ('none' as the anchor; 'auto': an
        address on every network the project may use)."""
        self.api, self.image, self.flavor, self.networks = api, image, flavor, networks
        self.n, self.big, self.concurrency, self.reps, self.poll = n, big, concurrency, reps, poll
        self.waiter = waiter or ApiWaiter(api, poll)

    def body(self, name, count=1):
        server = {'name': name, 'imageRef': self.image, 'flavorRef': self.flavor,
                  'networks': self.networks}
        if count > 1:
            server.update(min_count=count, max_count=count, return_reservation_id=True)
        return {'server': server}

    # -- the steps ------------------------------------------------------------------------
    def boot_multi(self, name, count):
        """(POST latency, first POST -> all ACTIVE, query selecting them)."""
        start = time.monotonic()
        _, reply = self.api.request('POST', '/servers', self.body(name, count), ok=(202,))
        posted = time.monotonic() - start
        query = 'reservation_id=' + reply['reservation_id']
        self.waiter.active(query, count, start)
        return posted, time.monotonic() - start, query

    def boot_separate(self, prefix, count):
        """(all POSTs answered, first POST -> all ACTIVE, POST latencies, query)."""
        latencies = []

        def one(i):
            began = time.monotonic()
            self.api.request('POST', '/servers', self.body('%s-%d' % (prefix, i)), ok=(202,))
            latencies.append(time.monotonic() - began)

        start = time.monotonic()
        with ThreadPoolExecutor(self.concurrency) as pool:
            list(pool.map(one, range(count)))
        posted = time.monotonic() - start
        query = 'name=%%5E%s-' % prefix
        self.waiter.active(query, count, start)
        return posted, time.monotonic() - start, latencies, query

    def ids(self, query):
        out, marker = [], None
        while True:
            path = '/servers?limit=1000&' + query + ('&marker=' + marker if marker else '')
            page = self.api.request('GET', path)[1]['servers']
            out += [s['id'] for s in page]
            if len(page) < 1000:
                return out
            marker = page[-1]['id']

    def delete(self, query):
        """(DELETEs answered, first DELETE -> all gone, how many)."""
        ids = self.ids(query)
        start = time.monotonic()
        with ThreadPoolExecutor(self.concurrency) as pool:
            list(pool.map(lambda i: self.api.request('DELETE', '/servers/' + i,
                                                     ok=(204, 404)), ids))
        answered = time.monotonic() - start
        self.waiter.gone(query, start)
        return answered, time.monotonic() - start, len(ids)

    def list_rate(self, path, sequential, concurrent):
        """(sequential median s, req/s at concurrency) of GET path."""
        latencies = []
        for _ in range(sequential):
            began = time.monotonic()
            self.api.request('GET', path)
            latencies.append(time.monotonic() - began)
        start = time.monotonic()
        with ThreadPoolExecutor(self.concurrency) as pool:
            list(pool.map(lambda _: self.api.request('GET', path), range(concurrent)))
        return median(latencies), concurrent / (time.monotonic() - start)


class ApiWaiter:
    """Waits as the anchor does: GET /servers?status=... until the count is reached."""

    TIMEOUT = 900

    def __init__(self, api, poll):
        self.api, self.poll = api, poll

    def _count(self, query):
        count, marker = 0, None
        while True:
            path = '/servers?limit=1000&' + query + ('&marker=' + marker if marker else '')
            page = self.api.request('GET', path)[1]['servers']
            count += len(page)
            if len(page) < 1000:
                return count
            marker = page[-1]['id']

    def _until(self, done, start, what):
        while not done():
            if time.monotonic() - start > self.TIMEOUT:
                raise RuntimeError('timed out waiting for %s' % what)
            time.sleep(self.poll)

    def active(self, query, count, start):
        polls = []

        def done():
            polls.append(1)  # ERROR only every 5th poll: each poll costs the API a list
            if len(polls) % 5 == 0 and self._count(query + '&status=ERROR'):
                raise RuntimeError('servers in ERROR for %s' % query)
            return self._count(query + '&status=ACTIVE') >= count
        self._until(done, start, '%d ACTIVE (%s)' % (count, query))

    def gone(self, query, start):
        self._until(lambda: self._count(query) == 0, start, 'deletion (%s)' % query)


class DatabaseWaiter(ApiWaiter):
    """Waits by counting rows as another database role, so that a profile counts only
    what the operation itself cost the cloud (no list requests, no statements)."""

    def __init__(self, dsn, poll):
        import psycopg
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.poll = poll

    def _rows(self, query):
        """vm_state of each live instance the API query (name=^prefix-,
        reservation_id=..., or '' for all) selects."""
        field, _, value = query.partition('=')
        sql, params = 'SELECT vm_state FROM instances WHERE deleted = 0', ()
        if field == 'name':
            sql, params = sql + ' AND display_name LIKE %s', (
                urllib.parse.unquote(value).lstrip('^') + '%',)
        elif field == 'reservation_id':
            sql, params = sql + ' AND reservation_id = %s', (value,)
        return [row[0] for row in self.conn.execute(sql, params)]

    def active(self, query, count, start):
        def done():
            states = self._rows(query)
            if 'error' in states:
                raise RuntimeError('servers in ERROR for %s' % query)
            return states.count('active') >= count
        self._until(done, start, '%d active (%s)' % (count, query))

    def gone(self, query, start):
        self._until(lambda: not self._rows(query), start, 'deletion (%s)' % query)
