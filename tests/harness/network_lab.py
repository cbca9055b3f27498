"""A cloud of nova daemons in lab namespaces (tests/harness/netns.py), for the
nova-network integration tests: nova-scheduler, nova-network and nova-api in
``ctl``, nova-compute with --fake_guest_netns in ``c1`` and ``c2``, an ``out``
namespace on the public side; RabbitMQ through nsproxy forwarders, SQLite on
the shared filesystem. nova-api serves the metadata service and, with
``front_ends``, the OpenStack Compute, EC2 and identity APIs, which this
process reaches through forwarders on the same ports of its own loopback
(the catalog says 127.0.0.1): ``project()`` gives a test a project of its own
with a keystoneauth session and a boto3 EC2 client. Otherwise this process
plays nova-api (``boot``).
"""
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import types
import urllib.error
import urllib.request
import uuid

import boto3
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from nova import context as nova_context
from nova import rpc
from nova.compute import api as compute_api
from nova.auth import endpoints
from nova.auth import manager as auth_manager
from nova.compute import flavors, vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.db import migration
from nova.db import session as db_session
from nova.image import service as image_service
from tests.harness import daemons, netns

CTL_PUBLIC = '192.0.2.10'  # ctl's underlay address: --routing_source_ip, the metadata host
OUTSIDE = '192.0.2.13'
METADATA_PORT = 8775
FRONT_ENDS = ('osapi_compute', 'ec2', 'identity')
# answers every GET with the address the request came from
ECHO_SERVER = """
import http.server, sys
class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.client_address[0].encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(('0.0.0.0', int(sys.argv[1])), Echo).serve_forever()
"""


def wait_for(predicate, timeout=30, what='condition'):
    """daemons.wait_for polling every 0.1 s (packets and leases come fast)."""
    return daemons.wait_for(predicate, timeout=timeout, interval=0.1, what=what)


class Cloud:
    def __init__(self, lab, tmp, broker, networks_path, **flags):
        self.lab, self.tmp = lab, tmp
        self.flags = dict(
            state_path=tmp, sql_connection='sqlite:///%s/nova.sqlite' % tmp,
            transport_url=broker.url, compute_driver='fake.FakeDriver', fake_guest_netns=True,
            fake_guest_netns_prefix=lab.name('g-'),
            # dnsmasq reads its hosts file as nobody: a directory it can reach
            networks_path=os.path.join(networks_path, '$host'),  # hosts share a disk here
            public_interface='eth0', routing_source_ip=CTL_PUBLIC, metadata_host=CTL_PUBLIC,
            metadata_port=METADATA_PORT, enabled_apis='metadata',
            metadata_listen='0.0.0.0', metadata_listen_port=METADATA_PORT,
            dhcp_lease_time=600,  # few renewals: lease events stay prompt on a busy machine
            report_interval=1, periodic_interval=1, service_down_time=10,
            quota_instances=-1, quota_cores=-1, quota_ram=-1, verbose=True)
        self.flags.update(flags)
        self.flagfile = daemons.write_flagfile(os.path.join(tmp, 'nova.flags'), **self.flags)
        self.daemons = {}

    def start(self, binary, host, *extra):
        ns = self.lab.name(host)
        log = os.path.join(self.tmp, '%s-%s.log' % (binary, host))
        proc = self.lab.spawn(ns, sys.executable, os.path.join(daemons.BIN, binary),
                              '--flagfile=%s' % self.flagfile, '--host=%s' % host,
                              '--my_ip=%s' % self.lab.addresses[ns], *extra, log=log)
        self.daemons[(binary, host)] = (proc, log)
        return proc

    def log(self, binary, host):
        with open(self.daemons[(binary, host)][1], errors='replace') as f:
            return f.read()


    def set_flags(self):
        for name, value in self.flags.items():
            CONF.set_override(name, value)


