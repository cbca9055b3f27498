#!/usr/bin/env python3
"""Requests/s and median latency of the compute API on a real nova-all.

Starts nova-all (tests/harness/cloud.py: a real process, HTTP on loopback,
Keystone-style token auth), fills a member's project with servers and times
GET /servers/detail (100 and 1,000 servers), GET /servers, GET /flavors/detail
and POST /servers + DELETE, sequentially and at concurrency 10, as a project
member (and the detail list once as the admin, who sees every attribute). Each client
thread keeps one HTTP connection open, as the real clients do (requests
sessions). Prints numbers only; nothing here asserts a time.

    .venv/bin/python tools/bench/api.py [--seconds 3] [--concurrency 10]
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)

from tests.harness.cloud import Cloud  # noqa: E402

QUOTA_OFF = {'quota_instances': -1, 'quota_cores': -1, 'quota_ram': -1}
# the daemons' default timers (the test cloud ticks every second)
DEFAULT_TIMERS = {'periodic_interval': 60, 'report_interval': 10, 'service_down_time': 60}
# room for 1,000 m1.tiny guests on the one fake host
BIG_HOST = {'fake_vcpus': 1024, 'fake_memory_mb': 1024 * 1024, 'fake_disk_gb': 100000}
MICROVERSION = '2.96'  # what novaclient asks for: the fullest server view


class Client:
    """One keep-alive HTTP connection carrying a token, like a requests session."""

    def __init__(self, base_url, token):
        parts = urllib.parse.urlsplit(base_url)
        self.prefix = parts.path.rstrip('/')
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        self.headers = {'X-Auth-Token': token, 'Accept': 'application/json',
                        'Content-Type': 'application/json',
                        'OpenStack-API-Version': 'compute %s' % MICROVERSION}

    def request(self, method, path, body=None, expect=(200,)):
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, self.prefix + path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status not in expect:
            raise RuntimeError('%s %s: %d %s' % (method, path, response.status, payload[:300]))
        return json.loads(payload) if payload else None

    def close(self):
        self.conn.close()


MEMBER = ('bench', 'bench-user', 'bench-password')  # project, user, password


def add_member(cloud):
    """A project with a member user: the lists are measured as a user sees them."""
    project, user, password = MEMBER
    cloud.manage('project', 'create', project)
    cloud.manage('user', 'create', user, '--password', password, '--project', project)


def get_token(cloud, member=False):
    rc = cloud.novarc()
    project, user, password = MEMBER if member else (
        rc['OS_PROJECT_NAME'], rc['OS_USERNAME'], rc['OS_PASSWORD'])
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': user, 'password': password,
        'domain': {'name': rc['OS_USER_DOMAIN_NAME']}}}},
        'scope': {'project': {'name': project,
                              'domain': {'name': rc['OS_PROJECT_DOMAIN_NAME']}}}}}
    parts = urllib.parse.urlsplit(cloud.url('identity'))
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request('POST', '/v3/auth/tokens', body=json.dumps(body),
                 headers={'Content-Type': 'application/json'})
    response = conn.getresponse()
    response.read()
    if response.status != 201:
        raise SystemExit('token request failed: %d' % response.status)
    return response.getheader('X-Subject-Token')


def cpu_seconds(pid):
    """User + system CPU seconds the process has used so far."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def measure(make_client, operation, seconds, concurrency, server_pid):
    """(requests/s, median latency ms, requests, server CPU ms per request) of
    operation(client) run for seconds by concurrency threads, one client each
    (made before the clock starts: a boto3 client takes a while to build)."""
    latencies, errors = [], []
    lock = threading.Lock()
    clients = [make_client() for _ in range(concurrency)]
    deadline = time.monotonic() + seconds

    def worker(client):
        mine = []
        try:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                operation(client)
                mine.append(time.perf_counter() - start)
        except Exception as error:  # reported below, not hidden
            errors.append(error)
        finally:
            client.close()
            with lock:
                latencies.extend(mine)

    started, cpu_before = time.monotonic(), cpu_seconds(server_pid)
    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(server_pid) - cpu_before
    if errors:
        raise RuntimeError(errors[0])
    return (len(latencies) / elapsed, statistics.median(latencies) * 1000, len(latencies),
            cpu * 1000 / max(len(latencies), 1))


