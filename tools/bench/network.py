#!/usr/bin/env python3
"""nova-network's costs, printed (no assertions).

- alloc: allocate + deallocate pairs per second through the network API
  (nova-network's FlatManager in this process on the in-process transport,
  SQLite in a temp dir), one instance per call and in batches, with the SQL
  statements each costs;
- firewall: time to build and apply (iptables-restore) the security group
  table of N instances with R rules each, inside a network namespace made
  for the run (root needed; skipped with the reason otherwise);
- nat: the same for a network host's NAT table with N floating IPs.

Boot throughput through FlatManager is tools/bench/boot.py.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import types

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)

from nova import utils  # noqa: E402

utils.monkey_patch()

from nova import context as nova_context  # noqa: E402
from nova import rpc  # noqa: E402
from nova import service  # noqa: E402
from nova.conf import CONF  # noqa: E402
from nova.db import migration  # noqa: E402
from nova.network import api as network_api  # noqa: E402


def alloc(args):
    with tempfile.TemporaryDirectory() as tmp:
        for name, value in dict(state_path=tmp, transport_url='inproc://',
                                sql_connection='sqlite:///%s/nova.sqlite' % tmp).items():
            CONF.set_override(name, value)
        migration.db_sync()
        rpc.init()
        svc = service.Service.create('nova-network', host='net', periodic_enable=False)
        svc.start()
        admin = nova_context.get_admin_context()
        api = network_api.API()
        api.create_network(admin, '10.0.0.0/16', label='private')
        from tests.unit.db.compute_helpers import count_statements, queries
        for batch in args.batches:
            instances = [types.SimpleNamespace(uuid='b%d-%d' % (batch, i), project_id='p',
                                               host='c1', system_metadata={})
                         for i in range(args.pairs)]
            start = time.monotonic()
            with count_statements() as statements:
                for first in range(0, len(instances), batch):
                    api.allocate_for_instances(admin, instances[first:first + batch], 'c1')
            allocated = time.monotonic() - start
            per_call = len(queries(statements)) / (len(instances) / batch)
            start = time.monotonic()
            for instance in instances:
                api.deallocate_for_instance(admin, instance)
            freed = time.monotonic() - start
            print('alloc    batch=%-4d %6d instances  allocate %8.0f/s (%4.1f statements '
                  'per call)  deallocate %6.0f/s  pairs %6.0f/s' % (
                      batch, len(instances), len(instances) / allocated, per_call,
                      len(instances) / freed, len(instances) / (allocated + freed)))
        svc.stop(graceful=False)
        rpc.cleanup()


def _specs(count, rules):
    return [{'id': i, 'uuid': 'u%d' % i, 'ips': ['10.%d.%d.%d' % (i // 65536, i // 256 % 256,
                                                                   i % 256 or 1)],
             'dhcp_servers': ['10.0.0.1'], 'networks': ['10.0.0.0/16'],
             'rules': [{'protocol': 'tcp', 'from_port': 1000 + r, 'to_port': 1000 + r,
                        'sources': ['192.0.2.0/24']} for r in range(rules)]}
            for i in range(count)]


def tables_inside(args):
    """Run inside the namespace: build and apply, timed."""
    from nova.network import firewall, manager
    driver = firewall.IptablesFirewallDriver()
    specs = _specs(args.instances, args.rules)
    for run in ('first', 'again'):
        start = time.monotonic()
        table = driver.table(specs)
        built = time.monotonic() - start
        driver.apply(specs)
        total = time.monotonic() - start
        print('firewall %5d instances x %d rules (%d iptables rules, %s apply): build '
              '%.3fs, build+apply %.3fs' % (args.instances, args.rules, table.rule_count(),
                                           run, built, total))
    networks = [types.SimpleNamespace(cidr='10.0.0.0/16', bridge='br100', segment_type='flat')]
    floating = [('198.18.%d.%d' % (i // 256, i % 256), '10.0.%d.%d' % (i // 256, i % 256),
                 None) for i in range(args.instances)]
    for name, value in dict(metadata_host='192.0.2.1', routing_source_ip='192.0.2.1').items():
        CONF.set_override(name, value)
    start = time.monotonic()
    from nova.network import iptables
    nat = manager.LinuxNetworkManager.nat_tables(networks, floating)
    iptables.apply(*nat)
    print('nat      %5d floating IPs (%d rules): build+apply %.3fs' % (
        args.instances, sum(t.rule_count() for t in nat), time.monotonic() - start))


def tables(args):
    if os.geteuid() != 0:
        print('firewall/nat: skipped, needs root (network namespaces, iptables)')
        return
    ns = 'nvbench%d' % os.getpid()
    subprocess.run(['ip', 'netns', 'add', ns], check=True)
    try:
        subprocess.run(['ip', 'netns', 'exec', ns, sys.executable, __file__, '--inside',
                        '--instances', str(args.instances), '--rules', str(args.rules)],
                       check=True)
    finally:
        subprocess.run(['ip', 'netns', 'del', ns])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--what', choices=['alloc', 'tables', 'all'], default='all')
    parser.add_argument('--pairs', type=int, default=500)
    parser.add_argument('--batches', type=int, nargs='+', default=[1, 100])
    parser.add_argument('--instances', type=int, default=1000)
    parser.add_argument('--rules', type=int, default=5)
    parser.add_argument('--inside', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    import nova.conf
    nova.conf.parse_args([], default_flagfiles=())
    if args.inside:
        return tables_inside(args)
    if args.what in ('alloc', 'all'):
        alloc(args)
    if args.what in ('tables', 'all'):
        tables(args)


if __name__ == '__main__':
    main()