def _front_end_flags():
    """nova-api in ctl serving the front ends too, on ports free here (the forwarders
    listen on the same ones in this namespace)."""
    flags = {'enabled_apis': ','.join(('metadata',) + FRONT_ENDS),
             'public_endpoint_host': '127.0.0.1'}
    for api in FRONT_ENDS:
        flags.update({'%s_listen' % api: '0.0.0.0', '%s_listen_port' % api: daemons.free_port()})
    return flags


@contextlib.contextmanager
def running_cloud(rabbitmq, tmp, flags, prepare, flat_vxlan=False, network_hosts=('ctl',),
                  compute_args=None, front_ends=False, local_metadata=False):
    """A Cloud with every daemon up; prepare(cloud, admin) runs before they start
    (networks, floating IPs). flat_vxlan: a VXLAN 'vxflat' joins the hosts;
    network_hosts: where nova-network runs (c1 and c2 for multi_host);
    compute_args(cloud, host): extra arguments of that host's nova-compute;
    front_ends: nova-api serves the Compute, EC2 and identity APIs (see project());
    local_metadata: each network host runs a metadata nova-api of its own, its NAT
    sending 169.254.169.254 there (multi_host: the service knows an instance by its
    source address, and only the instance's own host routes to it)."""
    os.chmod(tmp, 0o755)
    lab = netns.Lab()
    networks_path = None
    if front_ends:
        flags = dict(_front_end_flags(), **flags)
    if local_metadata:
        flags = dict(flags, metadata_host='$my_ip')
    try:
        hosts = {role: lab.host(role)[0] for role in ('ctl', 'c1', 'c2', 'out')}
        if flat_vxlan:  # the "physical" flat network between the hosts
            for role in ('ctl', 'c1', 'c2'):
                lab.vxlan(hosts[role], 'vxflat', lab.vni_base)
        outside = hosts.pop('out')
        lab.proxy(['%s,127.0.0.1,%d,-,127.0.0.1,%d' % (ns, rabbitmq.port, rabbitmq.port)
                   for ns in hosts.values()])
        if front_ends:
            lab.proxy(['-,127.0.0.1,%d,%s,127.0.0.1,%d' % (
                flags['%s_listen_port' % api], hosts['ctl'], flags['%s_listen_port' % api])
                for api in FRONT_ENDS])
        # dnsmasq reads its hosts file as nobody: a directory it can reach
        networks_path = tempfile.mkdtemp(prefix='nova-networks-')
        os.chmod(networks_path, 0o755)
        cloud = Cloud(lab, tmp, rabbitmq, networks_path, **flags)
        cloud.set_flags()
        db_session.dispose()
        migration.db_sync()
        rpc.init()
        admin = nova_context.get_admin_context()
        image_service.ensure_default_image(admin)
        cloud.hosts, cloud.outside = hosts, outside
        prepare(cloud, admin)
        cloud.start('nova-scheduler', 'ctl')
        cloud.start('nova-api', 'ctl')
        for host in network_hosts:
            cloud.start('nova-network', host)
            if local_metadata and host != 'ctl':
                cloud.start('nova-api', host, '--enabled_apis=metadata')
        for host in ('c1', 'c2'):
            cloud.start('nova-compute', host,
                        *(compute_args(cloud, host) if compute_args else ()))
        wait_for(lambda: len(db.compute_node_get_all(admin)) == 2, 60, 'compute nodes')
        if front_ends:
            wait_for(lambda: _answers(endpoints.auth_url()), 60, 'the identity API')
        lab.spawn(outside, sys.executable, '-c', ECHO_SERVER, '8081')
        yield cloud
    finally:
        rpc.cleanup()
        lab.cleanup()  # the guests' namespaces too: their names start with the lab's
        db_session.dispose()
        if networks_path:  # dnsmasq's logs stay with the daemons' for post-mortems
            for host in os.listdir(networks_path):
                for name in os.listdir(os.path.join(networks_path, host)):
                    if name.endswith('.log'):
                        shutil.copy(os.path.join(networks_path, host, name),
                                    os.path.join(tmp, '%s-%s' % (host, name)))
            shutil.rmtree(networks_path, ignore_errors=True)