def wait_active(client, expected, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        servers = client.request('GET', '/servers/detail')['servers']
        states = [s['status'] for s in servers]
        if 'ERROR' in states:
            raise SystemExit('a server went to ERROR')
        if len(servers) >= expected and all(state == 'ACTIVE' for state in states):
            return
        if time.monotonic() > deadline:
            raise SystemExit('servers not active after %ss' % timeout)
        time.sleep(0.5)


def fill(client, image, flavor, total):
    """Boot servers (100 per request) until the project has total of them."""
    have = len(client.request('GET', '/servers')['servers'])
    while have < total:
        count = min(100, total - have)
        client.request('POST', '/servers', {'server': {
            'name': 'bench', 'imageRef': image, 'flavorRef': flavor, 'networks': 'none',
            'min_count': count, 'max_count': count}}, expect=(202,))
        have += count
    wait_active(client, total)


def report(label, result):
    """One line; 'server CPU' is what one request cost nova-all, whatever else the
    machine was doing: 1000 / it is the rate one free core would serve."""
    rate, median, count, cpu_ms = result
    print('%-46s %7.1f req/s  median %7.1f ms  server CPU %6.2f ms/req  (%d requests)'
          % (label, rate, median, cpu_ms, count), flush=True)


def run(cloud, seconds, concurrency, sizes):
    add_member(cloud)
    token = get_token(cloud, member=True)
    admin_token = get_token(cloud)
    server_pid = cloud.processes[0].proc.pid
    base = cloud.url('osapi_compute', '/v2.1')

    def make_client():
        return Client(base, token)

    setup = make_client()
    image = cloud.run_json('openstack', 'image', 'show', 'cirros', '-f', 'json')['id']
    flavor = '1'  # m1.tiny

    def get(path):
        return lambda client: client.request('GET', path)

    def create_delete(client):
        server = client.request('POST', '/servers', {'server': {
            'name': 'cd', 'imageRef': image, 'flavorRef': flavor, 'networks': 'none'}},
            expect=(202,))['server']
        client.request('DELETE', '/servers/%s' % server['id'], expect=(204,))

    levels = (('sequential', 1), ('concurrency %d' % concurrency, concurrency))
    for size in sizes:
        fill(setup, image, flavor, size)
        for name, path in (('GET /servers/detail', '/servers/detail'),
                           ('GET /servers', '/servers')):
            for level, threads in levels:
                report('%s, %d servers, %s' % (name, size, level),
                       measure(make_client, get('%s?limit=%d' % (path, size)), seconds,
                               threads, server_pid))
        report('GET /servers/detail, %d servers, as admin' % size, measure(
            lambda: Client(base, admin_token),
            get('/servers/detail?all_tenants=1&limit=%d' % size), seconds, 1, server_pid))
    for level, threads in levels:
        try:
            report('GET /flavors/detail, %s' % level,
                   measure(make_client, get('/flavors/detail'), seconds, threads,
                           server_pid))
        except RuntimeError as error:
            print('GET /flavors/detail, %s: not measured (%s)' % (level, error))
    for level, threads in levels:
        report('POST /servers + DELETE, %s' % level,
               measure(make_client, create_delete, seconds, threads, server_pid))
    setup.close()


def bench_main(doc, run_on, name, what='servers', **flags):
    """The command line of the cloud benchmarks: --seconds, --concurrency, --sizes;
    run_on(cloud, seconds, concurrency, sizes) on a fresh nova-all with flags."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=3.0, help='per measurement')
    parser.add_argument('--concurrency', type=int, default=10)
    parser.add_argument('--sizes', default='100,1000', help='%s in the project' % what)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='bench-%s-' % name) as state_path:
        cloud = Cloud.start_all(state_path, **flags)
        try:
            run_on(cloud, args.seconds, args.concurrency,
                   [int(size) for size in args.sizes.split(',')])
        finally:
            cloud.stop()


if __name__ == '__main__':
    bench_main(__doc__, run, 'api', **QUOTA_OFF, **BIG_HOST, **DEFAULT_TIMERS)
