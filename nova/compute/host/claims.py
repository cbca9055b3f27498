"""This host's claims: what they should be, moving them along a move, reporting them.

The resource tracker holds the claims in memory (nova/compute/host/resource_tracker.py);
this module keeps them true to the database (``recount``, at start-up and
periodically), moves them at each step of a resize or migration (``settle``,
``drop_at``; the keys are nova/compute/move_claims.py's) and tells the
schedulers what the node has left (``report_soon`` coalesces a burst of
changes into one DB write and one fanout).
"""
import logging
import time

import eventlet

from nova import exception
from nova import utils
from nova.compute import move_claims
from nova.compute.host.resource_tracker import instance_usage
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE

LOG = logging.getLogger(__name__)


def other_end(migration, instance, host):
    """The flavor ``host`` holds under key(uuid) for this move, or None."""
    if migration.migration_type == move_claims.LIVE_TYPE:
        if instance.host != host and host == migration.dest_compute:
            return move_claims.current_flavor(instance)
        return None
    old, new = move_claims.resize_flavors(instance)
    if old is None or new is None:
        return None
    if instance.host != host:
        return new if host == migration.dest_compute else old
    if migration.source_compute == migration.dest_compute == host:
        return old if move_claims.current_flavor(instance).get('id') == new.get('id') else new
    return None


def expected_claims(context, host, nodename):
    """{claim key: (instance, flavor dict or None for the instance's own)} for a node;
    an instance here is its sizes row (db.instance_sizes_by_host), a moving one the
    instance."""
    claims = {i.uuid: (i, None) for i in db.instance_sizes_by_host(context, host)
              if i.node in (None, nodename)}
    migrations = db.migration_get_in_progress_by_host_and_node(context, host, nodename)
    if not migrations:
        return claims
    moving = {i.uuid: i for i in db.instance_get_all_by_filters(
        context, {'uuid': [m.instance_uuid for m in migrations], 'deleted': False})}
    for migration in migrations:
        instance = moving.get(migration.instance_uuid)
        if instance is None:
            _fail_orphan(context, migration)
            continue
        flavor = other_end(migration, instance, host)
        if flavor is not None:
            claims[move_claims.key(instance.uuid)] = (instance, flavor)
    return claims


def _fail_orphan(context, migration):
    """The instance was deleted mid-move: the migration will never finish."""
    try:
        db.migration_update(context, migration.id, {'status': 'error'})
    except exception.MigrationNotFound:
        pass
    LOG.info('Migration %s of deleted instance %s marked error', migration.id,
             migration.instance_uuid)


class HostClaims:
    """The claims of ``tracker``'s node on ``host``, and the reports about them."""

    def __init__(self, host, tracker, compute_rpcapi, scheduler_rpcapi):
        self.host = host
        self.tracker = tracker
        self.compute_rpcapi = compute_rpcapi
        self.scheduler_rpcapi = scheduler_rpcapi
        self._report_due = None  # time.monotonic() of the pending report

    def recount(self, ctxt):
        """Make the claims what the database says this node holds."""
        expected = expected_claims(ctxt, self.host, self.tracker.nodename)
        for key in list(self.tracker.usage):
            if key not in expected:
                self.tracker.drop(key)
        for key, (instance, flavor) in expected.items():
            need = instance_usage(flavor if flavor is not None else instance)
            if self.tracker.usage.get(key) != need:
                self.tracker.drop(key)
                self.tracker.instance_claim(instance, flavor=flavor, key=key)

    def settle(self, instance, own=None, other=None):
        """This host's claims for an instance become exactly ``own`` (its flavor,
        if it is here) and ``other`` (the flavor of the other end of a move)."""
        self.tracker.drop(instance.uuid)
        self.tracker.drop(move_claims.key(instance.uuid))
        if own is not None:
            self.tracker.instance_claim(instance, flavor=own)
        if other is not None:
            self.tracker.instance_claim(instance, flavor=other,
                                        key=move_claims.key(instance.uuid))

    def drop_move(self, ctxt, instance_uuid):
        """A move to or from this host will not happen: free what was claimed for it."""
        if self.tracker.drop(move_claims.key(instance_uuid)):
            self.report_soon(ctxt)

    def drop_at(self, ctxt, host, instance_uuid):
        """The other end of a move gives up its claim, here or on its host."""
        if host == self.host:
            self.drop_move(ctxt, instance_uuid)
        elif host:
            self.compute_rpcapi.drop_move_claim(ctxt, host, instance_uuid)

    def send_report(self, ctxt):
        """Tell the schedulers what this node has now (fanout)."""
        if self.tracker.totals:
            values = self.tracker.node_values()
            values['updated_at'] = utils.isotime(values['updated_at'])
            self.scheduler_rpcapi.update_host_state(ctxt, values)

    def report_soon(self, ctxt, released=False):
        """Coalesce a burst of usage changes into one DB write and one report, after
        compute_report_delay, or compute_release_report_delay when the changes only
        gave resources back (``released``: the deletes of a burst share a report; a
        scheduler that learns of them later only places more carefully). A change
        that needs the sooner report brings a pending later one forward."""
        delay = CONF.compute_release_report_delay if released else CONF.compute_report_delay
        due = time.monotonic() + delay
        if self._report_due is not None and self._report_due <= due:
            return
        self._report_due = due
        eventlet.spawn_after(delay, self._flush, ctxt, due)

    def _flush(self, ctxt, due):
        if self._report_due != due:
            return  # brought forward: an earlier flush has reported or will
        self._report_due = None
        try:
            self.tracker.persist(ctxt)
            self.send_report(ctxt)
        except Exception:
            LOG.exception(_LE('Could not report resources'))
