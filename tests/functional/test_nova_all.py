"""nova-all as a real process: every service registers and heartbeats, HTTP
front ends answer with request ids, SIGTERM stops it cleanly and marks every
service stopped, and a daemon refuses a DB that is behind or a bad flag."""
import json
import signal
import socket
import urllib.request

import pytest

from tests.harness import daemons

RPC_BINARIES = ['nova-compute', 'nova-network', 'nova-scheduler', 'nova-volume',
                'nova-instancemonitor']
HTTP_BINARIES = ['nova-ec2', 'nova-identity', 'nova-image', 'nova-metadata',
                 'nova-objectstore', 'nova-osapi_compute', 'nova-cloudwatch',
                 'nova-osapi_volume', 'nova-network-api']


@pytest.fixture
def cloud_flags(tmp_path):
    ports = {name: daemons.free_port() for name in
             ('osapi_compute', 'ec2', 'metadata', 'objectstore', 'image', 'identity',
              'cloudwatch', 'osapi_volume', 'network')}
    flags = {'state_path': str(tmp_path), 'transport_url': 'inproc://',
             'sql_connection': 'sqlite:///$state_path/nova.sqlite',
             'host': 'testhost', 'report_interval': 1, 'service_down_time': 4,
             'periodic_interval': 1}
    for name, port in ports.items():
        flags['%s_listen' % name] = '127.0.0.1'
        flags['%s_listen_port' % name] = port
    path = daemons.write_flagfile(str(tmp_path / 'nova.flags'), **flags)
    return path, ports


def test_nova_all_runs_every_service_and_stops_cleanly(cloud_flags, tmp_path):
    flagfile, ports = cloud_flags
    daemons.manage(flagfile, 'db', 'sync')
    nova_all = daemons.Daemon('nova-all', flagfile, str(tmp_path))
    try:
        # the endpoints are printed once every listener is up: each takes a connection then
        daemons.wait_for(lambda: 'nova-all endpoints:' in nova_all.log(), timeout=60,
                         what='endpoints printed: %s' % nova_all.log()[-2000:])
        for name, port in ports.items():
            socket.create_connection(('127.0.0.1', port), timeout=5).close()
        expected = {(binary, 'testhost') for binary in RPC_BINARIES + HTTP_BINARIES}
        states = daemons.wait_for(
            lambda: (lambda s: s if set(s) >= expected and
                     all(s[k] == ':-)' for k in expected) else None)(
                daemons.service_states(flagfile)),
            timeout=60, what='all services up: %s' % nova_all.log()[-2000:])
        assert set(states) == expected

        with urllib.request.urlopen('http://127.0.0.1:%d/' % ports['osapi_compute']) as r:
            body = json.loads(r.read())
            assert r.headers['x-openstack-request-id'].startswith('req-')
        assert [v['id'] for v in body['versions']] == ['v2.0', 'v2.1']
        with urllib.request.urlopen('http://127.0.0.1:%d/' % ports['network']) as r:
            assert [v['id'] for v in json.loads(r.read())['versions']] == ['v2.0']

        nova_all.signal(signal.SIGTERM)
        assert nova_all.wait(60) == 0, nova_all.log()[-3000:]
        assert set(daemons.service_states(flagfile).values()) == {'XXX'}
    finally:
        nova_all.stop()


def test_daemon_refuses_database_that_is_behind(cloud_flags, tmp_path):
    flagfile, _ = cloud_flags
    compute = daemons.Daemon('nova-compute', flagfile, str(tmp_path))
    assert compute.wait(60) != 0
    assert 'run nova-manage db sync' in compute.log()
    compute.stop()


def test_api_refuses_to_start_with_a_policy_file_it_cannot_parse(cloud_flags, tmp_path):
    flagfile, _ = cloud_flags
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"os_compute_api:servers:index": [\n')
    with open(flagfile, 'a') as f:
        f.write('--policy_file=%s\n--enabled_apis=osapi_compute\n' % policy_file)
    daemons.manage(flagfile, 'db', 'sync')
    api = daemons.Daemon('nova-api', flagfile, str(tmp_path))
    assert api.wait(60) not in (0, None)
    assert 'Policy file %s cannot be parsed' % policy_file in api.log()
    assert 'Traceback' not in api.log()
    api.stop()


def test_unknown_flag_stops_daemon_with_file_and_line(cloud_flags, tmp_path):
    flagfile, _ = cloud_flags
    with open(flagfile, 'a') as f:
        f.write('--sql_conection=sqlite://\n')
    lines = open(flagfile).read().count('\n')
    compute = daemons.Daemon('nova-compute', flagfile, str(tmp_path))
    assert compute.wait(60) == 2
    assert '%s:%d: --sql_conection unknown flag' % (flagfile, lines) in compute.log()
    compute.stop()


def test_manage_reports_bad_words_with_exit_2(cloud_flags):
    flagfile, _ = cloud_flags
    result = daemons.manage(flagfile, 'servce', 'list', check=False)
    assert result.returncode == 2 and "unknown category 'servce'" in result.stderr
    listing = daemons.manage(flagfile, 'config', 'list', 'report_interval').stdout
    assert 'report_interval  1' in listing and flagfile in listing


LOG_CONFIG = """[loggers]
keys = root
[handlers]
keys = file
[formatters]
keys = plain
[logger_root]
level = INFO
handlers = file
[handler_file]
class = FileHandler
args = (%(path)r,)
formatter = plain
[formatter_plain]
format = {marker} %(message)s
"""


def test_sighup_reloads_log_config(cloud_flags, tmp_path):
    flagfile, _ = cloud_flags
    daemons.manage(flagfile, 'db', 'sync')
    log_path = str(tmp_path / 'network.log')
    config = tmp_path / 'logging.conf'
    config.write_text(LOG_CONFIG.replace('{marker}', 'BEFORE').replace('%(path)r', repr(log_path)))
    network = daemons.Daemon('nova-network', flagfile, str(tmp_path),
                             '--log_config_append=%s' % config)
    try:
        daemons.wait_for(lambda: 'BEFORE Starting nova-network' in open(log_path).read()
                         if (tmp_path / 'network.log').exists() else False,
                         timeout=30, what='first log line')
        config.write_text(LOG_CONFIG.replace('{marker}', 'AFTER').replace('%(path)r',
                                                                            repr(log_path)))
        network.signal(signal.SIGHUP)
        daemons.wait_for(lambda: 'AFTER Reloaded logging configuration' in open(log_path).read(),
                         timeout=30, what='reloaded log format')
        assert network.proc.poll() is None
    finally:
        assert network.stop() == 0


def test_sigterm_while_waiting_for_the_broker_exits_at_once(cloud_flags, tmp_path):
    flagfile, _ = cloud_flags
    daemons.manage(flagfile, 'db', 'sync')
    with open(flagfile, 'a') as f:
        f.write('--transport_url=rabbit://guest:guest@127.0.0.1:%d/\n' % daemons.free_port())
    compute = daemons.Daemon('nova-compute', flagfile, str(tmp_path))
    try:
        daemons.wait_for(lambda: 'ECONNREFUSED' in compute.log(), timeout=30,
                         what='compute retrying the broker')
        compute.signal(signal.SIGTERM)
        assert compute.wait(10) == 0, compute.log()[-2000:]
    finally:
        compute.stop()
