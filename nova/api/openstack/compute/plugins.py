"""API extension plugins: resources and server actions from installed packages.

An operator adds to the compute API without editing Nova by installing a
package with an entry point in the ``nova.api.v21.extensions`` group whose
object is an ``APIPlugin`` subclass. The plugin declares its name and alias
(listed in /extensions), the microversions it is served in, its policy rule
defaults (registered beside Nova's, overridable in the policy file), and its
routes and server-action controllers, written like Nova's own (wsgi.Controller
methods with @validation.schema, @wsgi.action, @wsgi.api_version).
doc/api_plugins.md is the recipe.

A plugin never takes over what exists: one whose alias, path, action or rule
is already defined, whose bounds are not valid microversions, or that fails
to load is left out as a whole, with the reason logged; the API still starts.
"""
import functools
import importlib.metadata
import logging

from nova import policy
from nova.api.openstack import microversion
from nova.api.openstack import wsgi
from nova.api.openstack.router import method
from nova.i18n import _LE

LOG = logging.getLogger(__name__)

GROUP = 'nova.api.v21.extensions'


class APIPlugin:
    """What a plugin declares; subclass it and name the subclass in an entry point."""

    name = None          # 'Shoes': the /extensions name
    alias = None         # 'os-shoes': the /extensions alias, unique
    description = ''
    updated = '2026-01-01T00:00:00Z'
    min_version = microversion.MIN_VERSION  # served to requests in [min, max]
    max_version = None   # None: every later version
    policy_rules = ()    # [(rule name, default check string, description)]

    def routes(self, compute_api):
        """[(path, {METHOD: controller method})], as in nova/api/openstack/compute/routes.py."""
        return []

    def server_actions(self, compute_api):
        """wsgi.Controller objects whose @wsgi.action methods become server actions."""
        return []


class _Bounds:
    """Stands in for a method's version dispatch: outside the plugin's bounds the
    method does not exist (404, before any body validation)."""

    def __init__(self, func, low, high):
        self.func, self.low, self.high = func, low, high

    def select(self, version):
        if not version.matches(self.low, self.high):
            raise wsgi.VersionNotFound(version=version)
        inner = getattr(self.func, 'versioned', None)
        return inner.select(version) if inner else self.func


def _bounded(func, low, high):
    @functools.wraps(func)
    def call(req, *args, **kwargs):
        return func(req, *args, **kwargs)
    call.versioned = _Bounds(func, low, high)
    return call


def discover():
    """The plugins of the installed packages (each instantiated once), in entry point
    order; one that cannot be loaded is logged and left out."""
    found = []
    for entry_point in importlib.metadata.entry_points(group=GROUP):
        try:
            plugin = entry_point.load()
            plugin = plugin() if isinstance(plugin, type) else plugin
            if not isinstance(plugin, APIPlugin):
                raise TypeError('%s is not an APIPlugin' % entry_point.value)
        except Exception:  # noqa: BLE001 -- a broken package must not stop the API
            LOG.exception(_LE('API plugin %s = %s could not be loaded; left out'),
                          entry_point.name, entry_point.value)
            continue
        found.append(plugin)
    return found


def register_policies():
    """Register the policy rules of every installed plugin without serving it, so that
    nova-manage policy lists and checks them as nova-api will enforce them."""
    for plugin in discover():
        try:
            policy.register_plugin_rules(plugin.alias, plugin.policy_rules)
        except ValueError as error:
            LOG.error(_LE('API plugin %s (%s): rules left out: %s'), plugin.name, plugin.alias,
                      error)


def _prepare(plugin, api, paths, actions, aliases):
    """(routes, actions) of one plugin, bounded by its versions; ValueError says why
    it does not fit beside what is already served."""
    if not plugin.name or not plugin.alias:
        raise ValueError('a plugin needs a name and an alias')
    if plugin.alias in aliases:
        raise ValueError('alias %s is already listed' % plugin.alias)
    try:
        low = microversion.parse(plugin.min_version)
        high = microversion.parse(plugin.max_version) if plugin.max_version else None
    except Exception as error:  # noqa: BLE001 -- named in the ValueError
        raise ValueError('bad microversion bounds: %s' % error) from None
    if high is not None and high < low:
        raise ValueError('max_version %s is below min_version %s' % (high, low))
    routes = []
    for path, handlers in plugin.routes(api):
        if path in paths:
            raise ValueError('path %s is already served' % path)
        routes.append((path, {verb: method(_bounded(func, low, high))
                              for verb, func in handlers.items()}))
    plugin_actions = {}
    for controller in plugin.server_actions(api):
        for name, func in controller.actions().items():
            if name in actions or name in plugin_actions:
                raise ValueError('server action %s is already defined' % name)
            plugin_actions[name] = _bounded(func, low, high)
    return routes, plugin_actions


def attach(api, table, actions, extension):
    """Add every plugin that fits: its routes to ``table`` (returned), its server
    actions to ``actions`` (the wsgi.Actions of /servers/{id}/action), its listing to
    ``extension`` (the /extensions controller), its rules to the policy defaults."""
    paths = {path for path, _handlers in table}
    for plugin in discover():
        try:
            routes, plugin_actions = _prepare(plugin, api, paths, actions.methods,
                                              extension.aliases())
            policy.register_plugin_rules(plugin.alias, plugin.policy_rules)
        except Exception as error:  # noqa: BLE001 -- the plugin is left out, the API runs
            LOG.error(_LE('API plugin %s (%s) left out: %s'), plugin.name, plugin.alias, error)
            continue
        table = table + routes
        paths.update(path for path, _handlers in routes)
        actions.add(plugin_actions)
        extension.add(plugin.name, plugin.alias, plugin.description, plugin.updated)
        LOG.info('API plugin %s (%s): %d routes, %d server actions, versions %s to %s',
                 plugin.name, plugin.alias, len(routes), len(plugin_actions),
                 plugin.min_version, plugin.max_version or 'latest')
    return table
