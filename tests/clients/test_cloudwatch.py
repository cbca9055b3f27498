"""boto3's CloudWatch client and `aws cloudwatch`, unmodified, against a cloud whose
instance monitor samples every second (--monitoring_instances_step=1) the fake
driver's load profile, so that the answers can be predicted."""
import datetime
import json
import struct
import time

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.clients.test_ec2_boto3 import _other_project
from tests.harness.cloud import Cloud

PROFILE = {'cpu': 25.0, 'net_in': 2048.0, 'net_out': 512.0, 'disk_read': 4096.0}
WARMUP = 4  # seconds after the first sample whose intervals may be partial


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    running = Cloud.start_all(tmp_path_factory.mktemp('cloudwatch'),
                              monitoring_instances_step=1,
                              fake_load_profile=','.join('%s=%s' % kv for kv in PROFILE.items()))
    yield running
    running.stop()


def _clients(cloud, access=None, secret=None):
    rc = cloud.novarc()
    keys = dict(region_name=rc['AWS_DEFAULT_REGION'],
                aws_access_key_id=access or rc['AWS_ACCESS_KEY_ID'],
                aws_secret_access_key=secret or rc['AWS_SECRET_ACCESS_KEY'])
    return (boto3.client('ec2', endpoint_url=rc['EC2_URL'], **keys),
            boto3.client('cloudwatch', endpoint_url=rc['CLOUDWATCH_URL'], **keys))


@pytest.fixture(scope='module')
def instance(cloud):
    """A running instance with some seconds of samples; (ec2 id, started at)."""
    ec2, _cw = _clients(cloud)
    ami = ec2.describe_images()['Images'][0]['ImageId']
    ec2_id = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)['Instances'][0]['InstanceId']
    started = datetime.datetime.now(datetime.timezone.utc)
    deadline = time.time() + 60
    while ec2.describe_instances(InstanceIds=[ec2_id])['Reservations'][0]['Instances'][0][
            'State']['Name'] != 'running':
        assert time.time() < deadline, 'instance never ran'
        time.sleep(0.5)
    time.sleep(WARMUP + 12)
    return ec2_id, started


def _window(started):
    now = datetime.datetime.now(datetime.timezone.utc)
    return started + datetime.timedelta(seconds=WARMUP + 2), now - datetime.timedelta(seconds=2)


def _dims(ec2_id):
    return [{'Name': 'InstanceId', 'Value': ec2_id}]


def test_get_metric_statistics_equals_the_profile(cloud, instance):
    ec2_id, started = instance
    _ec2, cw = _clients(cloud)
    start, end = _window(started)
    out = cw.get_metric_statistics(Namespace='AWS/EC2', MetricName='CPUUtilization',
                                   Dimensions=_dims(ec2_id), StartTime=start, EndTime=end,
                                   Period=1, Statistics=['Average', 'Maximum', 'SampleCount'])
    points = out['Datapoints']
    assert out['Label'] == 'CPUUtilization' and len(points) >= 5
    for point in points:
        assert point['Unit'] == 'Percent' and point['SampleCount'] == 1.0
        assert point['Average'] == pytest.approx(PROFILE['cpu'], rel=0.02)
        assert point['Maximum'] == pytest.approx(PROFILE['cpu'], rel=0.02)


def test_get_metric_data_equals_the_profile(cloud, instance):
    ec2_id, started = instance
    _ec2, cw = _clients(cloud)
    start, end = _window(started)

    def query(qid, name, stat='Average'):
        return {'Id': qid, 'MetricStat': {'Metric': {'Namespace': 'AWS/EC2', 'MetricName': name,
                                                     'Dimensions': _dims(ec2_id)},
                                          'Period': 1, 'Stat': stat}}
    out = cw.get_metric_data(MetricDataQueries=[query('rx', 'NetworkIn'),
                                                query('tx', 'NetworkOut'),
                                                query('rd', 'DiskReadBytes', 'Sum')],
                             StartTime=start, EndTime=end, ScanBy='TimestampAscending')
    results = {r['Id']: r for r in out['MetricDataResults']}
    assert set(results) == {'rx', 'tx', 'rd'}
    for qid, rate in (('rx', PROFILE['net_in']), ('tx', PROFILE['net_out']),
                      ('rd', PROFILE['disk_read'])):
        result = results[qid]
        assert result['StatusCode'] == 'Complete' and len(result['Values']) >= 5
        assert result['Timestamps'] == sorted(result['Timestamps'])
        # one sample per second: bytes per sample == bytes per second of the profile
        assert result['Values'] == [pytest.approx(rate, rel=0.02)] * len(result['Values'])


