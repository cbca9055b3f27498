"""Each daemon imports what it serves (doc/performance.md, "Memory and cold start"):
an RPC daemon loads no HTTP front end, no webob or paste.deploy, no oslo.policy, no
pyOpenSSL; the scheduler no virt driver; nova-api's apps load what a feature few
requests use (key generation, CloudWatch graphs and CBOR, EC2 bundles) at its first use.
Every import costs every daemon memory and start time, so the rule is checked on
the services the daemons build.

One subprocess builds the services as nova/cmd does (flags parsed, the in-process
transport, managers and drivers constructed, nothing started), lightest first, and
prints what each daemon had loaded once its service was built."""
import json
import subprocess
import sys
import textwrap

import pytest

# an RPC daemon serves no HTTP: none of these in its process
HTTP_ONLY = ('nova.api.openstack', 'nova.api.ec2', 'nova.api.metadata', 'nova.objectstore',
             'nova.image.api.router', 'webob', 'paste.deploy', 'routes', 'jsonschema',
             'oslo_policy', 'OpenSSL')
# the scheduler places: it drives no hypervisor and builds no config drive
DRIVERS = ('nova.virt.fake', 'nova.virt.libvirt', 'nova.virt.xenapi', 'pycdlib', 'libvirt')
# nova-api: loaded by the one action that needs them
FIRST_USE = ('cryptography', 'rrdtool', 'nova.image.bundle', 'nova.crypto', 'OpenSSL', 'cbor2')
# nova-api: loaded only where a rule or a request needs them (oslo.policy's http: check)
NOT_IN_API = ('requests', 'urllib3', 'oslo_policy._external')

SCRIPT = textwrap.dedent('''
    import json, sys
    import nova.cmd  # green first, as every daemon
    from nova.cmd import common
    common.init('nova-probe', ['--flagfile=' + sys.argv[1]], check_db=False)
    from nova import service
    loaded = {}
    for binary in ('nova-scheduler', 'nova-network', 'nova-volume', 'nova-compute'):
        service.Service.create(binary=binary)
        loaded[binary] = sorted(sys.modules)
    from nova import wsgi
    for name in ('osapi_compute', 'ec2', 'cloudwatch'):
        wsgi.Loader().load_app(name)
    from nova import context, policy
    policy.authorize(context.get_admin_context(), 'os_compute_api:servers:index')  # rules parsed
    loaded['nova-api'] = sorted(sys.modules)
    print(json.dumps(loaded))
''')


def _under(modules, prefixes):
    return sorted(m for m in modules if any(m == p or m.startswith(p + '.') for p in prefixes))


@pytest.fixture(scope='module')
def loaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('imports')
    flagfile = tmp / 'nova.flags'
    flagfile.write_text('--state_path=%s\n--sql_connection=sqlite:///%s/nova.sqlite\n'
                        '--transport_url=inproc://\n--compute_driver=fake.FakeDriver\n'
                        % (tmp, tmp))
    out = subprocess.run([sys.executable, '-c', SCRIPT, str(flagfile)], capture_output=True,
                         text=True, timeout=120, cwd=tmp)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.parametrize('binary', ['nova-scheduler', 'nova-network', 'nova-volume',
                                    'nova-compute'])
def test_rpc_daemon_loads_no_http_front_end(loaded, binary):
    assert _under(loaded[binary], HTTP_ONLY) == []


def test_scheduler_loads_no_virt_driver(loaded):
    assert _under(loaded['nova-scheduler'], DRIVERS) == []


def test_compute_loads_the_driver_it_was_given(loaded):
    # the check above would pass on a probe that built nothing
    assert 'nova.virt.fake' in loaded['nova-compute']
    assert 'nova.virt.libvirt' not in loaded['nova-compute']


def test_api_loads_heavy_helpers_at_first_use(loaded):
    assert 'nova.api.openstack.compute.routes' in loaded['nova-api']
    assert 'nova.api.cloudwatch.actions' in loaded['nova-api']
    assert _under(loaded['nova-api'], FIRST_USE) == []


def test_api_parses_its_rules_without_the_http_check(loaded):
    assert 'oslo_policy._parser' in loaded['nova-api']  # the probe did parse them
    assert _under(loaded['nova-api'], NOT_IN_API) == []
