"""The block-storage API (Cinder v3 compatible subset) on port 8776.

``/`` and ``/v3`` (no auth) are version documents; ``/v3/{project_id}/...``
(the project id may be left out, as since 3.67) goes through the pipeline
``--auth_strategy`` picks and the ``volume`` microversion filter, and ends in
the router over nova/api/openstack/volume/routes.py. Errors are the same
JSON faults as the compute API's, as Cinder's are.
"""


def app_factory(global_conf, **local_conf):
    from nova.api.openstack import router
    from nova.api.openstack.volume import routes
    return router.APIRouter(routes.route_table())
