"""The instance monitor on a real QEMU (TCG) guest: the libvirt driver's counters,
sampled every second, read back with boto3's CloudWatch client.

A TCG guest keeps a host CPU busy while its kernel boots, then idles in its
init loop; paused, it runs nothing. So the CPU series is high while the guest
boots, low once it is ready, and near zero while it is paused; the disk
series shows what the guest's init reads and writes on its root disk.
"""
import datetime
import statistics
import time

import boto3
import pytest

from tests.harness import daemons
from tests.harness import libvirt_guests as lg

libvirt = pytest.importorskip('libvirt', reason='libvirt-python is not installed')

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, libvirtd, guest_image):
    running = lg.libvirt_cloud(tmp_path_factory.mktemp('cloud'), libvirtd, guest_image,
                               monitoring_instances_step=1, monitor_graph_interval=0)
    yield running
    running.stop()


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _series(cw, ec2_id, metric, start, end, statistic='Average'):
    """[(epoch second, value)] of one metric at the 1 s step."""
    points = cw.get_metric_statistics(
        Namespace='AWS/EC2', MetricName=metric, StartTime=start, EndTime=end, Period=1,
        Dimensions=[{'Name': 'InstanceId', 'Value': ec2_id}], Statistics=[statistic])
    return sorted((p['Timestamp'].timestamp(), p[statistic]) for p in points['Datapoints'])


def _between(series, start, end):
    return [value for at, value in series if start <= at < end]


def test_cpu_and_disk_series_of_a_real_guest(cloud):
    rc = cloud.novarc()
    keys = dict(region_name=rc['AWS_DEFAULT_REGION'], aws_access_key_id=rc['AWS_ACCESS_KEY_ID'],
                aws_secret_access_key=rc['AWS_SECRET_ACCESS_KEY'])
    ec2 = boto3.client('ec2', endpoint_url=rc['EC2_URL'], **keys)
    cw = boto3.client('cloudwatch', endpoint_url=rc['CLOUDWATCH_URL'], **keys)
    [ami] = ec2.describe_images(Filters=[{'Name': 'name', 'Values': ['nova-guest']}])['Images']
    start = _now()
    ec2_id = ec2.run_instances(ImageId=ami['ImageId'], InstanceType='m1.tiny', MinCount=1,
                               MaxCount=1)['Instances'][0]['InstanceId']
    admin = lg.sdk_connection(cloud, admin=True)
    [server] = list(admin.compute.servers())
    lg.wait_status(admin, server, 'ACTIVE')
    lg.wait_boots(admin, server, 1, timeout=150)
    ready = time.time()

    def samples_since(since):
        return _between(_series(cw, ec2_id, 'CPUUtilization', start, _now()), since, 2e9)
    daemons.wait_for(lambda: len(samples_since(ready + 2)) >= 3, timeout=30, interval=0.5,
                     what='idle samples')
    pausing = time.time()
    admin.compute.pause_server(server)
    lg.wait_status(admin, server, 'PAUSED')
    paused = time.time()
    daemons.wait_for(lambda: len(samples_since(paused + 1)) >= 3, timeout=30, interval=0.5,
                     what='samples while paused')
    unpausing = time.time()
    admin.compute.unpause_server(server)
    lg.wait_status(admin, server, 'ACTIVE')
    end = _now()

    cpu = _series(cw, ec2_id, 'CPUUtilization', start, end)
    booting = _between(cpu, 0, ready - 1)
    idle = _between(cpu, ready + 2, pausing)
    paused_cpu = _between(cpu, paused + 1, unpausing)
    print('CPU %% booting %s, idle %s, paused %s' % (booting, idle, paused_cpu))
    assert len(booting) >= 3 and len(idle) >= 3 and len(paused_cpu) >= 3
    assert max(booting) > 20.0
    assert statistics.median(idle) < max(booting) / 3
    # paused, the vCPUs run nothing: what is left is QEMU's own main loop (libvirt
    # counts the whole process without cgroups), about as little as an idle guest
    assert statistics.median(paused_cpu) < max(booting) / 10

    read = sum(v for _at, v in _series(cw, ec2_id, 'DiskReadBytes', start, end, 'Sum'))
    written = sum(v for _at, v in _series(cw, ec2_id, 'DiskWriteBytes', start, end, 'Sum'))
    print('disk read %d bytes, written %d bytes' % (read, written))
    assert read >= 64 and written >= 512  # the init reads vda's signature, writes a sector
    ec2.terminate_instances(InstanceIds=[ec2_id])
    admin.close()
