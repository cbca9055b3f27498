"""The unmodified `openstack` CLI against separate daemons (nova-api, nova-image,
nova-objectstore, nova-scheduler, two nova-compute) over a real RabbitMQ and a
real PostgreSQL: image create, server create --wait lands on a compute host
(which fetches the image through nova-image's API with the user's token,
--compute_image_api=http), list, compute service list, delete --wait.
nova-instancemonitor on each compute host, one of them killed (-9) and
restarted: CloudWatch's series has a gap of the downtime only.
Skipped, with the reason printed, where RabbitMQ or PostgreSQL cannot run."""
import datetime
import glob
import os
import re
import signal
import time
import uuid

import boto3
import pytest

from tests.harness import daemons
from tests.harness.cloud import Cloud
from tests.harness.libvirt_guests import sdk_connection
from tests.integration.conftest import rabbitmq  # noqa: F401 -- the fixture
from tests.integration.conftest_postgres import postgres  # noqa: F401 -- the fixture


@pytest.fixture(scope='module')
def multinode(rabbitmq, postgres, tmp_path_factory):  # noqa: F811 -- the imported fixtures
    url = postgres.create_database('clients_%s' % uuid.uuid4().hex[:8])
    cloud = Cloud.start_multinode(tmp_path_factory.mktemp('multinode'), rabbitmq.url, url,
                                  fake_load_profile='cpu=30', compute_image_api='http')
    yield cloud
    cloud.stop()


def test_server_create_list_delete_across_daemons(multinode, tmp_path):
    cloud = multinode
    disk = tmp_path / 'disk.img'
    disk.write_bytes(b'a small disk image' * 1024)
    image = cloud.run_json('openstack', 'image', 'create', '--disk-format', 'raw',
                           '--container-format', 'bare', '--file', str(disk), 'mn-image',
                           '-f', 'json')
    assert image['status'] == 'active'
    name = 'mn-%s' % uuid.uuid4().hex[:6]
    created = cloud.run_json('openstack', 'server', 'create', '--image', 'mn-image',
                             '--flavor', 'm1.tiny', '--wait', name, '-f', 'json')
    assert created['status'] == 'ACTIVE'
    assert created['OS-EXT-SRV-ATTR:host'] in ('c1', 'c2')  # admin sees the host

    listed = cloud.run_json('openstack', 'server', 'list', '--long', '-f', 'json')
    [row] = [s for s in listed if s['ID'] == created['id']]
    assert (row['Name'], row['Status'], row['Host']) == (
        name, 'ACTIVE', created['OS-EXT-SRV-ATTR:host'])

    services = cloud.run_json('openstack', 'compute', 'service', 'list', '-f', 'json')
    assert {(s['Binary'], s['Host'], s['State']) for s in services
            if s['Binary'] == 'nova-compute'} == {('nova-compute', 'c1', 'up'),
                                                  ('nova-compute', 'c2', 'up')}

    cloud.run('openstack', 'server', 'delete', '--wait', created['id'])
    remaining = cloud.run_json('openstack', 'server', 'list', '-f', 'json')
    assert created['id'] not in {s['ID'] for s in remaining}


def _monitor(cloud, host):
    return daemons.Daemon('nova-instancemonitor', cloud.flagfile, cloud.state_path,
                          '--host=%s' % host, '--monitoring_instances_step=1')


def test_a_killed_monitor_restarts_with_a_gap_of_its_downtime_only(multinode):
    cloud = multinode
    monitors = {host: _monitor(cloud, host) for host in ('c1', 'c2')}
    try:
        _kill_and_restart(cloud, monitors)
    finally:
        for monitor in monitors.values():
            monitor.stop()


