"""XenAPI (XenServer / XCP-ng) virt driver: --compute_driver=xenapi.XenAPIDriver."""
from nova.virt.xenapi.driver import XenAPIDriver

__all__ = ['XenAPIDriver']
