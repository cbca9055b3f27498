"""Guru Meditation Report on a real daemon: SIGUSR2 makes a running nova-all (RPC
services and an HTTP front end in one process) write a report with every section,
secrets masked, and the daemon goes on answering."""
import json
import os
import signal
import urllib.request

from tests.harness import daemons

SECRET_PASSWORD = 'guru-rabbit-pw-5e1f'   # rabbit_password: declared secret=True
SECRET_KEY = 'guru-s3-access-key-77a0'    # s3_store_access_key: secret by its name


def _versions(port):
    with urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=10) as r:
        return [v['id'] for v in json.loads(r.read())['versions']]


def test_sigusr2_writes_report_and_daemon_keeps_serving(tmp_path):
    port = daemons.free_port()
    report_dir = tmp_path / 'reports'
    flagfile = daemons.write_flagfile(
        str(tmp_path / 'nova.flags'), state_path=str(tmp_path), transport_url='inproc://',
        sql_connection='sqlite:///$state_path/nova.sqlite', host='gurutest',
        enabled_apis='osapi_compute', osapi_compute_listen='127.0.0.1',
        osapi_compute_listen_port=port, objectstore_listen_port=daemons.free_port(),
        image_listen_port=daemons.free_port(), periodic_enable=False,
        guru_report_dir=str(report_dir), rabbit_password=SECRET_PASSWORD,
        s3_store_access_key=SECRET_KEY)
    daemons.manage(flagfile, 'db', 'sync')
    nova_all = daemons.Daemon('nova-all', flagfile, str(tmp_path))
    try:
        daemons.wait_for(lambda: 'osapi_compute listening' in nova_all.log(), timeout=60,
                         what='nova-all up: %s' % nova_all.log()[-2000:])
        assert _versions(port) == ['v2.0', 'v2.1']  # serving before the signal
        nova_all.signal(signal.SIGUSR2)
        reports = daemons.wait_for(lambda: report_dir.is_dir() and os.listdir(report_dir),
                                   timeout=30, what='a report in %s' % report_dir)
        assert len(reports) == 1 and reports[0].startswith('nova-all_gurumeditation_%d_'
                                                           % nova_all.proc.pid)
        report = (report_dir / reports[0]).read_text()

        for section in ('Process', 'Package Versions', 'Configuration',
                        'Services and RPC Consumers', 'Database Pool', 'Green Threads',
                        'Native Threads'):
            assert '==== %s ====' % section in report
        assert 'pid: %d' % nova_all.proc.pid in report
        assert 'open fds: ' in report and 'rss: ' in report and 'kB' in report
        assert '\nnova ' in report and '\neventlet ' in report
        # the effective flags, with secrets masked whether declared or named so
        assert 'host = gurutest' in report
        assert 'rabbit_password = ****' in report
        assert 's3_store_access_key = ****' in report
        assert SECRET_PASSWORD not in report and SECRET_KEY not in report
        # what the process listens on
        assert ('nova-compute: rpc topic compute on host gurutest: in-process queues '
                'compute, compute.gurutest and fanout compute; dispatching 0 of ') in report
        assert 'nova-scheduler: rpc topic scheduler on host gurutest' in report
        assert 'nova-osapi_compute: http 127.0.0.1:%d' % port in report
        assert 'pool: QueuePool' in report and 'checkedout: ' in report
        # stacks: green threads parked in the hub, and the main native thread
        assert '-- green thread ' in report and '-- native thread ' in report
        assert 'in _loop' in report  # a heartbeat thread of nova/service.py

        # still serving, still one process, and stops cleanly
        assert nova_all.proc.poll() is None
        assert _versions(port) == ['v2.0', 'v2.1']
        assert 'Guru Meditation Report written to %s' % (report_dir / reports[0]) \
            in nova_all.log()
        nova_all.signal(signal.SIGTERM)
        assert nova_all.wait(60) == 0, nova_all.log()[-3000:]
    finally:
        nova_all.stop()


def test_daemon_stuck_waiting_for_its_database_reports_to_its_log(tmp_path):
    """The case reports are for: a daemon that hangs (here retrying a database
    nobody listens on) says where it waits, and keeps waiting."""
    flagfile = daemons.write_flagfile(
        str(tmp_path / 'nova.flags'), state_path=str(tmp_path), transport_url='inproc://',
        sql_connection='postgresql+psycopg://nova:%s@127.0.0.1:%d/nova' % (
            SECRET_PASSWORD, daemons.free_port()),
        sql_max_retries=-1, sql_retry_interval=1, host='gurutest')
    compute = daemons.Daemon('nova-compute', flagfile, str(tmp_path))
    try:
        daemons.wait_for(lambda: 'unreachable' in compute.log(), timeout=30,
                         what='compute retrying the database: %s' % compute.log()[-2000:])
        compute.signal(signal.SIGUSR2)
        log = daemons.wait_for(
            lambda: (lambda text: text if '==== Native Threads ====' in text else None)(
                compute.log()), timeout=30, what='a report in the log')
        assert 'Guru Meditation Report: nova-compute (pid %d)' % compute.proc.pid in log
        assert 'no service started yet' in log and 'no connection made yet' in log
        assert 'in _connect_with_retries' in log  # where it is stuck
        assert SECRET_PASSWORD not in log and 'sql_connection = ****' in log
        assert compute.proc.poll() is None
    finally:
        compute.stop()
