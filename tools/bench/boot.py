#!/usr/bin/env python3
"""Boot N instances through nova.compute.api and time them to ACTIVE.

Each instance gets a fixed IP from nova-network (FlatManager, a /16 made here;
--no-network boots without addresses).

Modes:
  inproc   the nova-all arrangement: scheduler and compute hosts in this
           process, in-process RPC, SQLite (WAL) in a temp dir.
  rabbit   separate nova-scheduler and nova-compute daemons over a private
           RabbitMQ with a private PostgreSQL (both started here); this process
           plays nova-api.
Prints instances/s to active (and delete throughput) and each process's peak RSS.
No assertions: numbers only.
"""
import argparse
import os
import resource
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)

from nova import utils  # noqa: E402

utils.monkey_patch()

import eventlet  # noqa: E402

from nova import context as nova_context  # noqa: E402
from nova import rpc  # noqa: E402
from nova import service  # noqa: E402
from nova.compute import api as compute_api  # noqa: E402
from nova.compute import flavors, vm_states  # noqa: E402
from nova.conf import CONF  # noqa: E402
from nova.db import api as db  # noqa: E402
from nova.db import migration  # noqa: E402
from nova.image import service as image_service  # noqa: E402

QUOTA_OFF = {'quota_instances': -1, 'quota_cores': -1, 'quota_ram': -1}


def peak_rss_mb(pid=None):
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024.0
    return 0.0


def wait_active(admin, uuids, timeout):
    deadline = time.monotonic() + timeout
    pending = set(uuids)
    while pending:
        rows = db.instance_get_all_by_filters(admin, {'uuid': list(pending)})
        errors = [r.uuid for r in rows if r.vm_state == vm_states.ERROR]
        if errors:
            raise SystemExit('%d instances went to ERROR' % len(errors))
        pending -= {r.uuid for r in rows if r.vm_state == vm_states.ACTIVE}
        if time.monotonic() > deadline:
            raise SystemExit('%d instances not active after %ss' % (len(pending), timeout))
        eventlet.sleep(0.02)


def wait_deleted(admin, uuids, timeout):
    deadline = time.monotonic() + timeout
    while db.instance_get_all_by_filters(admin, {'uuid': list(uuids), 'deleted': False}):
        if time.monotonic() > deadline:
            raise SystemExit('instances not deleted after %ss' % timeout)
        eventlet.sleep(0.02)


