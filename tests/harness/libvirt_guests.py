"""Fixtures and helpers for tests that boot real QEMU (TCG) guests through Nova.

``guest_image`` (session): the tiny guest of tools/guest-image/build, built
once per machine (its cache) and reused. ``libvirtd`` (module): a private
libvirtd (tests/harness/libvirtd.py), so that this module's domains, named
instance-%08x like every cloud's, never meet another module's or another
worktree's. Both skip, with the reason, where they cannot run.

``libvirt_cloud(tmp, libvirtd, guest_image, **flags)`` starts nova-all with the
libvirt driver on that daemon and registers the guest as ``nova-guest``;
``readme_cloud`` does the same with README's "Real VMs" flags (FlatDHCP: br100,
dnsmasq, the metadata NAT; nova-volume starting its own tgtd) inside a network
namespace of a ``netns.Lab``, whose host the libvirtd must be in too. The
helpers read what a guest printed on its console through the API.
"""
import os
import re
import subprocess
import sys
import time
import uuid

import pytest

from tests.harness import daemons, tgt
from tests.harness.cloud import Cloud
from tests.harness.libvirtd import PrivateLibvirtd, unavailable_reason

REPO = daemons.REPO
BUILD = os.path.join(REPO, 'tools', 'guest-image', 'build')
MARKER = 'nova-guest: '
# README's "Real VMs" flagfile: etc/nova/nova.flags, then these
README_INCLUDE = os.path.join(REPO, 'etc', 'nova', 'nova.flags')
README_FLAGS = {'compute_driver': 'libvirt.LibvirtDriver', 'libvirt_type': 'qemu',
                'network_manager': 'nova.network.manager.FlatDHCPManager'}


