"""CloudWatch's three protocols read untrusted bodies and parameters with the parser
limits every listener applies: a 400 in CloudWatch's terms, never a 500."""
import cbor2
import pytest
import webob

from nova.api.cloudwatch import protocols

TARGET = protocols.TARGET_PREFIX + '.ListMetrics'


def _json(body):
    return webob.Request.blank('/', method='POST', body=body, headers={
        'X-Amz-Target': TARGET, 'Content-Type': 'application/x-amz-json-1.0'})


def _cbor(body):
    return webob.Request.blank(protocols.CBOR_PATH_PREFIX + 'ListMetrics', method='POST',
                               body=body, headers={'Content-Type': 'application/cbor'})


def _decode(req):
    return protocols.decode(req, protocols.protocol_of(req))


@pytest.mark.parametrize('body,code,words', [
    (b'[' * 5000 + b']' * 5000, 'SerializationException', 'nested more than'),
    (b'{"Namespace": "\\ud800"}', 'SerializationException', 'lone surrogate'),
    (b'{"Namespace": "a\\u0000"}', 'SerializationException', 'NUL'),
    (b'{"Period": NaN}', 'SerializationException', 'not valid JSON'),
    (b'{', 'SerializationException', 'not valid JSON'),
])
def test_json_protocol_bodies_beyond_the_limits(body, code, words):
    with pytest.raises(protocols.CloudWatchError) as refused:
        _decode(_json(body))
    assert (refused.value.code, refused.value.status) == (code, 400)
    assert words in refused.value.message


@pytest.mark.parametrize('body,words', [
    (cbor2.dumps({'Namespace': 'a\x00b'}), 'NUL'),
    (b'\xa1\x61x' + b'\x81' * 40 + b'\x00', 'nested more than'),   # {'x': [[[...0]]]}
])
def test_cbor_protocol_values_beyond_the_limits(body, words):
    with pytest.raises(protocols.CloudWatchError) as refused:
        _decode(_cbor(body))
    assert (refused.value.code, refused.value.status) == ('InvalidParameterValue', 400)
    assert words in refused.value.message


def test_query_parameters_with_a_nul_are_refused():
    req = webob.Request.blank('/?Action=ListMetrics&Namespace=a%00b')
    with pytest.raises(protocols.CloudWatchError) as refused:
        _decode(req)
    assert refused.value.code == 'InvalidParameterValue' and 'NUL' in refused.value.message


def test_good_requests_decode():
    assert _decode(_json(b'{"Namespace": "AWS/EC2"}')) == ('ListMetrics',
                                                            {'Namespace': 'AWS/EC2'})
    assert _decode(_cbor(cbor2.dumps({'Namespace': 'AWS/EC2'})))[1] == {'Namespace': 'AWS/EC2'}
