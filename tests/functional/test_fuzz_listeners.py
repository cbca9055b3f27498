"""A bounded Hypothesis fuzz of every listener of a real nova-all (compute, block
storage, identity, EC2, CloudWatch, metadata, S3, image, network): malformed and deeply nested
JSON, invalid UTF-8 in paths, queries and bodies, lone surrogates, NUL, huge and
negative numbers, junk headers and ranges, signed requests with junk parameters. No
answer may be a 500 (or a dropped connection), and every listener still answers
afterwards.

derandomize=True: the same examples on every run, so a failure is reproducible and
the test's time is bounded (FUZZ_EXAMPLES requests per listener: the module takes
seconds; raise it by hand to fuzz harder).
"""
import collections
import http.client
import os
import json
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.harness.cloud import Cloud
from tests.harness.rest import Api

SEEN = collections.defaultdict(collections.Counter)  # listener -> {status: count}
EXAMPLES = settings(max_examples=int(os.environ.get('FUZZ_EXAMPLES', 40)), deadline=None,
                    derandomize=True, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    running = Cloud.start_all(tmp_path_factory.mktemp('fuzz'))
    env = running.novarc()
    running.admin = Api(running.url('identity', '/v3'), env['OS_USERNAME'],
                        env['OS_PASSWORD'], env['OS_PROJECT_NAME'])
    running.ec2_keys = (env['EC2_ACCESS_KEY'], env['EC2_SECRET_KEY'])
    # the identity fuzz may revoke the token it names: a token of its own
    running.spare = Api(running.url('identity', '/v3'), env['OS_USERNAME'],
                        env['OS_PASSWORD'], env['OS_PROJECT_NAME'])
    yield running
    running.stop()


def send(cloud, api, method, path, body=b'', headers=None):
    """One raw request (the path is sent as given); its status, or None if the
    connection broke."""
    connection = http.client.HTTPConnection('127.0.0.1', cloud.ports[api], timeout=60)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body or method in ('POST', 'PUT', 'PATCH'):
            connection.putheader('Content-Length', str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        response.read()
        SEEN[api][response.status] += 1
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


# -- what goes in ------------------------------------------------------------------------------
NASTY_TEXT = st.sampled_from([
    '', 'a', '\x00', 'a\x00b', '\ud800', '\udfff', '\U0001F600', 'é' * 300, '%', '%ff',
    '%c0%af', '%ed%a0%80', '..', '../../etc/passwd', '\n', ' ', '"', "'", '<x>', '{}',
    '9' * 400, '-1', '-9' * 30, '1e999', 'NaN', 'true', 'null', '[]', '0x10', '\u202e'])
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=40))
NUMBERS = st.one_of(st.integers(min_value=-(10 ** 40), max_value=10 ** 40),
                    st.floats(allow_nan=False), st.sampled_from([0, -1, 2 ** 31, 2 ** 63]))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


def _encode_json(value):
    return json.dumps(value).encode('utf-8', 'surrogatepass')


BODIES = st.one_of(
    JSON_VALUES.map(_encode_json),
    st.builds(lambda key, value: _encode_json({key: value}),
              st.sampled_from(['server', 'image', 'auth', 'flavor', 'keypair', 'name',
                               'metadata', 'security_group', 'quota_set', 'os-start']),
              JSON_VALUES),
    st.integers(min_value=30, max_value=3000).map(lambda n: b'[' * n + b']' * n),
    st.integers(min_value=30, max_value=3000).map(lambda n: b'{"a":' * n + b'1' + b'}' * n),
    st.sampled_from([b'{"name": "\\ud800"}', b'{"\\u0000": 1}', b'\xff\xfe', b'{"a": NaN}',
                     b'{', b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
                     b'null', b'"\\udfff"', b'{"a": 1e999}']),
    st.binary(max_size=64))
SEGMENTS = st.one_of(NASTY_TEXT, st.text(max_size=20)).map(
    lambda s: urllib.parse.quote(s.encode('utf-8', 'surrogatepass'), safe=''))
