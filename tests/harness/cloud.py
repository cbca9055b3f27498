"""A whole cloud as real processes, for tests that drive it with unmodified clients.

``Cloud.start_all`` runs nova-all (in-process RPC, SQLite, fake driver) with
every API on a free loopback port; ``Cloud.start_multinode`` runs the same
APIs in nova-api, nova-objectstore and nova-image beside nova-scheduler and
two nova-compute daemons over RabbitMQ and PostgreSQL. Either way the cloud
bootstraps its admin and writes ``novarc``, which ``env()`` turns into the
environment a user would have after sourcing it.
"""
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.harness import daemons, rest

APIS = ('osapi_compute', 'ec2', 'metadata', 'objectstore', 'image', 'identity', 'serialproxy',
        'cloudwatch', 'osapi_volume', 'network')


class Cloud:
    def __init__(self, state_path, include=None, **extra_flags):
        """include: a flagfile read first (as a user's flagfile names etc/nova/nova.flags),
        the harness's flags after it."""
        self.state_path = str(state_path)
        os.makedirs(self.state_path, exist_ok=True)
        self.ports = {name: daemons.free_port() for name in APIS}
        flags = {'state_path': self.state_path, 'host': 'cloudhost',
                 'transport_url': 'inproc://',
                 'sql_connection': 'sqlite:///$state_path/nova.sqlite',
                 'compute_driver': 'fake.FakeDriver',
                 'report_interval': 1, 'service_down_time': 10, 'periodic_interval': 1,
                 'public_endpoint_host': '127.0.0.1', 'serial_console_enabled': True}
        for name, port in self.ports.items():
            flags['%s_listen' % name] = '127.0.0.1'
            flags['%s_listen_port' % name] = port
        flags['metadata_port'] = self.ports['metadata']  # where FlatDHCP's NAT sends guests
        flags.update(extra_flags)
        self.flags = flags
        self.flagfile = daemons.write_flagfile(os.path.join(self.state_path, 'nova.flags'),
                                               **({'flagfile': include} if include else {}),
                                               **flags)
        self.prefix = ()  # what runs each daemon (Daemon's prefix: a network namespace)
        self.novarc_path = os.path.join(self.state_path, 'novarc')
        self.processes = []
        self._admin = None  # the admin's API session, made when first needed
        self.started_at = None  # time.monotonic() when the first daemon was spawned

    # -- starting -----------------------------------------------------------------------
    @classmethod
    def start_all(cls, state_path, **extra_flags):
        # one compute host: resizes stay on it, as etc/nova/nova.flags says
        cloud = cls(state_path, **{'allow_resize_to_same_host': True, **extra_flags})
        return cloud._started(cloud.start_nova_all)

    def start_nova_all(self):
        self.manage('db', 'sync')
        self.started_at = time.monotonic()
        self._spawn('nova-all')
        self.wait_ready()

    @classmethod
    def start_multinode(cls, state_path, transport_url, sql_connection, **extra_flags):
        """nova-api + objectstore + image + serialproxy + scheduler + two computes (hosts
        c1, c2)."""
        cloud = cls(state_path, transport_url=transport_url, sql_connection=sql_connection,
                    **extra_flags)
        return cloud._started(cloud.start_daemons)

    def _started(self, start):
        """self after start(); what start spawned is stopped when it fails (a fixture
        that raises before its yield never calls stop(): the daemons outlived the test)."""
        try:
            start()
        except BaseException:
            self.stop()
            raise
        return self

    def start_daemons(self, hosts=('c1', 'c2'), more=()):
        """The multinode daemons, one nova-compute per name in hosts, and the binaries in
        more (nova-network, nova-volume); whatever started is in self.processes, for
        stop(), even if waiting for them fails."""
        self.manage('db', 'sync')
        self.manage('bootstrap', 'admin', '--novarc', self.novarc_path)
        if self.flags.get('compute_image_api') == 'http':
            # what README's multi-host steps do: computes read images as the service
            # user when a request carries no token (EC2's signed requests, periodic tasks)
            out = self.manage('bootstrap', 'service-user').stdout
            with open(self.flagfile, 'a') as f:
                f.writelines(line + '\n' for line in out.splitlines()
                             if line.startswith('--image_api_'))
        self.started_at = time.monotonic()
        for binary in ('nova-scheduler', 'nova-api', 'nova-objectstore', 'nova-image',
                       'nova-serialproxy', *more):
            self._spawn(binary)
        for host in hosts:
            self._spawn('nova-compute', '--host=%s' % host)
        self.wait_ready()

    def _spawn(self, binary, *extra):
        self.processes.append(daemons.Daemon(binary, self.flagfile, self.state_path, *extra,
                                             prefix=self.prefix))

    def wait_ready(self, timeout=90):
        def ready():
            for proc in self.processes:
                if proc.proc.poll() is not None:
                    raise AssertionError('%s exited %s:\n%s' % (
                        proc.name, proc.proc.returncode, proc.log()[-3000:]))
            if not os.path.exists(self.novarc_path):
                return False
            for name in APIS:
                try:
                    urllib.request.urlopen(self.url(name, '/'), timeout=5).close()
                except urllib.error.HTTPError:
                    pass  # answering, even if with 401/403/404
                except OSError:
                    return False
            return self._compute_hosts_up()
        daemons.wait_for(ready, timeout=timeout, interval=0.3,
                         what='cloud up: %s' % self.logs(2000))

    def _compute_hosts_up(self):
        """Every nova-compute up, as the admin reads os-services: an HTTP request where
        `nova-manage service list` cost a process start (seconds under load) per poll."""
        if self._admin is None:
            rc = self.novarc()
            self._admin = rest.Api(rc['OS_AUTH_URL'], rc['OS_USERNAME'], rc['OS_PASSWORD'],
                                   rc['OS_PROJECT_NAME'], timeout=10)
        status, body = self._admin.call(
            'GET', self.url('osapi_compute', '/v2.1/os-services?binary=nova-compute'))
        if status == 401:  # a restarted identity forgot the token: log in again next poll
            self._admin = None
        computes = body['services'] if status == 200 else []
        return bool(computes) and all(s['state'] == 'up' for s in computes)

    def stop(self):
        codes = [proc.stop() for proc in reversed(self.processes)]
        self.processes = []
        return codes

    # -- using ------------------------------------------------------------------------------
    def url(self, api, path=''):
        return 'http://127.0.0.1:%d%s' % (self.ports[api], path)

    def novarc(self):
        """The variables novarc exports, as `source novarc` would set them."""
        values = {}
        with open(self.novarc_path) as f:
            for line in f:
                line = line.strip()
                if line.startswith('export '):
                    name, _, value = line[len('export '):].partition('=')
                    values[name] = shlex.split(value)[0] if value else ''
        return values

    def env(self, **overrides):
        """os.environ plus novarc (plus overrides): what a client process sees."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('OS_', 'AWS_', 'EC2_', 'S3_'))}
        env.update(self.novarc())
        env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
        env.update(overrides)
        return env

    def manage(self, *words, check=True):
        return daemons.manage(self.flagfile, *words, check=check)

    def new_member(self, prefix):
        """The environment (novarc's, with EC2 keys) of a member of a new project of
        its own, named prefix-<random>."""
        name = '%s-%s' % (prefix, secrets.token_hex(4))
        self.manage('project', 'create', name)
        self.manage('user', 'create', name + '-user', '--password', 'pw-' + name,
                    '--project', name)
        out = self.manage('credentials', 'create', name + '-user', name).stdout
        access, secret = re.findall(r'(?:Access|Secret): (\S+)', out)
        return self.env(OS_USERNAME=name + '-user', OS_PASSWORD='pw-' + name,
                        OS_PROJECT_NAME=name, AWS_ACCESS_KEY_ID=access,
                        AWS_SECRET_ACCESS_KEY=secret)

    def run(self, *argv, check=True, env=None, timeout=180):
        """Run a client command (openstack, nova, glance, aws) with novarc sourced."""
        result = subprocess.run(list(argv), capture_output=True, text=True,
                                env=env or self.env(), timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError('%s failed (%d):\n%s\n%s' % (
                ' '.join(argv), result.returncode, result.stdout, result.stderr))
        return result

    def run_json(self, *argv, **kwargs):
        return json.loads(self.run(*argv, **kwargs).stdout)

    def logs(self, tail=5000):
        return '\n'.join('== %s ==\n%s' % (p.name, p.log()[-tail:]) for p in self.processes)
