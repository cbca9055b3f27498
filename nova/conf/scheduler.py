"""Scheduler options."""
from oslo_config import cfg  # noqa: F401

opts = []


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
