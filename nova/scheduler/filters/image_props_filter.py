"""ImagePropertiesFilter: the host's hypervisor can run the image.

Image properties architecture, hypervisor_type and vm_mode (or their hw_/img_
names) must all appear in one of the host's supported (arch, hypervisor, vm
mode) triples; hypervisor_version_requires ('>=6.0,<7') is checked against
the host's hypervisor_version. An image asking for none of these runs anywhere.
"""
import logging

from nova.i18n import _LW
from nova.scheduler import filters
from nova.scheduler import hardware

LOG = logging.getLogger(__name__)

_PROPS = (('architecture', 'hw_architecture', hardware.canonical_arch),
          ('hypervisor_type', 'img_hv_type', hardware.canonical_hv_type),
          ('vm_mode', 'hw_vm_mode', hardware.canonical_vm_mode))


def requirements(image_properties):
    """((arch, hv_type, vm_mode) wanted, version checks or None), canonicalised."""
    wanted = tuple(canon(image_properties.get(name) or image_properties.get(alias))
                   for name, alias, canon in _PROPS)
    version = image_properties.get('hypervisor_version_requires')
    checks = None
    if version:
        try:
            checks = hardware.parse_version_predicate(version)
        except ValueError:
            LOG.warning(_LW('Ignoring image hypervisor_version_requires %r'), version)
    return wanted, checks


class ImagePropertiesFilter(filters.BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state, spec):
        return self._passes(host_state, *requirements(spec.image_properties))

    def filter_all(self, host_states, spec):
        wanted, checks = requirements(spec.image_properties)
        if not any(wanted) and not checks:
            return host_states
        verdicts = {}  # most hosts share their hypervisor: decide once per kind
        kept = []
        for host in host_states:
            kind = (host.supported_instances, host.hypervisor_version)
            verdict = verdicts.get(kind)
            if verdict is None:
                verdict = verdicts[kind] = self._passes(host, wanted, checks)
            if verdict:
                kept.append(host)
        return kept

    @staticmethod
    def _passes(host_state, wanted, checks):
        if any(wanted) and not any(
                all(want is None or want == have for want, have in zip(wanted, triple))
                for triple in host_state.supported_instances):
            return False
        if checks and host_state.hypervisor_version:
            try:
                return hardware.version_satisfies(host_state.hypervisor_version, checks)
            except ValueError:
                return False
        return True
