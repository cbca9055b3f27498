"""The action registry: each family module registers its actions with ``@action``.

A handler takes a ``Call`` (context, parameters, the public APIs) and returns
the response body as a dict (see nova.api.ec2.xml). The rule is checked with
nova.policy before the handler runs: the same rules as the OpenStack API.
"""
from nova.compute import api as compute_api
from nova.compute import hosts
from nova.image import service as image_service
from nova.monitor import api as monitor_api
from nova.network import security_groups

READER = 'project_reader_or_admin'
MEMBER = 'project_member_or_admin'
ADMIN = 'context_is_admin'

ACTIONS = {}


def action(name, rule):
    """Register ``name``'s handler; ``rule`` (a policy rule, always named: readers
    may call only what a reader's rule allows) is checked before it runs."""
    def register(func):
        ACTIONS[name] = (func, rule)
        return func
    return register


class Apis:
    """The public APIs the actions call, made once per application."""

    def __init__(self):
        self.compute = compute_api.API()
        self.images = image_service.get_default_image_service()
        self.security_groups = security_groups.SecurityGroupAPI()
        self.hosts = hosts.HostAPI()
        self.volumes = self.compute.volume_api
        self.monitor = monitor_api.MonitorAPI()


class Call:
    """One request to an action."""

    def __init__(self, context, params, apis, request_id, host):
        self.context, self.params, self.apis = context, params, apis
        self.request_id, self.host = request_id, host