def run(n, per_request, concurrency, label):
    admin = nova_context.get_admin_context()
    ctx = nova_context.RequestContext(user_id='bench', project_id='bench', roles=['member'],
                                      overwrite=False)
    api = compute_api.API()
    image_service.ensure_default_image(admin)
    image = {'id': image_service.DEFAULT_IMAGE_ID}
    flavor = flavors.get_by_name_or_id('m1.tiny')
    requests = [per_request] * (n // per_request) + ([n % per_request] if n % per_request else [])

    def boot(count):
        instances, _ = api.create(ctx, flavor, image['id'], display_name='b',
                                  min_count=count, max_count=count)
        return [i.uuid for i in instances]

    start = time.monotonic()
    pool = eventlet.GreenPool(concurrency)
    uuids = [u for batch in pool.imap(boot, requests) for u in batch]
    accepted = time.monotonic() - start
    wait_active(admin, uuids, timeout=max(120, n / 5))
    active = time.monotonic() - start
    start = time.monotonic()
    for inst in db.instance_get_all_by_filters(admin, {'uuid': uuids}):
        api.delete(ctx, inst)
    wait_deleted(admin, uuids, timeout=max(120, n / 5))
    deleted = time.monotonic() - start
    print('%-8s n=%-5d %3d/request  conc=%-3d  accepted %6.2fs  active %6.2fs  '
          '%7.1f inst/s to active  delete %6.1f inst/s' % (
              label, n, per_request, concurrency, accepted, active, n / active, n / deleted))


def with_network(args):
    """A /16 for the instances (FlatManager allocates from it), unless --no-network."""
    if args.network:
        from nova.network import api as network_api
        network_api.API().create_network(nova_context.get_admin_context(), '10.0.0.0/16',
                                         label='private')


def inproc(args, tmp):
    flags = dict(QUOTA_OFF, state_path=tmp, transport_url='inproc://',
                 sql_connection='sqlite:///%s/nova.sqlite' % tmp,
                 fake_memory_mb=10 ** 7, fake_vcpus=10 ** 5, fake_disk_gb=10 ** 7)
    for name, value in flags.items():
        CONF.set_override(name, value)
    migration.db_sync()
    rpc.init()
    with_network(args)
    services = [service.Service.create('nova-scheduler', host='controller',
                                       periodic_enable=False)]
    if args.network:
        services.append(service.Service.create('nova-network', host='controller',
                                               periodic_enable=False))
    services += [service.Service.create('nova-compute', host='c%d' % i, periodic_enable=False)
                 for i in range(args.hosts)]
    for svc in services:
        svc.start()
    for n in args.n:
        run(n, 1, args.concurrency, 'inproc')
        run(n, 100, 1, 'inproc')
    print('peak RSS: this process (api + scheduler + %d computes) %.0f MB' % (
        args.hosts, peak_rss_mb()))


def rabbit(args, tmp):
    from tests.harness import daemons
    from tests.harness.postgres import PostgresServer
    from tests.harness.rabbitmq import RabbitMQServer
    broker, pg = RabbitMQServer(os.path.join(tmp, 'mq')), PostgresServer(os.path.join(tmp, 'pg'))
    broker.start()
    pg.start()
    procs = []
    try:
        url = pg.create_database('nova')
        flags = dict(QUOTA_OFF, state_path=tmp, transport_url=broker.url, sql_connection=url,
                     fake_memory_mb=10 ** 7, fake_vcpus=10 ** 5, fake_disk_gb=10 ** 7,
                     report_interval=5)
        flagfile = daemons.write_flagfile(os.path.join(tmp, 'nova.flags'), **flags)
        for name, value in flags.items():
            CONF.set_override(name, value)
        migration.db_sync()
        rpc.init()
        with_network(args)
        procs.append(daemons.Daemon('nova-scheduler', flagfile, tmp, '--host=controller'))
        if args.network:
            procs.append(daemons.Daemon('nova-network', flagfile, tmp, '--host=controller'))
        procs += [daemons.Daemon('nova-compute', flagfile, tmp, '--host=c%d' % i)
                  for i in range(args.hosts)]
        admin = nova_context.get_admin_context()
        daemons.wait_for(lambda: len(db.compute_node_get_all(admin)) == args.hosts,
                         timeout=60, what='compute nodes')
        time.sleep(1)
        for n in args.n:
            run(n, 1, args.concurrency, 'rabbit')
            run(n, 100, 1, 'rabbit')
        print('peak RSS: api %.0f MB; %s' % (peak_rss_mb(), ', '.join(
            '%s %.0f MB' % (p.name, peak_rss_mb(p.proc.pid)) for p in procs)))
    finally:
        for p in procs:
            p.stop()
        rpc.cleanup()
        broker.stop()
        pg.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--mode', choices=['inproc', 'rabbit', 'both'], default='both')
    parser.add_argument('--n', type=int, nargs='+', default=[100, 1000])
    parser.add_argument('--hosts', type=int, default=2)
    parser.add_argument('--concurrency', type=int, default=20)
    parser.add_argument('--no-network', dest='network', action='store_false',
                        help='boot without networks (no nova-network round trip)')
    args = parser.parse_args()
    import nova.conf
    nova.conf.parse_args([], default_flagfiles=())
    with tempfile.TemporaryDirectory() as tmp:
        if args.mode in ('inproc', 'both'):
            inproc(args, tmp)
    if args.mode in ('rabbit', 'both'):
        nova.conf.reset()
        nova.conf.parse_args([], default_flagfiles=())
        from nova.db import session
        session.dispose()
        rpc.cleanup()
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            rabbit(args, tmp)


if __name__ == '__main__':
    main()
