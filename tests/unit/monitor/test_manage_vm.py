"""nova-manage vm stats|graph over a monitor's archives (the fake driver's load
profile on a fake clock), read as nova-manage of an in-process cloud reads them;
and each bad input a message and a non-zero exit."""
import contextlib
import io
import struct

import pytest

from nova import exception
from nova.conf import CONF
from nova.db import api as db
from nova.manage import dispatch
from nova.manage import vm
from nova.monitor import api as monitor_api
from tests.unit.db.compute_helpers import instance_values


@pytest.fixture
def sampled(cloud):
    """An instance with 20 minutes of samples (cpu 40 %, net_in 1000 bytes/s)."""
    CONF.set_override('transport_url', 'inproc://')
    uuid = cloud.boot()
    cloud.sample(cloud.monitor(), 21)
    return uuid


def manage(*words):
    """(exit code, stdout, stderr) of nova-manage vm ..."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out):
        code = dispatch([vm.VmCommands], ['vm', *words], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _rows(output):
    """{metric: cells} of the stats table (its title line, header and rule dropped)."""
    return {line.split()[0]: line.split()[1:] for line in output.splitlines()[3:]}


def test_stats_are_what_cloudwatch_answers(sampled):
    code, out, err = manage('stats', sampled)
    assert (code, err) == (0, '')
    assert out.splitlines()[0] == (
        'Instance %s, project p1, host mon-host, monitoring enabled; the last hour, '
        'per sample of 60 s:' % sampled)
    rows = _rows(out)
    assert len(rows) == 9
    # unit, samples, average, minimum, maximum, last; 20 intervals between 21 samples
    assert rows['CPUUtilization'] == ['Percent', '20', '40.00', '40.00', '40.00', '40.00']
    assert rows['NetworkIn'] == ['Bytes', '20', '60000.00', '60000.00', '60000.00',
                                 '60000.00']
    assert rows['DiskReadBytes'][1:] == ['20', '0.00', '0.00', '0.00', '0.00']


def test_graph_writes_a_png_of_the_size_asked(sampled, tmp_path):
    target = tmp_path / 'net.png'
    code, out, err = manage('graph', sampled, '--metric', 'net', '--period', 'hour',
                            '-o', str(target), '--width', '400', '--height', '150')
    assert (code, err) == (0, '')
    assert out.startswith('Wrote %s: net graph of %s, last hour' % (target, sampled))
    png = target.read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n'
    assert struct.unpack('>II', png[16:24]) == (400, 150)
    for metric in ('cpu', 'disk'):
        for period in ('day', 'year'):
            assert manage('graph', sampled, '--metric', metric, '--period', period,
                          '-o', str(tmp_path / 'g.png'))[0] == 0


def test_an_instance_is_named_by_ec2_id_too(cloud, sampled):
    number = db.ec2_id_get_or_create_many(cloud.ctx, 'i', [sampled])[sampled]
    ec2_id = 'i-%08x' % number
    code, out, _err = manage('stats', ec2_id)
    assert code == 0
    assert out.startswith('Instance %s (%s), project p1' % (ec2_id, sampled))


@pytest.mark.parametrize('words, code, message', [
    (('stats', '6f0e3b1c-0000-4000-8000-000000000000'), 1,
     'Instance 6f0e3b1c-0000-4000-8000-000000000000 could not be found'),
    (('stats', 'i-7ffffff0'), 1, 'Instance i-7ffffff0 could not be found'),
    (('stats', 'web01'), 1, "'web01' is neither an instance uuid nor an EC2 instance id"),
    (('graph', '{uuid}', '--metric', 'memory', '-o', 'x.png'), 2, 'invalid choice'),
    (('graph', '{uuid}', '--period', 'decade', '-o', 'x.png'), 2, 'invalid choice'),
    (('graph', '{uuid}'), 2, 'the following arguments are required: -o/--output'),
    (('graph', '{uuid}', '-o', '{tmp}/x.png', '--width', '5'), 1,
     '--width must be 32 to 2000 pixels, not 5'),
    (('graph', '{uuid}', '-o', '{tmp}/missing/x.png'), 1,
     'cannot write {tmp}/missing/x.png: No such file or directory'),
])
def test_bad_input_is_a_message_and_an_exit_code(sampled, tmp_path, capsys, words, code,
                                                 message):
    words = [w.format(uuid=sampled, tmp=tmp_path) for w in words]
    got, _out, err = manage(*words)
    err += capsys.readouterr().err  # argparse writes its usage to sys.stderr
    assert got == code
    assert message.format(tmp=tmp_path) in err
    assert 'Traceback' not in err


def test_no_samples_say_why(cloud):
    CONF.set_override('transport_url', 'inproc://')
    never_ran = instance_values(host=None)
    db.instance_create_many(cloud.ctx, [never_ran])
    code, _out, err = manage('stats', never_ran['uuid'])
    assert code == 1 and 'no samples of instance %s: it never ran on a host' % (
        never_ran['uuid']) in err
    off = cloud.boot()
    db.instance_monitoring_set(cloud.ctx, [off], False)
    cloud.sample(cloud.monitor(), 3)
    code, _out, err = manage('stats', off)
    assert code == 1 and 'no samples of instance %s in the last hour on host mon-host ' \
        '(monitoring disabled)' % off in err
    code, _out, err = manage('graph', off, '-o', 'x.png')
    assert code == 1 and "host mon-host's monitor has no archive of it" in err


def test_archives_of_another_machine_are_not_guessed(cloud, tmp_path):
    CONF.set_override('transport_url', 'inproc://')
    uuid = cloud.boot()
    CONF.set_override('monitor_path', str(tmp_path / 'elsewhere'))
    code, _out, err = manage('stats', uuid)
    assert code == 1
    assert 'no archives of host mon-host under %s' % (tmp_path / 'elsewhere') in err


def test_a_monitor_that_does_not_answer_is_named(sampled, monkeypatch):
    class Silent:
        def get_statistics(self, ctxt, host, queries):
            raise exception.MessagingTimeout(timeout=30, method='get_statistics',
                                             topic='instancemonitor.' + host)
    monkeypatch.setattr(vm, '_monitor', lambda: monitor_api.MonitorAPI(Silent()))
    code, _out, err = manage('stats', sampled)
    assert code == 1
    assert ('the instance monitor of host mon-host did not answer within 30 s: is '
            'nova-instancemonitor running there?') in err
