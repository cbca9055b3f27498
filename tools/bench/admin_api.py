#!/usr/bin/env python3
"""Requests/s and median latency of the operator's compute API on a real nova-all.

Fills the admin project with servers (as tools/bench/api.py does) and times
GET /os-hypervisors/detail?with_servers, /os-services, /os-aggregates,
/os-server-groups, /os-simple-tenant-usage?detailed and /os-migrations,
sequentially and at concurrency 10. Prints numbers only.

    .venv/bin/python tools/bench/admin_api.py [--seconds 3] [--sizes 100,1000]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import api as bench  # noqa: E402 -- tools/bench/api.py: client, token, fill, measure

PATHS = ('/os-hypervisors/detail?with_servers=true', '/os-services', '/os-aggregates',
         '/os-server-groups', '/os-simple-tenant-usage?detailed=1',
         '/os-migrations')


def run(cloud, seconds, concurrency, sizes):
    token = bench.get_token(cloud)
    base = cloud.url('osapi_compute', '/v2.1')
    server_pid = cloud.processes[0].proc.pid

    def make_client():
        return bench.Client(base, token)

    setup = make_client()
    image = cloud.run_json('openstack', 'image', 'show', 'cirros', '-f', 'json')['id']
    setup.request('POST', '/os-aggregates', {'aggregate': {'name': 'rack1'}})
    setup.request('POST', '/os-server-groups', {'server_group': {
        'name': 'g', 'policy': 'anti-affinity'}})  # the bench speaks 2.96
    for size in sizes:
        bench.fill(setup, image, '1', size)
        for path in PATHS:
            for level, threads in (('sequential', 1), ('concurrency %d' % concurrency,
                                                       concurrency)):
                bench.report('GET %s, %d servers, %s' % (path.split('?')[0], size, level),
                             bench.measure(make_client,
                                           lambda client, p=path: client.request('GET', p),
                                           seconds, threads, server_pid))
    setup.close()


if __name__ == '__main__':
    bench.bench_main(__doc__, run, 'admin-api', **bench.QUOTA_OFF, **bench.BIG_HOST)
