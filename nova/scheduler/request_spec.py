"""What one scheduling request asks for, as a plain dict on the wire.

``RequestSpec.from_dict`` validates the dict once and precomputes what the
filters read for every host (requested MB, hint sets, group sets), so that
nothing is parsed again per host. ``to_dict`` gives the same format back,
including the group hosts and members this request has added.

Format (every key optional)::

    {'instance_uuids': [uuid, ...], 'num_instances': 2,
     'flavor': {'flavorid', 'name', 'memory_mb', 'vcpus', 'root_gb',
                'ephemeral_gb', 'swap', 'extra_specs': {}},
     'image': {'id': ..., 'properties': {'architecture': 'x86_64', ...}},
     'availability_zone': 'nova', 'project_id': ..., 'user_id': ...,
     'scheduler_hints': {'same_host': [uuid], 'different_host': [uuid],
                         'query': '["<", "$free_ram_mb", 1024]', 'group': ...},
     'instance_group': {'uuid', 'policies': ['anti-affinity'], 'hosts': [...],
                        'members': [uuid, ...]},
     'retry': {'num_attempts': 1, 'hosts': [[host, nodename], ...]},
     'ignore_hosts': [host], 'force_hosts': [host], 'force_nodes': [nodename],
     'required_capabilities': ['supports_resize'],
     'admin_password': the guest's administrator password (adminPass), for the spawn}

required_capabilities are driver capabilities every chosen host must have
reported (nova/virt/driver.py CAPABILITIES); forced hosts are held to them too.
"""
import json

from nova import exception
from nova.conf import CONF

FIELDS = ('instance_uuids', 'num_instances', 'flavor', 'image', 'availability_zone',
          'project_id', 'user_id', 'scheduler_hints', 'instance_group', 'retry',
          'ignore_hosts', 'force_hosts', 'force_nodes', 'required_capabilities',
          'admin_password')
_FLAVOR_SIZES = ('memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb', 'swap')
_HOST_LISTS = ('ignore_hosts', 'force_hosts', 'force_nodes')
GROUP_POLICIES = ('affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity')


def _invalid(reason):
    return exception.InvalidInput(reason='request spec: %s' % reason)


