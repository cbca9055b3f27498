"""Run tempest's whole compute API tree and image API tree against a fresh nova-all cloud.

Starts nova-all (fake driver, SQLite, in-process RPC, two compute hosts in
the process so that migrations and multi-node placement run) from a clean
state directory, uploads two small images with the openstack CLI, writes
tempest.conf with dynamic credentials (tempest creates and deletes its own
projects and users through the identity API, as the cloud's admin), runs
``tempest run`` over ``tempest.api.compute`` and ``tempest.api.image.v2``
(what the image tree needs: tools/tempest/image_conf.py) with the tempest in
``--tempest-venv`` and stops the cloud. Exit status: tempest's.

Volumes are exported by a tgtd of the run's own (free control port and
portal, tests/harness/tgt.py) and tempest runs the compute tree's volume
tests (``[service_available] cinder``) against the block-storage API; where
tgtd cannot run (not installed, not root) cinder stays off and the reason is
printed.
"""
import argparse
import os
import secrets
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, ROOT)

from tests.harness import tgt  # noqa: E402
from tests.harness.cloud import Cloud  # noqa: E402
from tools.tempest import image_conf  # noqa: E402
from nova.api.openstack import network as network_app  # noqa: E402
from nova.network.ids import pool_network_id  # noqa: E402

FLOATING_POOL, FLOATING_RANGE = 'public', '172.24.4.0/24'
MULTIATTACH_TYPE = 'multiattach'  # a volume type whose extra spec multiattach is <is> True

SECOND_HOST = 'cloudhost2'
REGEX = r'^tempest\.api\.(compute\.|%s)' % image_conf.SUBSET
# What this cloud serves, as tempest's feature flags; the rest is off, each with
# its reason in the README (hardware consoles, volumes, networks, ...)
FEATURES_ON = ('resize', 'pause', 'suspend', 'snapshot', 'console_output', 'shelve',
               'rescue', 'disk_config', 'cold_migration', 'enable_instance_password',
               'change_password', 'serial_console', 'live_migration',
               'block_migration_for_live_migration', 'can_migrate_between_any_hosts',
               'live_migrate_back_and_forth', 'interface_attach', 'swap_volume',
               'volume_multiattach')
FEATURES_OFF = ('vnc_console', 'spice_console', 'personality',
                'config_drive', 'metadata_service', 'attach_encrypted_volume',
                'volume_backed_live_migration',
                'hostname_fqdn_sanitization', 'shelve_migrate', 'stable_rescue')


def upload_images(cloud, work):
    """Two small public images; returns their ids."""
    ids = []
    for n in (1, 2):
        path = os.path.join(work, 'image-%d.img' % n)
        with open(path, 'wb') as f:
            f.write(os.urandom(1024 * 1024))
        image = cloud.run_json('openstack', 'image', 'create', '--public', '--file', path,
                               '--disk-format', 'raw', '--container-format', 'bare',
                               '-f', 'json', 'tempest-image-%d' % n)
        ids.append(image['id'])
    return ids


def make_multiattach_type(cloud):
    """The volume type tempest's multiattach tests create their volumes with."""
    cloud.run('openstack', 'volume', 'type', 'create', '--property',
              'multiattach=<is> True', MULTIATTACH_TYPE)


def volume_sections(rc, cinder):
    """tempest's volume options: the block-storage API (:8776, catalog type
    volumev3) with iSCSI exports by tgt; snapshots yes, backups no (no backup
    service), one default type and a multiattach one."""
    if not cinder:
        return {}
    return {'volume': {'catalog_type': 'volumev3', 'region': rc['OS_REGION_NAME'],
                       'build_interval': '1', 'build_timeout': '60',
                       'storage_protocol': 'iSCSI', 'vendor_name': 'Open Source',
                       'volume_size': '1', 'min_microversion': '3.0',
                       'max_microversion': 'latest',
                       'volume_type_multiattach': MULTIATTACH_TYPE},
            'volume-feature-enabled': {'backup': 'False', 'snapshot': 'True',
                                       'clone': 'True', 'manage_snapshot': 'False',
                                       'manage_volume': 'False', 'extend_attached_volume':
                                       'False', 'volume_revert': 'False'}}


