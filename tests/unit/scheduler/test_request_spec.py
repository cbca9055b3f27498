"""RequestSpec: the dict format, its validation, derived sizes and retries."""
import pytest

from nova import exception
from nova.conf import CONF
from nova.scheduler.request_spec import RequestSpec
from tests.unit.scheduler import fakes

FULL = {
    'instance_uuids': ['u1', 'u2'], 'num_instances': 2,
    'flavor': {'flavorid': '1', 'name': 'm1.small', 'memory_mb': 2048, 'vcpus': 1,
               'root_gb': 20, 'ephemeral_gb': 10, 'swap': 512,
               'extra_specs': {'ssd': 'true'}},
    'image': {'id': 'img', 'properties': {'architecture': 'x86_64'}},
    'availability_zone': 'az1', 'project_id': 'p', 'user_id': 'u',
    'scheduler_hints': {'same_host': 'u9', 'query': '["=", "$host", "h1"]'},
    'instance_group': {'uuid': 'g', 'policies': ['anti-affinity'], 'hosts': ['h2'],
                       'members': ['u7']},
    'retry': {'num_attempts': 1, 'hosts': [['h3', 'n3']]},
    'ignore_hosts': ['h4'], 'force_hosts': [], 'force_nodes': [],
    'admin_password': 'the-guest-password',
}


def test_round_trip_keeps_the_format():
    assert RequestSpec.from_dict(FULL).to_dict() == FULL


def test_derived_values_for_the_filters():
    spec = RequestSpec.from_dict(FULL)
    assert (spec.memory_mb, spec.vcpus) == (2048, 1)
    assert spec.disk_mb == 1024 * 30 + 512
    assert spec.same_host == {'u9'} and spec.different_host == frozenset()
    assert spec.query == ['=', '$host', 'h1']
    assert spec.group_policies == {'anti-affinity'} and spec.group_hosts == {'h2'}
    assert spec.retry_hosts == {('h3', 'n3')}
    assert spec.image_properties == {'architecture': 'x86_64'}


def test_defaults_one_instance_of_nothing():
    spec = RequestSpec.from_dict({})
    assert spec.num_instances == 1 and spec.instance_uuids == []
    assert (spec.memory_mb, spec.vcpus, spec.disk_mb) == (0, 0, 0)
    assert spec.query is None and spec.instance_group is None and not spec.group_policies
    assert RequestSpec.from_dict({'instance_uuids': ['a', 'b']}).num_instances == 2


def test_a_query_hint_given_once_arrives_as_a_list():
    spec = RequestSpec.from_dict({'scheduler_hints': {'query': ['[">", "$vcpus_total", 4]']}})
    assert spec.query == ['>', '$vcpus_total', 4]


def test_group_members_placed_by_the_request_show_in_to_dict():
    spec = RequestSpec.from_dict(FULL)
    spec.add_group_member('h5', 'u1')
    group = spec.to_dict()['instance_group']
    assert group['hosts'] == ['h2', 'h5'] and group['members'] == ['u1', 'u7']
    assert FULL['instance_group']['hosts'] == ['h2']  # the caller's dict is untouched


@pytest.mark.parametrize('data, words', [
    ({'bogus': 1}, 'unknown key bogus'),
    ({'num_instances': 0}, 'num_instances must be a positive integer'),
    ({'instance_uuids': ['a'], 'num_instances': 2}, '1 instance_uuids for num_instances 2'),
    ({'flavor': {'memory_mb': -1}}, 'flavor memory_mb must be a non-negative integer'),
    ({'flavor': {'vcpus': '2'}}, 'flavor vcpus must be a non-negative integer'),
    ({'scheduler_hints': {'query': '[oops'}}, 'hint query is not JSON'),
    ({'scheduler_hints': {'query': '{"a": 1}'}}, 'hint query must be a JSON list'),
    ({'scheduler_hints': {'same_host': 5}}, 'same_host must be a string or a list'),
    ({'instance_group': {'policies': ['together']}}, 'unknown server group policy together'),
    ({'retry': {'hosts': [['h1']]}}, 'retry hosts must be [host, nodename] pairs'),
])
def test_bad_input_names_the_field(data, words):
    with pytest.raises(exception.InvalidInput) as e:
        RequestSpec.from_dict(data)
    assert words in str(e.value)


def test_from_dict_wants_a_dict_and_passes_a_spec_through():
    spec = fakes.spec()
    assert RequestSpec.from_dict(spec) is spec
    with pytest.raises(exception.InvalidInput, match='expected a dict, not list'):
        RequestSpec.from_dict([])


def test_for_retry_counts_attempts_and_records_the_failed_node():
    spec = RequestSpec.from_dict(dict(FULL, retry=None))
    again = spec.for_retry('u2', 'h1', 'n1', 'spawn failed')
    assert again['instance_uuids'] == ['u2'] and again['num_instances'] == 1
    assert again['retry'] == {'num_attempts': 2, 'hosts': [['h1', 'n1']]}
    third = RequestSpec.from_dict(again).for_retry('u2', 'h6', 'n6', 'spawn failed')
    assert third['retry'] == {'num_attempts': 3, 'hosts': [['h1', 'n1'], ['h6', 'n6']]}
    with pytest.raises(exception.MaxRetriesExceeded) as e:
        RequestSpec.from_dict(third).for_retry('u2', 'h7', 'n7', 'disk full')
    assert str(e.value) == ('Exceeded maximum number of retries. Exceeded max scheduling '
                            'attempts 3 for instance u2. Last exception: disk full')
    assert isinstance(e.value, exception.NoValidHost)


def test_one_attempt_means_no_reschedule():
    CONF.set_override('scheduler_max_attempts', 1)
    with pytest.raises(exception.MaxRetriesExceeded):
        fakes.spec().for_retry('u1', 'h1', 'h1', 'boom')


def test_required_capabilities_travel_only_when_asked():
    spec = RequestSpec.from_dict({'required_capabilities': ['supports_live_migration']})
    assert spec.required_capabilities == ('supports_live_migration',)
    assert spec.to_dict()['required_capabilities'] == ['supports_live_migration']
    assert 'required_capabilities' not in RequestSpec.from_dict({}).to_dict()
    with pytest.raises(exception.InvalidInput):
        RequestSpec.from_dict({'required_capabilities': [1]})
