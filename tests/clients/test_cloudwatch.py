"""boto3's CloudWatch client and `aws cloudwatch`, unmodified, against a cloud whose
instance monitor samples every second (--monitoring_instances_step=1) the fake
driver's load profile, so that the answers can be predicted; boto3 speaking each
of CloudWatch's three protocols; the graphs the monitor publishes into
nova-objectstore, read by the project with boto3's S3 client; `nova-manage vm`."""
import datetime
import gzip
import json
import os
import re
import struct
import time

import boto3
import botocore
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.clients.test_ec2_boto3 import _other_project
from tests.harness import daemons
from tests.harness.cloud import Cloud

PROFILE = {'cpu': 25.0, 'net_in': 2048.0, 'net_out': 512.0, 'disk_read': 4096.0}
WARMUP = 4  # seconds after the first sample whose intervals may be partial


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    running = Cloud.start_all(tmp_path_factory.mktemp('cloudwatch'),
                              monitoring_instances_step=1, monitor_graph_interval=5,
                              fake_load_profile=','.join('%s=%s' % kv for kv in PROFILE.items()))
    yield running
    running.stop()


def _keys(cloud, access=None, secret=None):
    rc = cloud.novarc()
    return dict(region_name=rc['AWS_DEFAULT_REGION'],
                aws_access_key_id=access or rc['AWS_ACCESS_KEY_ID'],
                aws_secret_access_key=secret or rc['AWS_SECRET_ACCESS_KEY'])


def _clients(cloud, access=None, secret=None):
    rc, keys = cloud.novarc(), _keys(cloud, access, secret)
    return (boto3.client('ec2', endpoint_url=rc['EC2_URL'], **keys),
            boto3.client('cloudwatch', endpoint_url=rc['CLOUDWATCH_URL'], **keys))


def _s3(cloud, access=None, secret=None):
    return boto3.client('s3', endpoint_url=cloud.novarc()['S3_URL'],
                        config=Config(signature_version='s3v4', s3={'addressing_style': 'path'},
                                      retries={'max_attempts': 1}),
                        **_keys(cloud, access, secret))


@pytest.fixture(scope='module')
def instance(cloud):
    """A running instance with some seconds of samples; (ec2 id, started at)."""
    ec2, _cw = _clients(cloud)
    ami = ec2.describe_images()['Images'][0]['ImageId']
    ec2_id = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)['Instances'][0]['InstanceId']
    deadline = time.time() + 60
    while ec2.describe_instances(InstanceIds=[ec2_id])['Reservations'][0]['Instances'][0][
            'State']['Name'] != 'running':
        assert time.time() < deadline, 'instance never ran'
        time.sleep(0.5)
    # the series starts once the guest runs (a loaded machine may take seconds to get
    # there): the warm-up is counted from then, not from the request
    started = datetime.datetime.now(datetime.timezone.utc)
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


# -- the query and JSON protocols --------------------------------------------------------
# botocore speaks the first protocol of the service model's list that it knows: today
# smithy-rpc-v2-cbor, before 2025 CloudWatch's model had only the query protocol (XML
# answers), and the JSON 1.0 protocol is the model's second choice. boto3 unmodified, given
# the model with the one protocol, speaks it (botocore's data_path: a model of one's own).

@pytest.fixture(scope='module', params=['query', 'json'])
def speaking(request, cloud, tmp_path_factory):
    """A boto3 CloudWatch client that speaks only that protocol."""
    protocol = request.param
    source = os.path.join(os.path.dirname(botocore.__file__), 'data', 'cloudwatch',
                          '2010-08-01', 'service-2.json.gz')
    with gzip.open(source) as f:
        model = json.load(f)
    model['metadata'].update(protocol=protocol, protocols=[protocol])
    root = tmp_path_factory.mktemp('model-' + protocol)
    os.makedirs(root / 'cloudwatch' / '2010-08-01')
    (root / 'cloudwatch' / '2010-08-01' / 'service-2.json').write_text(json.dumps(model))
    session = botocore.session.Session()
    session.set_config_variable('data_path', str(root))
    client = boto3.Session(botocore_session=session).client(
        'cloudwatch', endpoint_url=cloud.novarc()['CLOUDWATCH_URL'], **_keys(cloud))
    assert client.meta.service_model.protocol == protocol
    sent = []
    client.meta.events.register('before-send.cloudwatch.*',
                                lambda request, **_: sent.append(request))
    client.sent = sent
    return client


