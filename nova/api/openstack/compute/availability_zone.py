"""/os-availability-zone (+ /detail for admins): the zones servers may be booted into.

A zone is available while one of its services is enabled. The plain list
leaves out the internal zone of the control services and names no hosts; the
detail lists every zone with each host's services (up? enabled? last seen).
"""
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import wsgi
from nova.compute import hosts as compute_hosts


def _split(zones):
    """(available, unavailable) zone names, each sorted."""
    available = sorted(zone for zone, hosts in zones.items()
                       if any(enabled for services in hosts.values()
                              for _up, enabled, _seen in services.values()))
    return available, sorted(set(zones) - set(available))


class AvailabilityZoneController(wsgi.Controller):
    def __init__(self, host_api=None):
        self.host_api = host_api or compute_hosts.HostAPI()

    def index(self, req):
        policy.authorize(req.context, 'os_compute_api:os-availability-zone:list')
        zones = self.host_api.availability_zones(req.context.elevated())
        available, unavailable = _split(zones)
        return {'availabilityZoneInfo': [
            {'zoneName': zone, 'zoneState': {'available': zone in available}, 'hosts': None}
            for zone in available + unavailable]}

    def detail(self, req):
        policy.authorize(req.context, 'os_compute_api:os-availability-zone:detail')
        zones = self.host_api.availability_zones(req.context.elevated(), with_internal=True)
        available, unavailable = _split(zones)
        info = []
        for zone in available:
            hosts = {}
            for host, services in sorted(zones[zone].items()):
                enabled = {binary: state for binary, state in services.items() if state[1]}
                if enabled:
                    hosts[host] = {binary: {'available': up, 'active': active,
                                            'updated_at': common.strtime(seen)}
                                   for binary, (up, active, seen) in enabled.items()}
            info.append({'zoneName': zone, 'zoneState': {'available': True}, 'hosts': hosts})
        info.extend({'zoneName': zone, 'zoneState': {'available': False}, 'hosts': None}
                    for zone in unavailable)
        return {'availabilityZoneInfo': info}