RAW_SEGMENTS = st.sampled_from(['%ff%fe', '%c0%af', '%ed%a0%80', '%00', '%zz', '%', ';x',
                                '%2e%2e', '%252f'])
QUERIES = st.one_of(st.just(''), st.lists(st.tuples(st.one_of(SEGMENTS, RAW_SEGMENTS),
                                                    st.one_of(SEGMENTS, RAW_SEGMENTS)),
                                          max_size=3).map(
    lambda pairs: '?' + '&'.join('%s=%s' % pair for pair in pairs)))
HEADERS = st.dictionaries(st.sampled_from([
    'Range', 'Content-Type', 'OpenStack-API-Version', 'X-OpenStack-Nova-API-Version',
    'If-Match', 'If-Modified-Since', 'X-Forwarded-For', 'Accept', 'X-Auth-Token']),
    st.sampled_from(['bytes=-', 'bytes=--1', 'bytes=9999999999999999999-', 'bytes=a-b',
                     'bytes=0-0,1-1', 'application/json', 'text/plain', 'compute 2.999',
                     'compute latest', '2.1000000', '*', 'x' * 300, '1.1.1.1, ::1',
                     'Sun, 99 Xyz 0000', '\u00e9']), max_size=3)
METHODS = st.sampled_from(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'])


def _path(prefix, templates):
    """Paths from templates: {x} a quoted segment, {r} a raw one, {p} the project id."""
    return st.builds(lambda template, segment, raw, query: prefix + template.format(
        x=segment, r=raw, p='{project}') + query, st.sampled_from(templates), SEGMENTS,
        RAW_SEGMENTS, QUERIES)


COMPUTE = _path('/v2.1', ['/servers', '/servers/{x}', '/servers/{x}/action', '/servers/{r}',
                          '/servers/detail', '/flavors/{x}', '/flavors/{x}/os-extra_specs',
                          '/os-keypairs/{x}', '/images/{x}', '/os-quota-sets/{x}',
                          '/servers/{x}/metadata/{x}', '/os-aggregates/{x}/action', '/{r}',
                          '/servers/{x}/tags/{r}', '/os-server-groups/{x}', '/limits'])
IMAGE = _path('', ['/v2/images', '/v2/images/{x}', '/v2/images/{x}/file', '/v2/images/{r}',
                   '/v2/images/{x}/members/{x}', '/v2/images/{x}/tags/{x}', '/v2/{r}',
                   '/v2/schemas/image', '/{r}'])
IDENTITY = _path('/v3', ['/auth/tokens', '/auth/catalog', '/projects/{x}', '/users/{x}',
                         '/{r}', '/auth/projects'])
VOLUME = _path('/v3', ['/{p}/volumes', '/{p}/volumes/{x}', '/{p}/volumes/{x}/action',
                      '/{p}/volumes/detail', '/{p}/volumes/{x}/metadata/{x}', '/{p}/{r}',
                      '/{p}/snapshots/{x}', '/{p}/types/{x}/extra_specs', '/{r}', '/volumes',
                      '/{p}/os-quota-sets/{x}', '/{p}/attachments/{x}/action', '/{p}/limits'])
NETWORK = _path('/v2.0', ['/networks', '/networks/{x}', '/subnets/{x}', '/ports', '/ports/{x}',
                         '/floatingips/{x}', '/security-groups/{x}', '/security-group-rules',
                         '/quotas/{x}', '/quotas/{x}/details', '/extensions/{x}', '/{r}'])
METADATA = _path('', ['/', '/latest/meta-data/{x}', '/openstack/{x}/meta_data.json',
                      '/{r}', '/2009-04-04/user-data', '/openstack/latest/{r}'])


def _ok(status):
    return status is not None and status != 500


def _fuzz_rest(cloud, api, method, path, body, headers, **default_headers):
    """One token-authenticated request to a REST listener; no 500, no dropped connection."""
    for name, value in dict(default_headers, **{'X-Auth-Token': cloud.admin.token,
                                                'Content-Type': 'application/json'}).items():
        headers.setdefault(name, value)
    path = path.replace('{project}', cloud.admin.project_id)
    status = send(cloud, api, method, path, body, headers)
    assert _ok(status), (method, path, body[:200], headers, status)


@given(method=METHODS, path=COMPUTE, body=BODIES, headers=HEADERS)
@EXAMPLES
def test_compute(cloud, method, path, body, headers):
    _fuzz_rest(cloud, 'osapi_compute', method, path, body, headers)


@given(method=METHODS, path=IMAGE, body=BODIES, headers=HEADERS)
@EXAMPLES
def test_image(cloud, method, path, body, headers):
    if method == 'PATCH':
        headers.setdefault('Content-Type', 'application/openstack-images-v2.1-json-patch')
    _fuzz_rest(cloud, 'image', method, path, body, headers)


@given(method=METHODS, path=VOLUME, body=BODIES, headers=HEADERS)
@EXAMPLES
def test_volume(cloud, method, path, body, headers):
    _fuzz_rest(cloud, 'osapi_volume', method, path, body, headers)


@given(method=METHODS, path=NETWORK, body=BODIES, headers=HEADERS)
@EXAMPLES
def test_network(cloud, method, path, body, headers):
    _fuzz_rest(cloud, 'network', method, path, body, headers)


@given(method=METHODS, path=IDENTITY, body=BODIES, headers=HEADERS)
@EXAMPLES
def test_identity(cloud, method, path, body, headers):
    _fuzz_rest(cloud, 'identity', method, path, body, headers,
               **{'X-Subject-Token': cloud.spare.token})


@given(path=METADATA, headers=HEADERS)
@EXAMPLES
def test_metadata(cloud, path, headers):
    status = send(cloud, 'metadata', 'GET', path, b'', headers)
    assert _ok(status), (path, headers, status)


EC2_ACTIONS = st.sampled_from([
    'DescribeInstances', 'RunInstances', 'TerminateInstances', 'DescribeImages',
    'CreateKeyPair', 'ImportKeyPair', 'CreateSecurityGroup', 'AuthorizeSecurityGroupIngress',
    'CreateTags', 'DescribeTags', 'ModifyInstanceAttribute', 'RegisterImage',
    'GetConsoleOutput', 'DescribeAvailabilityZones', 'NoSuchAction', ''])
EC2_PARAMS = st.dictionaries(
    st.sampled_from(['InstanceId.1', 'ImageId', 'MinCount', 'MaxCount', 'KeyName',
                     'PublicKeyMaterial', 'GroupName', 'GroupDescription', 'Filter.1.Name',
                     'Filter.1.Value.1', 'Tag.1.Key', 'Tag.1.Value', 'ResourceId.1',
                     'IpPermissions.1.FromPort', 'IpPermissions.1.IpProtocol', 'MaxResults',
                     'NextToken', 'InstanceType', 'UserData', 'ImageLocation', 'Name']),
    st.one_of(TEXT, NUMBERS.map(str)), max_size=5)


def _signed_form(cloud, params, service, url):
    body = {k: v.encode('utf-8', 'surrogatepass').decode('utf-8', 'replace')
            for k, v in params.items()}
    request = botocore.awsrequest.AWSRequest(method='POST', url=url, data=body, headers={
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
    access, secret = cloud.ec2_keys
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(access, secret), service,
                            'RegionOne').add_auth(request)
    prepared = request.prepare()
    data = prepared.body if isinstance(prepared.body, bytes) else prepared.body.encode()
    return data, dict(prepared.headers)


@given(action=EC2_ACTIONS, params=EC2_PARAMS, signed=st.booleans(), raw=QUERIES)
@EXAMPLES
def test_ec2(cloud, action, params, signed, raw):
    url = cloud.url('ec2', '/services/Cloud')
    params = dict(params, Action=action, Version='2016-11-15')
    if signed:
        body, headers = _signed_form(cloud, params, 'ec2', url)
        status = send(cloud, 'ec2', 'POST', '/services/Cloud', body, headers)
    else:
        status = send(cloud, 'ec2', 'GET', '/services/Cloud' + (raw or '?Action=' + action))
    assert _ok(status), (action, params, raw, status)


CLOUDWATCH_ACTIONS = st.sampled_from([
    'ListMetrics', 'GetMetricStatistics', 'GetMetricData', 'GetMetricWidgetImage',
    'PutMetricData', 'NoSuchAction', ''])
CLOUDWATCH_PARAMS = st.dictionaries(
    st.sampled_from(['Namespace', 'MetricName', 'Dimensions.member.1.Name',
                     'Dimensions.member.1.Value', 'StartTime', 'EndTime', 'Period',
                     'Statistics.member.1', 'MetricDataQueries.member.1.Id',
                     'MetricDataQueries.member.1.Expression', 'MetricWidget', 'NextToken',
                     'MaxDatapoints', 'Unit']),
    st.one_of(TEXT, NUMBERS.map(str)), max_size=5)


@given(action=CLOUDWATCH_ACTIONS, params=CLOUDWATCH_PARAMS, protocol=st.sampled_from(
    ['query', 'json', 'cbor']), body=BODIES)
@EXAMPLES
def test_cloudwatch(cloud, action, params, protocol, body):
    """The query protocol's form, or a JSON/CBOR protocol request with a fuzzed body."""
    url = cloud.url('cloudwatch', '/')
    if protocol == 'query':
        body, headers = _signed_form(cloud, dict(params, Action=action, Version='2010-08-01'),
                                     'monitoring', url)
    else:
        content_type, headers = ('application/x-amz-json-1.0', {
            'X-Amz-Target': 'GraniteServiceVersion20100801.' + action}) \
            if protocol == 'json' else ('application/cbor', {'Smithy-Protocol': 'rpc-v2-cbor'})
        if protocol == 'cbor':
            url = cloud.url('cloudwatch', '/service/GraniteServiceVersion20100801/operation/'
                            + (action or 'x'))
        request = botocore.awsrequest.AWSRequest(method='POST', url=url, data=body, headers=dict(
            headers, **{'Content-Type': content_type}))
        access, secret = cloud.ec2_keys
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(access, secret), 'monitoring',
                                'RegionOne').add_auth(request)
        headers = dict(request.prepare().headers)
    path = urllib.parse.urlsplit(url).path or '/'
    status = send(cloud, 'cloudwatch', 'POST', path, body, headers)
    assert _ok(status), (action, params, protocol, body[:200], status)


S3_PATHS = _path('', ['/', '/{x}', '/{x}/{x}', '/{r}', '/{x}/{r}', '/{x}?uploads',
                      '/{x}/{x}?acl', '/{x}?delete'])


@given(method=METHODS, path=S3_PATHS, body=BODIES, headers=HEADERS, signed=st.booleans())
@EXAMPLES
def test_s3(cloud, method, path, body, headers, signed):
    if signed:
        url = cloud.url('objectstore', path)
        request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body,
                                                 headers=headers)
        access, secret = cloud.ec2_keys
        try:
            botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(access, secret), 's3',
                                      'RegionOne').add_auth(request)
            headers = dict(request.prepare().headers)
        except Exception:  # noqa: BLE001 -- what botocore cannot sign goes unsigned
            pass
    status = send(cloud, 'objectstore', method, path, body, headers)
    assert _ok(status), (method, path, body[:200], headers, status)


def test_every_listener_still_answers(cloud):
    """... and the fuzz got past authentication into each API's parsers (some 400s)."""
    for api in ('osapi_compute', 'osapi_volume', 'image', 'identity', 'ec2', 'cloudwatch',
                'objectstore', 'network'):
        assert SEEN[api][400] > 0, (api, SEEN[api])
    for api, path in (('osapi_compute', '/'), ('osapi_volume', '/'), ('image', '/'),
                      ('identity', '/v3'), ('metadata', '/'), ('ec2', '/services/Cloud'),
                      ('cloudwatch', '/'), ('objectstore', '/'), ('network', '/')):
        assert send(cloud, api, 'GET', path) is not None, api
    cloud.admin.login()  # (the identity fuzz may have revoked or spoilt its tokens)
    status, _ = cloud.admin.call('GET', cloud.url('osapi_compute', '/v2.1/servers'))
    assert status == 200