def _str_list(name, value):
    """A hint or host list: one string or a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise _invalid('%s must be a string or a list of strings' % name)
    return list(value)


def _size(flavor, key):
    value = flavor.get(key) or 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid('flavor %s must be a non-negative integer, not %r' % (key, value))
    return value


class RequestSpec:
    """One request for ``num_instances`` hosts; cheap to read in a filter's inner loop."""

    __slots__ = FIELDS + ('memory_mb', 'vcpus', 'disk_mb', 'extra_specs', 'image_properties',
                          'same_host', 'different_host', 'query', 'group_policies',
                          'group_hosts', 'group_members', 'retry_hosts')

    def __init__(self, instance_uuids=None, num_instances=None, flavor=None, image=None,
                 availability_zone=None, project_id=None, user_id=None, scheduler_hints=None,
                 instance_group=None, retry=None, ignore_hosts=None, force_hosts=None,
                 force_nodes=None, required_capabilities=None, admin_password=None):
        self.instance_uuids = _str_list('instance_uuids', instance_uuids)
        if num_instances is None:
            num_instances = len(self.instance_uuids) or 1
        if isinstance(num_instances, bool) or not isinstance(num_instances, int) \
                or num_instances < 1:
            raise _invalid('num_instances must be a positive integer, not %r' % num_instances)
        if self.instance_uuids and len(self.instance_uuids) != num_instances:
            raise _invalid('%d instance_uuids for num_instances %d'
                           % (len(self.instance_uuids), num_instances))
        self.num_instances = num_instances
        self._set_flavor(dict(flavor or {}))
        self.image = dict(image or {})
        self.image_properties = dict(self.image.get('properties') or {})
        self.availability_zone = availability_zone or None
        self.project_id, self.user_id = project_id, user_id
        self._set_hints(dict(scheduler_hints or {}))
        self._set_group(instance_group)
        self._set_retry(retry)
        for name, value in zip(_HOST_LISTS, (ignore_hosts, force_hosts, force_nodes)):
            setattr(self, name, _str_list(name, value))
        self.required_capabilities = tuple(
            _str_list('required_capabilities', required_capabilities))
        self.admin_password = admin_password

    def _set_flavor(self, flavor):
        self.flavor = flavor
        sizes = {key: _size(flavor, key) for key in _FLAVOR_SIZES}
        self.memory_mb, self.vcpus = sizes['memory_mb'], sizes['vcpus']
        # swap counts on the local disk too, so the filter and the claim agree
        self.disk_mb = 1024 * (sizes['root_gb'] + sizes['ephemeral_gb']) + sizes['swap']
        extra_specs = flavor.get('extra_specs') or {}
        if not isinstance(extra_specs, dict):
            raise _invalid('flavor extra_specs must be a dict')
        self.extra_specs = {str(k): str(v) for k, v in extra_specs.items()}

    def _set_hints(self, hints):
        self.scheduler_hints = hints
        self.same_host = frozenset(_str_list('hint same_host', hints.get('same_host')))
        self.different_host = frozenset(
            _str_list('hint different_host', hints.get('different_host')))
        query = hints.get('query')
        if isinstance(query, list) and len(query) == 1 and isinstance(query[0], str):
            query = query[0]  # a hint given once on the command line arrives as a list
        if isinstance(query, str):
            try:
                query = json.loads(query) if query.strip() else None
            except ValueError as e:
                raise _invalid('hint query is not JSON: %s' % e) from None
        if query is not None and not isinstance(query, list):
            raise _invalid('hint query must be a JSON list such as ["<", "$vcpus_used", 4]')
        self.query = query or None

    def _set_group(self, group):
        self.instance_group = dict(group) if group else None
        group = self.instance_group or {}
        policies = _str_list('instance_group policies', group.get('policies'))
        unknown = sorted(set(policies) - set(GROUP_POLICIES))
        if unknown:
            raise _invalid('unknown server group policy %s' % ', '.join(unknown))
        self.group_policies = frozenset(policies)
        self.group_hosts = set(_str_list('instance_group hosts', group.get('hosts')))
        self.group_members = set(_str_list('instance_group members', group.get('members')))

    def _set_retry(self, retry):
        self.retry = dict(retry) if retry else None
        hosts = (self.retry or {}).get('hosts') or []
        try:
            self.retry_hosts = frozenset((host, node) for host, node in hosts)
        except (TypeError, ValueError):
            raise _invalid('retry hosts must be [host, nodename] pairs') from None

    @classmethod
    def from_dict(cls, data):
        """A RequestSpec from its dict (a RequestSpec is returned as is)."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict):
            raise _invalid('expected a dict, not %s' % type(data).__name__)
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise _invalid('unknown key %s' % ', '.join(unknown))
        return cls(**data)

    def to_dict(self):
        data = {'instance_uuids': list(self.instance_uuids),
                'num_instances': self.num_instances,
                'flavor': dict(self.flavor), 'image': dict(self.image),
                'availability_zone': self.availability_zone,
                'project_id': self.project_id, 'user_id': self.user_id,
                'scheduler_hints': dict(self.scheduler_hints),
                'instance_group': None, 'retry': self.retry and dict(self.retry),
                'admin_password': self.admin_password}
        if self.instance_group is not None:
            data['instance_group'] = dict(self.instance_group,
                                          hosts=sorted(self.group_hosts),
                                          members=sorted(self.group_members))
        for name in _HOST_LISTS:
            data[name] = list(getattr(self, name))
        if self.required_capabilities:  # moves and config drives ask; other specs stay
            data['required_capabilities'] = list(self.required_capabilities)
        return data

    def add_group_member(self, host, instance_uuid):
        """Record a placement so the rest of this request sees the group on that host."""
        self.group_hosts.add(host)
        if instance_uuid:
            self.group_members.add(instance_uuid)

    def for_retry(self, instance_uuid, host, nodename, reason):
        """The spec dict for another attempt at one instance after it failed on (host, node).

        Raises MaxRetriesExceeded once scheduler_max_attempts attempts failed.
        The caller refreshes 'instance_group' hosts from the database when the
        instance is in a group: only it knows where the other members ended up.
        """
        attempts = (self.retry or {}).get('num_attempts') or 1
        if attempts >= CONF.scheduler_max_attempts:
            raise exception.MaxRetriesExceeded(
                reason='Exceeded max scheduling attempts %d for instance %s. '
                       'Last exception: %s' % (CONF.scheduler_max_attempts,
                                               instance_uuid, reason))
        data = self.to_dict()
        hosts = [list(pair) for pair in (self.retry or {}).get('hosts') or []]
        data.update(instance_uuids=[instance_uuid] if instance_uuid else [], num_instances=1,
                    retry={'num_attempts': attempts + 1, 'hosts': hosts + [[host, nodename]]})
        return data