def test_each_protocol_reads_the_profile(speaking, instance):
    ec2_id, started = instance
    start, end = _window(started)
    out = speaking.get_metric_statistics(
        Namespace='AWS/EC2', MetricName='CPUUtilization', Dimensions=_dims(ec2_id),
        StartTime=start, EndTime=end, Period=1, Statistics=['Average', 'SampleCount'])
    points = out['Datapoints']
    assert out['Label'] == 'CPUUtilization' and len(points) >= 5
    assert [p['Average'] for p in points] == [pytest.approx(PROFILE['cpu'], rel=0.02)] * len(
        points)
    assert {p['SampleCount'] for p in points} == {1.0}
    assert all(isinstance(p['Timestamp'], datetime.datetime) for p in points)

    data = speaking.get_metric_data(
        MetricDataQueries=[{'Id': 'rx', 'MetricStat': {
            'Metric': {'Namespace': 'AWS/EC2', 'MetricName': 'NetworkIn',
                       'Dimensions': _dims(ec2_id)}, 'Period': 1, 'Stat': 'Sum'}}],
        StartTime=start, EndTime=end, ScanBy='TimestampDescending')
    [result] = data['MetricDataResults']
    assert result['Id'] == 'rx' and result['StatusCode'] == 'Complete'
    assert len(result['Values']) >= 5
    assert result['Timestamps'] == sorted(result['Timestamps'], reverse=True)
    assert result['Values'] == [pytest.approx(PROFILE['net_in'], rel=0.02)] * len(
        result['Values'])

    names = {m['MetricName'] for m in speaking.list_metrics(
        Namespace='AWS/EC2', Dimensions=_dims(ec2_id))['Metrics']}
    assert len(names) == 9 and 'NetworkPacketsOut' in names

    widget = {'metrics': [['AWS/EC2', 'CPUUtilization', 'InstanceId', ec2_id]],
              'width': 300, 'height': 120, 'start': '-PT1M', 'period': 1}
    png = speaking.get_metric_widget_image(MetricWidget=json.dumps(widget))[
        'MetricWidgetImage']
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', png[16:24]) == (300, 120)

    with pytest.raises(ClientError) as raised:
        speaking.get_metric_statistics(
            Namespace='AWS/EC2', MetricName='CPUUtilization', Dimensions=_dims(ec2_id),
            StartTime=end, EndTime=start, Period=60, Statistics=['Average'])
    error = raised.value.response
    assert error['Error']['Code'] == 'InvalidParameterValue' and error['Error']['Message']
    assert error['ResponseMetadata']['HTTPStatusCode'] == 400

    # what went on the wire was that protocol, not CBOR
    assert len(speaking.sent) >= 5
    for request in speaking.sent:
        headers = {k: v.decode() if isinstance(v, bytes) else v
                   for k, v in request.headers.items()}
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        if speaking.meta.service_model.protocol == 'query':
            assert body.startswith('Action=') and 'X-Amz-Target' not in headers
        else:
            assert headers['X-Amz-Target'].startswith('GraniteServiceVersion20100801.')
            assert headers['Content-Type'] == 'application/x-amz-json-1.0'
        assert '/service/' not in request.url


# -- graphs in the objectstore -----------------------------------------------------------

@pytest.fixture(scope='module')
def tenant(cloud, instance):
    """Another project with a running instance of its own: (project id, keys, ec2 id)."""
    project_id, access, secret = _other_project(cloud, 'cwgraphs')
    ec2, _cw = _clients(cloud, access, secret)
    ami = ec2.describe_images()['Images'][0]['ImageId']
    ec2_id = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)['Instances'][0][
        'InstanceId']
    return project_id, (access, secret), ec2_id


GRAPH_KEYS = {'%s-%s.png' % (group, period) for group in ('cpu', 'disk', 'network')
              for period in ('hour', 'day', 'week', 'month', 'year')}


def test_graphs_are_published_into_the_project_bucket(cloud, tenant):
    project_id, keys, _ec2_id = tenant
    s3 = _s3(cloud, *keys)
    bucket = 'instance-graphs-%s' % project_id

    def published():
        try:
            listed = s3.list_objects_v2(Bucket=bucket).get('Contents', [])
        except ClientError as e:
            if e.response['Error']['Code'] == 'NoSuchBucket':
                return None
            raise
        by_uuid = {}
        for item in listed:
            uuid, _, name = item['Key'].partition('/')
            by_uuid.setdefault(uuid, set()).add(name)
        return by_uuid if by_uuid and all(v == GRAPH_KEYS for v in by_uuid.values()) \
            else None
    by_uuid = daemons.wait_for(published, timeout=60, what='graphs in %s' % bucket)
    # the project's one instance (and not the admin project's: those go to its own bucket)
    [uuid] = by_uuid
    got = s3.get_object(Bucket=bucket, Key='%s/cpu-hour.png' % uuid)
    png = got['Body'].read()
    assert got['ContentType'] == 'image/png'
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', png[16:24]) == (600, 200)

    # the project reads its graphs with its own keys; another project cannot
    _other, *other_keys = _other_project(cloud, 'cwnosy')
    with pytest.raises(ClientError) as raised:
        _s3(cloud, *other_keys).get_object(Bucket=bucket, Key='%s/cpu-hour.png' % uuid)
    assert raised.value.response['Error']['Code'] == 'AccessDenied'


# -- nova-manage vm ----------------------------------------------------------------------

def test_nova_manage_vm_stats_and_graph(cloud, instance, tmp_path):
    ec2_id, _started = instance
    out = cloud.manage('vm', 'stats', ec2_id).stdout
    assert re.match(r'Instance %s \([0-9a-f-]{36}\), project \S+, host cloudhost, '
                    r'monitoring enabled' % ec2_id, out)
    cells = {line.split()[0]: line.split()[1:] for line in out.splitlines()[3:]}
    unit, samples, average, low, high, last = cells['CPUUtilization']
    assert unit == 'Percent' and int(samples) >= 10
    # the hour holds the first seconds' partial intervals (WARMUP), and the gap of
    # test_monitor_and_unmonitor_instances; the last sample is the profile's
    assert float(average) == pytest.approx(PROFILE['cpu'], rel=0.05)
    assert float(high) == pytest.approx(PROFILE['cpu'], rel=0.02)
    assert float(last) == pytest.approx(PROFILE['cpu'], rel=0.02)
    assert float(cells['NetworkIn'][5]) == pytest.approx(PROFILE['net_in'], rel=0.02)

    target = tmp_path / 'cpu.png'
    out = cloud.manage('vm', 'graph', ec2_id, '--metric', 'cpu', '--period', 'hour',
                       '-o', str(target)).stdout
    assert out.startswith('Wrote %s: cpu graph of %s' % (target, ec2_id))
    png = target.read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', png[16:24]) == (600, 200)

    bad = cloud.manage('vm', 'graph', 'i-7ffffff0', '-o', str(target), check=False)
    assert bad.returncode == 1 and 'Instance i-7ffffff0 could not be found' in bad.stderr
    assert 'Traceback' not in bad.stderr
