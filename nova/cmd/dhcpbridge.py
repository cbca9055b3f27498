"""nova-dhcpbridge: dnsmasq's --dhcp-script, recording lease events in the database.

dnsmasq runs it as ``nova-dhcpbridge add|old|del MAC IP [HOSTNAME]`` when a
lease is given, renewed (nothing to record: it returns at once) or
released/expired, and as ``nova-dhcpbridge init``
at its start (with --leasefile-ro) to learn the leases that exist: those the
database says are leased, so a restarted dnsmasq keeps them. The network and
the flagfiles come from the environment nova-network started dnsmasq with
(NETWORK_ID, FLAGFILE; NETWORK_HOST on a multi_host network, whose dnsmasq on
each host serves that host's instances).
"""
import os
import sys
import time

ACTIONS = ('add', 'old', 'del', 'init')


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ACTIONS:
        sys.stderr.write('usage: nova-dhcpbridge add|old|del MAC IP [HOSTNAME] | init\n')
        return 2
    action, args = argv[0], argv[1:]
    if action != 'init' and len(args) < 2:
        sys.stderr.write('nova-dhcpbridge %s needs MAC and IP\n' % action)
        return 2
    if action == 'old':
        # a renewal changes nothing the database keeps; dnsmasq runs one script at a
        # time, so a Python start per renewal would delay the events that matter
        return 0
    from nova.cmd import common
    flagfiles = [f for f in os.environ.get('FLAGFILE', '').split(',') if f]
    common.init('nova-dhcpbridge', ['--flagfile=%s' % f for f in flagfiles], check_db=False,
                need_rpc=False)  # quick: dnsmasq waits for each event
    for attempt in range(ATTEMPTS):
        try:
            return _record(action, args)
        except Exception as error:  # noqa: BLE001 -- dnsmasq logs one line, no traceback
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            sys.stderr.write('nova-dhcpbridge %s %s (attempt %d): %s\n'
                             % (action, ' '.join(args), attempt + 1, message))
            time.sleep(0.5)
    return 1


ATTEMPTS = 3  # a busy database is waited for; an event lost is a lease unknown


def _record(action, args):
    from nova import context as nova_context
    from nova.conf import CONF
    from nova.db import api as db
    ctxt = nova_context.get_admin_context()
    if action == 'init':
        network_id = int(os.environ.get('NETWORK_ID', '0'))
        expiry = int(time.time()) + CONF.dhcp_lease_time
        host = os.environ.get('NETWORK_HOST') or None  # multi_host: this host's only
        for mac, hostname, address in db.network_dhcp_hosts(ctxt, network_id,
                                                            leased_only=True, host=host):
            print('%d %s %s %s *' % (expiry, mac, address, hostname))
        return 0
    mac, address = args[0], args[1]
    db.fixed_ip_set_leased(ctxt, address, mac, action != 'del')
    return 0
