"""DescribeRegions, DescribeAvailabilityZones, DescribeInstanceTypes: where and
what instances can run, from the service catalog's region, the host API's
zones and the flavors."""
from nova.api.ec2 import faults, filters
from nova.api.ec2.actions import READER, action
from nova.auth import endpoints
from nova.compute import flavors
from nova.conf import CONF
from nova.i18n import _


@action('DescribeRegions', READER)
def describe_regions(call):
    regions = [{'regionName': CONF.region_name,
                'regionEndpoint': endpoints.url('ec2', CONF.ec2_path,
                                                endpoints.request_host(call.host)),
                'optInStatus': 'opt-in-not-required'}]
    names = call.params.strings('RegionName')
    match = filters.matcher(call.params.filters(), {
        'region-name': lambda r: r['regionName'], 'endpoint': lambda r: r['regionEndpoint']})
    return {'regionInfo': [r for r in regions if match(r) and
                           (not names or r['regionName'] in names)]}


@action('DescribeAvailabilityZones', 'os_compute_api:os-availability-zone:list')
def describe_availability_zones(call):
    """Zones of up, enabled compute services are 'available', others 'unavailable'."""
    zones = call.apis.hosts.availability_zones(call.context)
    items = []
    for name in sorted(zones):
        up = any(is_up and enabled for binaries in zones[name].values()
                 for is_up, enabled, _ in binaries.values())
        items.append({'zoneName': name, 'zoneState': 'available' if up else 'unavailable',
                      'regionName': CONF.region_name, 'zoneType': 'availability-zone',
                      'messageSet': []})
    names = call.params.strings('ZoneName')
    unknown = sorted(set(names) - {i['zoneName'] for i in items})
    if unknown:
        raise faults.invalid_value('ZoneName', ', '.join(unknown), _('No such zone.'))
    match = filters.matcher(call.params.filters(), {
        'zone-name': lambda z: z['zoneName'], 'state': lambda z: z['zoneState'],
        'region-name': lambda z: z['regionName']})
    return {'availabilityZoneInfo': [i for i in items if match(i) and
                                     (not names or i['zoneName'] in names)]}


def _instance_type(flavor):
    return {
        'instanceType': flavor.name,
        'currentGeneration': True,
        'freeTierEligible': False,
        'supportedUsageClasses': ['on-demand'],
        'supportedRootDeviceTypes': ['instance-store'],
        'supportedVirtualizationTypes': ['hvm'],
        'bareMetal': False,
        'hypervisor': 'xen',
        'processorInfo': {'supportedArchitectures': ['x86_64']},
        'vCpuInfo': {'defaultVCpus': flavor.vcpus},
        'memoryInfo': {'sizeInMiB': flavor.memory_mb},
        'instanceStorageSupported': bool(flavor.root_gb or flavor.ephemeral_gb),
        'instanceStorageInfo': {'totalSizeInGB': flavor.root_gb + flavor.ephemeral_gb},
    }


@action('DescribeInstanceTypes', READER)
def describe_instance_types(call):
    rows = [f for f in flavors.get_all(call.context) if not f.disabled]
    names = call.params.strings('InstanceType')
    unknown = sorted(set(names) - {f.name for f in rows})
    if unknown:
        raise faults.invalid_value('InstanceType', ', '.join(unknown), _('No such type.'))
    match = filters.matcher(call.params.filters(), {
        'instance-type': lambda f: f.name, 'vcpu-info.default-vcpus': lambda f: f.vcpus,
        'memory-info.size-in-mib': lambda f: f.memory_mb})
    page, token = filters.paginate(
        [f for f in rows if match(f) and (not names or f.name in names)],
        lambda f: [f.name], call.params.int('MaxResults', low=5, high=100),
        call.params.get('NextToken'))
    return {'instanceTypeSet': [_instance_type(f) for f in page], 'nextToken': token}