def build_guest_image():
    """The directory of the built guest (built once per machine); RuntimeError if not."""
    result = subprocess.run([sys.executable, BUILD], capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0:
        raise RuntimeError('the guest image cannot be built here: %s'
                           % (result.stderr or result.stdout).strip()[-500:])
    return result.stdout.strip()


@pytest.fixture(scope='session')
def guest_image():
    """The directory with vmlinuz, initrd.img, disk.img and manifest.json."""
    reason = unavailable_reason()
    if reason:
        pytest.skip('real guest tests skipped: %s' % reason)
    try:
        return build_guest_image()
    except RuntimeError as e:
        pytest.skip('real guest tests skipped: %s' % e)


@pytest.fixture(scope='module')
def libvirtd(tmp_path_factory):
    yield from private_libvirtd(tmp_path_factory.mktemp('libvirtd'))


def private_libvirtd(base_dir, netns=None):
    """A fixture's body: a started PrivateLibvirtd (in netns, if given), stopped after;
    skips with the reason where none can run."""
    reason = unavailable_reason()
    if reason:
        pytest.skip('real guest tests skipped: %s' % reason)
    daemon = PrivateLibvirtd(base_dir, netns=netns)
    try:
        daemon.start()
    except RuntimeError as e:
        pytest.skip('real guest tests skipped: a private libvirtd cannot start here: %s' % e)
    yield daemon
    daemon.stop()


def libvirt_cloud(state_path, libvirtd, guest_image, **flags):
    """nova-all on the libvirt driver (QEMU TCG) with the test guest registered. No
    network unless ``flags`` make one (fixed_range): its bridge would be the host's."""
    flags = {'fixed_range': '', 'libvirt_wait_soft_reboot_seconds': 30,
             'libvirt_tcg_tb_cache_mb': 64, **flags}
    cloud = Cloud.start_all(state_path, compute_driver='libvirt.LibvirtDriver',
                            libvirt_uri=libvirtd.uri, libvirt_type='qemu', **flags)
    return _with_guest(cloud, guest_image)


def _with_guest(cloud, guest_image):
    """The running cloud with the guest registered as nova-guest (stopped if it fails)."""
    try:
        cloud.manage('image', 'register-guest', guest_image)
    except Exception:
        cloud.stop()
        raise
    return cloud


def readme_cloud(state_path, lab, host_ns, libvirtd, guest_image, **flags):
    """nova-all as README's "Real VMs" section runs it, in lab namespace host_ns (its
    own br100, iptables, tgtd portal and loopback), with the guest registered. Only
    what the harness needs differs: free API ports on the namespace's loopback (this
    process reaches them through forwarders on the same ports of its own), the
    private libvirtd's socket, a tgtd management channel of its own, fast reports.
    state_path must be readable by everyone: dnsmasq reads its hosts file as nobody."""
    flags = {'libvirt_uri': libvirtd.uri, 'libvirt_tcg_tb_cache_mb': 64,
             'libvirt_wait_soft_reboot_seconds': 30,
             'metadata_listen': '0.0.0.0',  # the NAT sends 169.254.169.254 to $my_ip
             'iscsi_control_port': tgt.free_control_port(), **README_FLAGS, **flags}
    cloud = Cloud(state_path, include=README_INCLUDE,
                  **{'allow_resize_to_same_host': True, **flags})
    cloud.prefix = ('nsenter', '--net=/run/netns/%s' % host_ns)
    lab.proxy(['-,127.0.0.1,%d,%s,127.0.0.1,%d' % (port, host_ns, port)
               for port in cloud.ports.values()])
    return _with_guest(cloud._started(cloud.start_nova_all), guest_image)


def new_member(cloud):
    """A member of a fresh project: (user, password, project)."""
    project = 'lv-%s' % uuid.uuid4().hex[:8]
    user, password = project + '-user', 'pw-' + project
    cloud.manage('project', 'create', project)
    cloud.manage('user', 'create', user, '--password', password, '--project', project)
    return user, password, project


def member_env(cloud, member):
    """The environment of that member's CLI (novarc with its credentials)."""
    user, password, project = member
    return cloud.env(OS_USERNAME=user, OS_PASSWORD=password, OS_PROJECT_NAME=project)


def sdk_connection(cloud, admin=False, member=None):
    """openstacksdk in this process (fast polling): novarc's admin, or a member (of
    a fresh project unless given)."""
    import openstack
    rc = cloud.novarc()
    if admin:
        user, password, project = rc['OS_USERNAME'], rc['OS_PASSWORD'], rc['OS_PROJECT_NAME']
    else:
        user, password, project = member or new_member(cloud)
    return openstack.connect(
        auth_url=rc['OS_AUTH_URL'], username=user, password=password, project_name=project,
        user_domain_name=rc['OS_USER_DOMAIN_NAME'],
        project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'], region_name=rc['OS_REGION_NAME'],
        identity_api_version='3')


def ec2_client(cloud):
    """boto3's EC2 client with novarc's credentials (in this process: fast polling)."""
    import boto3
    rc = cloud.novarc()
    return boto3.client('ec2', endpoint_url=rc['EC2_URL'], region_name=rc['AWS_DEFAULT_REGION'],
                        aws_access_key_id=rc['AWS_ACCESS_KEY_ID'],
                        aws_secret_access_key=rc['AWS_SECRET_ACCESS_KEY'])


def markers(console):
    """The guest's 'nova-guest: ...' lines, in order, without the prefix."""
    return [line.split(MARKER, 1)[1].strip() for line in console.splitlines()
            if MARKER in line]


def console(conn, server):
    return conn.compute.get_server_console_output(server)['output']


def wait_markers(conn, server, predicate, timeout=90, what='console marker'):
    """Poll the console (through the API) until predicate(markers) is true; the markers."""
    deadline = time.monotonic() + timeout
    while True:
        found = markers(console(conn, server))
        if predicate(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ss waiting for %s; the guest printed: %s'
                                 % (timeout, what, found))
        time.sleep(0.5)


def count(found, pattern):
    return sum(1 for line in found if re.match(pattern, line))


def wait_boots(conn, server, boots, timeout=90):
    """Until the guest has reached 'ready' ``boots`` times."""
    return wait_markers(conn, server, lambda found: count(found, r'ready$') >= boots,
                        timeout, '%d boot(s) to ready' % boots)


def wait_status(conn, server, status, timeout=120):
    return conn.compute.wait_for_server(server, status=status, wait=timeout, interval=0.3)
