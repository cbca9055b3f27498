from nova.virt.libvirt.driver import LibvirtDriver

__all__ = ["LibvirtDriver"]
