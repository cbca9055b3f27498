"""The EC2 query protocol pieces: dotted parameters, filters, pagination tokens,
XML rendering and the error table."""
import datetime
import xml.etree.ElementTree as ET

import pytest

from nova import exception
from nova.api.ec2 import faults, filters, params, xml
from nova.auth import signature


def _params(flat):
    return params.Params(params.parse(flat))


def test_numbered_members_become_ordered_lists():
    tree = params.parse({'InstanceId.10': 'c', 'InstanceId.2': 'b', 'InstanceId.1': 'a',
                         'Filter.1.Name': 'tag:x', 'Filter.1.Value.2': 'w',
                         'Filter.1.Value.1': 'v', 'Placement.AvailabilityZone': 'nova',
                         'Action': 'RunInstances', 'Signature': 'sig',
                         'X-Amz-Date': '20200101T000000Z'})
    assert tree == {'InstanceId': ['a', 'b', 'c'],
                    'Filter': [{'Name': 'tag:x', 'Value': ['v', 'w']}],
                    'Placement': {'AvailabilityZone': 'nova'}}


@pytest.mark.parametrize('flat', [{'A': '1', 'A.1': '2'}, {'A.1': '2', 'A': '1'},
                                  {'A..B': 'x'}, {'A.': 'x'}])
def test_conflicting_or_empty_names_are_invalid(flat):
    with pytest.raises(faults.Ec2Error) as raised:
        params.parse(flat)
    assert raised.value.code == 'InvalidParameterValue'


def test_typed_reads_name_the_parameter():
    p = _params({'MinCount': 'x', 'MaxCount': '0', 'DryRun': 'maybe', 'Name': 'n',
                 'Filter.1.Value.1': 'v'})
    for read, name in ((lambda: p.int('MinCount'), 'MinCount'),
                       (lambda: p.int('MaxCount', low=1), 'MaxCount'),
                       (lambda: p.bool('DryRun'), 'DryRun')):
        with pytest.raises(faults.Ec2Error) as raised:
            read()
        assert raised.value.code == 'InvalidParameterValue' and name in raised.value.message
    with pytest.raises(faults.Ec2Error) as raised:
        p.required('KeyName')
    assert (raised.value.code, raised.value.message.endswith('KeyName')) == (
        'MissingParameter', True)
    with pytest.raises(faults.Ec2Error) as raised:
        p.filters()
    assert 'Filter.1.Name' in raised.value.message
    assert p.strings('Name') == ['n'] and p.strings('Nothing') == []
    assert p.int('Absent', default=7) == 7


def test_filters_match_any_value_of_each_filter_with_wildcards():
    rows = [{'name': 'web-1', 'state': 'running', 'tags': {'role': 'web'}},
            {'name': 'db-1', 'state': 'stopped', 'tags': {}}]
    fields = {'name': lambda r: r['name'], 'state': lambda r: r['state']}
    match = filters.matcher([('name', ['web-*', 'x?']), ('state', ['running'])], fields,
                            tags=lambda r: r['tags'])
    assert [r['name'] for r in rows if match(r)] == ['web-1']
    by_tag = filters.matcher([('tag:role', ['web'])], fields, tags=lambda r: r['tags'])
    assert [r['name'] for r in rows if by_tag(r)] == ['web-1']
    with pytest.raises(faults.Ec2Error):
        filters.matcher([('colour', ['red'])], fields)


def test_pagination_goes_on_after_the_last_item_even_if_it_went():
    items = list(range(12))
    page, token = filters.paginate(items, lambda i: [i], 5, None)
    assert page == [0, 1, 2, 3, 4] and token
    rest = [i for i in items if i != 4]  # the last item shown has gone meanwhile
    page, token = filters.paginate(rest, lambda i: [i], 5, token)
    assert page == [5, 6, 7, 8, 9]
    page, token = filters.paginate(items, lambda i: [i], 5, token)
    assert page == [10, 11] and token is None
    with pytest.raises(faults.Ec2Error):
        filters.paginate(items, lambda i: [i], 5, '!!not a token')


def test_xml_renders_in_the_ec2_namespace():
    response = xml.render('DescribeThings', {
        'thingSet': [{'id': 'a<b', 'on': True, 'gone': None,
                      'at': datetime.datetime(2020, 1, 2, 3, 4, 5, 678000)}],
        'nextToken': None}, 'req-1')
    root = ET.fromstring(response.body)
    ns = '{%s}' % xml.NAMESPACE
    assert root.tag == ns + 'DescribeThingsResponse'
    assert root.find(ns + 'requestId').text == 'req-1'
    item = root.find('%sthingSet/%sitem' % (ns, ns))
    assert item.find(ns + 'id').text == 'a<b' and item.find(ns + 'on').text == 'true'
    assert item.find(ns + 'gone') is None and root.find(ns + 'nextToken') is None
    assert item.find(ns + 'at').text == '2020-01-02T03:04:05.678Z'


def test_the_namespace_follows_the_requested_version():
    old = ET.fromstring(xml.render('DescribeThings', {}, 'r', '2010-08-31').body)
    assert old.tag == '{http://ec2.amazonaws.com/doc/2010-08-31/}DescribeThingsResponse'
    odd = ET.fromstring(xml.render('DescribeThings', {}, 'r', '"><x').body)
    assert odd.tag == '{%s}DescribeThingsResponse' % xml.NAMESPACE


@pytest.mark.parametrize('error, code, status', [
    (signature.SignatureMismatch(access_key='k'), 'AuthFailure', 401),
    (signature.RequestExpired(reason='old'), 'RequestExpired', 400),
    (exception.InstanceNotFound(instance_id='x'), 'InvalidInstanceID.NotFound', 400),
    (exception.KeyPairExists(key_name='k'), 'InvalidKeyPair.Duplicate', 400),
    (exception.TooManyInstances(overs=['instances'], req={'instances': 1},
                                used={'instances': 1}, allowed={'instances': 1}),
     'InstanceLimitExceeded', 400),
    (exception.InstanceInvalidState(attr='vm_state', instance_uuid='u', state='x',
                                    method='m'), 'IncorrectInstanceState', 400),
    (exception.InvalidInput(reason='bad'), 'InvalidParameterValue', 400),
    (exception.Forbidden(reason='no'), 'UnauthorizedOperation', 403),
])
def test_nova_exceptions_become_ec2_codes(error, code, status):
    ec2_error = faults.to_ec2_error(error)
    assert (ec2_error.code, ec2_error.status) == (code, status)


def test_unexpected_errors_tell_nothing():
    assert faults.to_ec2_error(KeyError('secret detail')) is None
    response = faults.error_response(faults.Ec2Error('InternalError', faults.INTERNAL_ERROR,
                                                     500), 'req-2')
    assert response.status_int == 500 and b'secret' not in response.body
    assert b'<Code>InternalError</Code>' in response.body