def _kill_and_restart(cloud, monitors):
    rc = cloud.novarc()
    keys = dict(region_name=rc['AWS_DEFAULT_REGION'], aws_access_key_id=rc['AWS_ACCESS_KEY_ID'],
                aws_secret_access_key=rc['AWS_SECRET_ACCESS_KEY'])
    ec2 = boto3.client('ec2', endpoint_url=rc['EC2_URL'], **keys)
    cw = boto3.client('cloudwatch', endpoint_url=rc['CLOUDWATCH_URL'], **keys)
    glance = sdk_connection(cloud, admin=True)
    glance.image.create_image(name='mon-image', data=b'monitored' * 1024, disk_format='raw',
                              container_format='bare')
    glance.close()
    [ami] = ec2.describe_images(Filters=[{'Name': 'name', 'Values': ['mon-image']}])['Images']
    start = datetime.datetime.now(datetime.timezone.utc)
    ec2_id = ec2.run_instances(ImageId=ami['ImageId'], MinCount=1, MaxCount=1)['Instances'][0][
        'InstanceId']

    def cpu(end=None):
        """{epoch second: CPUUtilization} of the instance so far."""
        out = cw.get_metric_statistics(
            Namespace='AWS/EC2', MetricName='CPUUtilization', StartTime=start,
            EndTime=end or datetime.datetime.now(datetime.timezone.utc), Period=1,
            Dimensions=[{'Name': 'InstanceId', 'Value': ec2_id}], Statistics=['Average'])
        return {int(p['Timestamp'].timestamp()): p['Average'] for p in out['Datapoints']}

    daemons.wait_for(lambda: len(cpu()) >= 4, timeout=60, interval=0.5,
                     what='samples of %s' % ec2_id)
    # the one archive: <monitor_path>/<host>/<uuid>.rrd, on the instance's host
    [archive] = glob.glob(os.path.join(cloud.state_path, 'monitor', '*', '*.rrd'))
    host = os.path.basename(os.path.dirname(archive))

    killed = time.time()
    monitors[host].signal(signal.SIGKILL)
    monitors[host].wait()
    # down for 5 steps (more than the archive's 3-step heartbeat: a gap, not interpolated)
    daemons.wait_for(lambda: time.time() > killed + 5, timeout=10, what='the downtime')
    restarted = time.time()
    monitors[host] = _monitor(cloud, host)
    after = daemons.wait_for(lambda: [t for t in cpu() if t > restarted][2:] and cpu(),
                             timeout=60, interval=0.5, what='samples after the restart')
    seen_again = time.time()

    # the archive survived (the same file, continued), nothing was left half-written
    assert os.path.exists(archive)
    assert glob.glob(os.path.join(cloud.state_path, 'monitor', host, '.tmp-*')) == []
    seconds = sorted(after)
    missing = [t for t in range(seconds[0], seconds[-1]) if t not in after]
    # one gap, as long as the monitor was away: from its last sample before the kill to
    # its first after the restart, and nowhere else
    assert missing, 'no gap recorded'
    assert missing == list(range(missing[0], missing[-1] + 1)), missing
    assert killed - 2 <= missing[0] <= killed + 1
    assert restarted <= missing[-1] + 1 <= seen_again
    # the series continues at the guest's load, no spike from the counters kept (the
    # first row after the gap is partly in it: samples are not on whole seconds)
    continued = [after[t] for t in seconds if t > missing[-1] + 1]
    assert len(continued) >= 2
    assert continued == [pytest.approx(30.0, rel=0.05)] * len(continued)
    assert 0 < after[missing[-1] + 1] <= 30.0 * 1.05
    # nothing stuck: the restarted monitor answers nova-manage over RabbitMQ
    stats = cloud.manage('vm', 'stats', ec2_id).stdout
    assert re.match(r'Instance %s \(%s\), project \S+, host %s, monitoring enabled' % (
        ec2_id, os.path.basename(archive)[:-4], host), stats), stats
    [reservation] = ec2.describe_instances(InstanceIds=[ec2_id])['Reservations']
    assert reservation['Instances'][0]['State']['Name'] == 'running'
    ec2.terminate_instances(InstanceIds=[ec2_id])