def test_aws_cli_get_metric_statistics(cloud, instance):
    ec2_id, started = instance
    start, end = _window(started)
    out = cloud.run_json(
        'aws', '--endpoint-url', cloud.novarc()['CLOUDWATCH_URL'], 'cloudwatch',
        'get-metric-statistics', '--namespace', 'AWS/EC2', '--metric-name', 'CPUUtilization',
        '--dimensions', 'Name=InstanceId,Value=%s' % ec2_id,
        '--start-time', start.isoformat(), '--end-time', end.isoformat(),
        '--period', '1', '--statistics', 'Average', '--output', 'json')
    values = [p['Average'] for p in out['Datapoints']]
    assert len(values) >= 5
    assert values == [pytest.approx(PROFILE['cpu'], rel=0.02)] * len(values)
    listed = cloud.run_json('aws', '--endpoint-url', cloud.novarc()['CLOUDWATCH_URL'],
                            'cloudwatch', 'list-metrics', '--namespace', 'AWS/EC2',
                            '--dimensions', 'Name=InstanceId,Value=%s' % ec2_id,
                            '--output', 'json')
    assert {m['MetricName'] for m in listed['Metrics']} == {
        'CPUUtilization', 'DiskReadBytes', 'DiskWriteBytes', 'DiskReadOps', 'DiskWriteOps',
        'NetworkIn', 'NetworkOut', 'NetworkPacketsIn', 'NetworkPacketsOut'}


def test_widget_image_is_a_png_of_the_requested_size(cloud, instance):
    ec2_id, _started = instance
    _ec2, cw = _clients(cloud)
    widget = {'metrics': [['AWS/EC2', 'CPUUtilization', 'InstanceId', ec2_id],
                          ['.', 'NetworkIn', '.', '.', {'stat': 'Maximum'}]],
              'width': 480, 'height': 240, 'start': '-PT2M', 'period': 10, 'title': 'usage'}
    png = cw.get_metric_widget_image(MetricWidget=json.dumps(widget))['MetricWidgetImage']
    assert png[:8] == b'\x89PNG\r\n\x1a\n'
    assert struct.unpack('>II', png[16:24]) == (480, 240)


def test_another_project_sees_no_data(cloud, instance):
    ec2_id, started = instance
    _project, access, secret = _other_project(cloud, 'cwother')
    _ec2, theirs = _clients(cloud, access, secret)
    start, end = _window(started)
    out = theirs.get_metric_statistics(Namespace='AWS/EC2', MetricName='CPUUtilization',
                                       Dimensions=_dims(ec2_id), StartTime=start, EndTime=end,
                                       Period=60, Statistics=['Average'])
    assert out['Datapoints'] == []
    assert theirs.list_metrics(Namespace='AWS/EC2')['Metrics'] == []


def test_monitor_and_unmonitor_instances(cloud, instance):
    ec2_id, _started = instance
    ec2, cw = _clients(cloud)

    def state():
        return ec2.describe_instances(InstanceIds=[ec2_id])['Reservations'][0]['Instances'][0][
            'Monitoring']['State']
    assert state() == 'enabled'
    out = ec2.unmonitor_instances(InstanceIds=[ec2_id])['InstanceMonitorings']
    assert out == [{'InstanceId': ec2_id, 'Monitoring': {'State': 'disabling'}}]
    assert state() == 'disabled'
    assert cw.list_metrics(Dimensions=_dims(ec2_id))['Metrics'] == []
    out = ec2.monitor_instances(InstanceIds=[ec2_id])['InstanceMonitorings']
    assert out == [{'InstanceId': ec2_id, 'Monitoring': {'State': 'pending'}}]
    assert state() == 'enabled'
    assert len(cw.list_metrics(Dimensions=_dims(ec2_id))['Metrics']) == 9
    with pytest.raises(ClientError) as raised:
        ec2.monitor_instances(InstanceIds=['i-7fffffff'])
    assert raised.value.response['Error']['Code'] == 'InvalidInstanceID.NotFound'


@pytest.mark.parametrize('change, code', [
    ({'Period': 45}, 'InvalidParameterValue'),
    ({'Swap': True}, 'InvalidParameterValue'),
    ({'Period': 1, 'Hours': 1}, 'InvalidParameterCombination'),
    ({'Statistics': ['p99']}, 'InvalidParameterValue'),
    ({'Statistics': None}, 'MissingParameter'),
    ({'ExtendedStatistics': ['p99']}, 'InvalidParameterCombination'),
])
def test_bad_input_gets_aws_error_codes(cloud, instance, change, code):
    ec2_id, _started = instance
    _ec2, cw = _clients(cloud)
    end = datetime.datetime.now(datetime.timezone.utc)
    start = end - datetime.timedelta(hours=change.pop('Hours', 0), minutes=10)
    if change.pop('Swap', False):
        start, end = end, start
    args = dict(Namespace='AWS/EC2', MetricName='CPUUtilization', Dimensions=_dims(ec2_id),
                StartTime=start, EndTime=end, Period=60, Statistics=['Average'])
    args.update(change)
    args = {k: v for k, v in args.items() if v is not None}
    with pytest.raises(ClientError) as raised:
        cw.get_metric_statistics(**args)
    assert raised.value.response['Error']['Code'] == code
    assert raised.value.response['ResponseMetadata']['HTTPStatusCode'] == 400


def test_unsigned_or_badly_signed_requests_are_refused(cloud):
    _ec2, cw = _clients(cloud, 'AKIDNOSUCHKEY', 'nope')
    with pytest.raises(ClientError) as raised:
        cw.list_metrics()
    assert raised.value.response['Error']['Code'] == 'InvalidClientTokenId'
    assert raised.value.response['ResponseMetadata']['HTTPStatusCode'] == 403
