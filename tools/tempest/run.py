"""Run tempest's compute API subset against a fresh nova-all cloud.

Starts nova-all (fake driver, SQLite, in-process RPC) from a clean state
directory, creates the accounts tempest needs with nova-manage (per worker a
project with a member and a reader, an alt project with a member, plus the
admin), uploads two small images with the openstack CLI, writes
accounts.yaml and tempest.conf, runs ``tempest run`` with the tempest in
``--tempest-venv`` and stops the cloud. Exit status: tempest's.
"""
import argparse
import os
import secrets
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, ROOT)

from tests.harness.cloud import Cloud  # noqa: E402

SUBSET = ('test_versions', r'servers\.test_create_server', r'servers\.test_servers',
          r'servers\.test_list_server_filters', r'servers\.test_server_actions',
          r'servers\.test_delete_server', r'servers\.test_server_metadata',
          r'servers\.test_availability_zone', 'flavors', 'keypairs', 'limits',
          'test_quotas', 'images', 'security_groups')
REGEX = r'^tempest\.api\.compute\.(%s)' % '|'.join(SUBSET)


def create_accounts(cloud, workers):
    """nova-manage users and projects; returns accounts.yaml entries."""
    accounts = []

    def user(name, project, role):
        password = secrets.token_urlsafe(12)
        cloud.manage('user', 'create', name, '--password=' + password, '--project', project,
                     '--role', role)
        accounts.append({'username': name, 'project_name': project, 'password': password,
                         'user_domain_name': 'Default', 'project_domain_name': 'Default',
                         'roles': [role]})

    # tempest takes 'alt' credentials as the first free account without the admin
    # role, in file order: the alt members come first so that a worker's alt is
    # never a reader, nor in its primary's project
    for n in range(1, workers + 1):
        cloud.manage('project', 'create', 'tempest-alt-%d' % n)
        user('tempest-alt-member-%d' % n, 'tempest-alt-%d' % n, 'member')
    for n in range(1, workers + 1):
        project = 'tempest-%d' % n
        cloud.manage('project', 'create', project)
        user('tempest-member-%d' % n, project, 'member')
        user('tempest-reader-%d' % n, project, 'reader')
    rc = cloud.novarc()
    accounts.append({'username': rc['OS_USERNAME'], 'project_name': rc['OS_PROJECT_NAME'],
                     'password': rc['OS_PASSWORD'], 'user_domain_name': 'Default',
                     'project_domain_name': 'Default', 'roles': ['admin'],
                     'types': ['admin']})
    return accounts


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


def yaml_accounts(accounts):
    lines = []
    for account in accounts:
        first = True
        for key, value in account.items():
            text = '[%s]' % ', '.join(value) if isinstance(value, list) else "'%s'" % value
            lines.append('%s%s: %s' % ('- ' if first else '  ', key, text))
            first = False
    return '\n'.join(lines) + '\n'


def tempest_conf(cloud, work, accounts_path, images):
    rc = cloud.novarc()
    sections = {
        'DEFAULT': {'log_file': 'tempest.log', 'log_dir': work},
        'oslo_concurrency': {'lock_path': os.path.join(work, 'locks')},
        'auth': {'use_dynamic_credentials': 'False', 'test_accounts_file': accounts_path,
                 'default_credentials_domain_name': 'Default', 'create_isolated_networks':
                 'False'},
        'identity': {'uri_v3': rc['OS_AUTH_URL'], 'auth_version': 'v3',
                     'region': rc['OS_REGION_NAME']},
        'compute': {'image_ref': images[0], 'image_ref_alt': images[1], 'flavor_ref': '1',
                    'flavor_ref_alt': '2', 'min_microversion': '2.1',
                    'max_microversion': 'latest', 'build_timeout': '60',
                    'build_interval': '1', 'region': rc['OS_REGION_NAME']},
        'compute-feature-enabled': dict(
            {name: 'True' for name in ('resize', 'pause', 'suspend', 'snapshot',
                                       'console_output', 'shelve')},
            **{name: 'False' for name in ('interface_attach', 'vnc_console', 'live_migration',
                                          'rescue', 'change_password', 'personality',
                                          'config_drive')}),
        'image': {'region': rc['OS_REGION_NAME'], 'build_interval': '1'},
        'image-feature-enabled': {'api_v1': 'False', 'api_v2': 'True'},
        'service_available': {'nova': 'True', 'glance': 'True', 'neutron': 'True',
                              'cinder': 'False', 'swift': 'False'},
        'validation': {'run_validation': 'False'},
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
    # one fake host, so resizes land on it as on a single-node devstack; snapshots
    # take a second, as a disk copy would, so that a test can see one in progress
    cloud = Cloud.start_all(os.path.join(work, 'cloud'), verbose=False,
                            allow_resize_to_same_host=True, fake_snapshot_delay=1)
    try:
        accounts_path = os.path.join(work, 'accounts.yaml')
        with open(accounts_path, 'w') as f:
            f.write(yaml_accounts(create_accounts(cloud, args.concurrency)))
        images = upload_images(cloud, work)
        tempest = os.path.join(args.tempest_venv, 'bin', 'tempest')
        workspace = os.path.join(work, 'workspace')
        # a unique name: tempest keeps a registry of workspaces in ~/.tempest
        subprocess.run([tempest, 'init', '--name', 'nova-%s' % secrets.token_hex(4), workspace],
                       check=True, capture_output=True)
        with open(os.path.join(workspace, 'etc', 'tempest.conf'), 'w') as f:
            f.write(tempest_conf(cloud, work, accounts_path, images))
        exclude = os.path.join(ROOT, 'tools', 'tempest', 'exclude.txt')
        cmd = [tempest, 'run', '--concurrency', str(args.concurrency), '--regex', args.regex,
               '--exclude-list', exclude]
        print('+', ' '.join(cmd), flush=True)
        return subprocess.run(cmd, cwd=workspace).returncode
    finally:
        cloud.stop()


if __name__ == '__main__':
    sys.exit(main())
