"""Hypervisor drivers: the interface in driver.py, one module (or package) per driver."""