def tempest_conf(cloud, work, images, image_server, cinder=False):
    rc = cloud.novarc()
    sections = {
        'DEFAULT': {'log_file': 'tempest.log', 'log_dir': work},
        'oslo_concurrency': {'lock_path': os.path.join(work, 'locks')},
        'auth': {'use_dynamic_credentials': 'True', 'admin_username': rc['OS_USERNAME'],
                 'admin_password': rc['OS_PASSWORD'],
                 'admin_project_name': rc['OS_PROJECT_NAME'],
                 'admin_domain_name': 'Default',
                 'default_credentials_domain_name': 'Default',
                 'create_isolated_networks': 'False'},
        'identity': {'uri_v3': rc['OS_AUTH_URL'], 'auth_version': 'v3',
                     'region': rc['OS_REGION_NAME']},
        'compute': {'image_ref': images[0], 'image_ref_alt': images[1], 'flavor_ref': '1',
                    'flavor_ref_alt': '2', 'min_microversion': '2.1',
                    'fixed_network_name': 'private',
                    'max_microversion': 'latest', 'build_timeout': '60',
                    'min_compute_nodes': '2',
                    'build_interval': '1', 'region': rc['OS_REGION_NAME']},
        'compute-feature-enabled': dict(
            {name: 'True' for name in FEATURES_ON},
            nova_policy_roles='admin,manager,member,reader',
            **{name: 'False' for name in FEATURES_OFF}),
        # the network API (:9696): servers boot on the shared 'private' network,
        # floating IPs come from the FLOATING_POOL external network
        'network': {'public_network_id': pool_network_id(FLOATING_POOL),
                    'floating_network_name': FLOATING_POOL},
        'network-feature-enabled': {'floating_ips': 'True', 'api_extensions': ','.join(
            alias for alias, _name, _description in network_app.EXTENSIONS)},
        'image': dict({'region': rc['OS_REGION_NAME'], 'build_interval': '1'},
                      **image_conf.sections(image_server)['image']),
        'image-feature-enabled': dict({'api_v1': 'False', 'api_v2': 'True'},
                                      **image_conf.sections(image_server)[
                                          'image-feature-enabled']),
        'service_available': {'nova': 'True', 'glance': 'True', 'neutron': 'True',
                              'cinder': str(cinder), 'swift': 'False'},
        **volume_sections(rc, cinder),
        'validation': {'run_validation': 'False'},
        # the policy has Nova 2025.2's defaults with the manager role: tempest's readers
        # read, and a project's manager moves servers without naming hosts
        'enforce_scope': {'nova': 'True'},
    }
    return ''.join('[%s]\n%s\n' % (name, ''.join('%s = %s\n' % kv for kv in opts.items()))
                   for name, opts in sections.items())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--work', default=os.path.join(ROOT, 'var', 'tempest'))
    parser.add_argument('--tempest-venv', default=os.path.join(ROOT, '.venv-tempest'))
    parser.add_argument('--concurrency', type=int, default=2)
    parser.add_argument('--regex', default=REGEX)
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, 'locks'))
    no_tgt = tgt.unavailable_reason()
    if no_tgt:
        print('cinder = False: %s' % no_tgt, flush=True)
    tgtd = None if no_tgt else tgt.Tgtd(work)
    try:
        return run(args, work, tgtd)
    finally:
        if tgtd is not None:
            tgtd.stop()


def run(args, work, tgtd):
    # two fake hosts in nova-all, so that cold and live migrations, and servers on
    # several nodes, have somewhere to go; resizes may stay on a host, as on a small
    # devstack; snapshots take a second, as a disk copy would, so that a test can see
    # one in progress
    cloud = Cloud.start_all(os.path.join(work, 'cloud'), verbose=False,
                            extra_compute_hosts=SECOND_HOST,
                            allow_resize_to_same_host=True, fake_snapshot_delay=1,
                            **image_conf.CLOUD_FLAGS, **(tgtd.flags() if tgtd else {}))
    image_server, stop_image_server = image_conf.serve_images(work)
    try:
        cloud.manage('floating', 'create', FLOATING_RANGE, '--pool', FLOATING_POOL)
        images = upload_images(cloud, work)
        if tgtd is not None:
            make_multiattach_type(cloud)
        tempest = os.path.join(args.tempest_venv, 'bin', 'tempest')
        workspace = os.path.join(work, 'workspace')
        # a unique name: tempest keeps a registry of workspaces in ~/.tempest
        subprocess.run([tempest, 'init', '--name', 'nova-%s' % secrets.token_hex(4), workspace],
                       check=True, capture_output=True)
        with open(os.path.join(workspace, 'etc', 'tempest.conf'), 'w') as f:
            f.write(tempest_conf(cloud, work, images, image_server, cinder=tgtd is not None))
        exclude = os.path.join(ROOT, 'tools', 'tempest', 'exclude.txt')
        cmd = [tempest, 'run', '--concurrency', str(args.concurrency), '--regex', args.regex,
               '--exclude-list', exclude]
        print('+', ' '.join(cmd), flush=True)
        return subprocess.run(cmd, cwd=workspace).returncode
    finally:
        cloud.stop()
        stop_image_server()


if __name__ == '__main__':
    sys.exit(main())