def _answers(url):
    try:
        urllib.request.urlopen(url, timeout=5).close()
    except urllib.error.HTTPError:
        pass
    except OSError:
        return False
    return True


def project(cloud, name):
    """A project of the test's own with a member user, through the real front ends:
    .os, a keystoneauth session (token and catalog from the identity API; calls
    name the compute service by endpoint_filter), .ec2, a boto3 client with the
    user's EC2 keys, .ctx the same user as a RequestContext, .project_id."""
    cloud.set_flags()
    admin = nova_context.get_admin_context()
    password = uuid.uuid4().hex
    project_row = auth_manager.create_project(admin, name)
    user = auth_manager.create_user(admin, name + '-user', password)
    auth_manager.add_user_to_project(admin, user.id, project_row.id)
    credential = auth_manager.create_ec2_credentials(admin, user.id, project_row.id)
    auth = v3.Password(auth_url=endpoints.auth_url(), username=user.name, password=password,
                       project_name=name, user_domain_name='Default',
                       project_domain_name='Default')
    session = ks_session.Session(auth=auth)
    ec2 = boto3.client('ec2', endpoint_url=endpoints.url('ec2', '/services/Cloud'),
                       region_name=CONF.region_name, aws_access_key_id=credential.access,
                       aws_secret_access_key=credential.secret)
    ctx = nova_context.RequestContext(user_id=user.id, project_id=project_row.id,
                                      roles=['member'], overwrite=False)
    return types.SimpleNamespace(project_id=project_row.id, os=session, ec2=ec2, ctx=ctx)


def compute(session, method, path, **kwargs):
    """A Compute API call of a project's session: the JSON body (or None)."""
    response = session.request(path, method, endpoint_filter={'service_type': 'compute'},
                               raise_exc=True, **kwargs)
    return response.json() if response.content else None


def boot(ctx, count=1, hints=None):
    instances, _ = compute_api.API().create(
        ctx, flavors.get_by_name_or_id('m1.tiny'), image_service.DEFAULT_IMAGE_ID,
        display_name='vm', min_count=count, max_count=count, scheduler_hints=hints)
    admin = nova_context.get_admin_context()
    return [wait_for(lambda: _active(admin, i.uuid), 60, 'instance active') for i in instances]


def _active(admin, uuid):
    row = db.instance_get_by_uuid(admin, uuid)
    if row.vm_state == vm_states.ERROR:
        faults = db.instance_fault_get_by_instance_uuids(admin, [uuid])
        raise AssertionError('instance %s is ERROR: %s' % (uuid, faults))
    return row if row.vm_state == vm_states.ACTIVE else None


def guest_ns(cloud, instance):
    return cloud.flags['fake_guest_netns_prefix'] + instance.uuid


def fixed_ip(instance):
    [row] = db.fixed_ip_get_all(nova_context.get_admin_context(),
                                instance_uuids=[instance.uuid])
    return row


def guest_address(cloud, instance, prefix='10.'):
    out = netns.run('ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0', ns=guest_ns(cloud, instance),
                    check=False)
    for word in out.split():
        if word.startswith(prefix):
            return word.split('/')[0]
    return None


def pings(cloud, instance, target, wait=1):
    """Whether a ping from inside the instance to target gets an answer."""
    return subprocess.run(['ip', 'netns', 'exec', guest_ns(cloud, instance), 'busybox', 'ping',
                           '-c', '1', '-W', str(wait), target],
                          capture_output=True).returncode == 0


def curl(ns, url, timeout=3):
    """(exit code, body) of a GET from inside namespace ns."""
    result = subprocess.run(['ip', 'netns', 'exec', ns, 'curl', '-s', '--max-time', str(timeout),
                             url], capture_output=True, text=True)
    return result.returncode, result.stdout


def boot_on_both_hosts(ctx):
    """Two instances, on c1 and c2 (the second told to avoid the first's host)."""
    [first] = boot(ctx)
    [second] = boot(ctx, hints={'different_host': [first.uuid]})
    assert {first.host, second.host} == {'c1', 'c2'}
    return first, second
