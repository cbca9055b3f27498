"""/types: volume types (the default one is __DEFAULT__), their extra specs (admins)."""
from nova import exception
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.volume import schemas
from nova.api.openstack.volume import views
from nova.api.openstack.volume.volumes import authorize
from nova.i18n import _


class TypesController(wsgi.Controller):
    def __init__(self, volume_api):
        self.volume_api = volume_api

    def index(self, req):
        authorize(req, 'volume_extension:type_get_all')
        return {'volume_types': [views.volume_type(req, t)
                                 for t in self.volume_api.get_types(req.context)]}

    def show(self, req, id):
        authorize(req, 'volume_extension:type_get')
        if id == 'default':
            volume_type = self.volume_api.default_type(req.context)
        else:
            volume_type = self.volume_api.get_type(req.context, id)
        return {'volume_type': views.volume_type(req, volume_type)}

    @validation.schema(schemas.create_type)
    def create(self, req, body):
        authorize(req, 'volume_extension:types_manage')
        values = body['volume_type']
        volume_type = self.volume_api.create_type(
            req.context, values['name'], description=values.get('description'),
            is_public=common.is_true(values.get('os-volume-type-access:is_public', True)),
            extra_specs=values.get('extra_specs'))
        return {'volume_type': views.volume_type(req, volume_type)}

    @validation.schema(schemas.update_type)
    def update(self, req, id, body):
        authorize(req, 'volume_extension:types_manage')
        volume_type = self.volume_api.get_type(req.context, id)
        values = dict(body['volume_type'])
        if 'is_public' in values:
            values['is_public'] = common.is_true(values['is_public'])
        if not values:
            raise exception.InvalidInput(reason=_('Specify volume type name, description, '
                                                'is_public or a combination thereof.'))
        return {'volume_type': views.volume_type(req, self.volume_api.update_type(
            req.context, volume_type, **values))}

    @wsgi.response(202)
    def delete(self, req, id):
        authorize(req, 'volume_extension:types_manage')
        self.volume_api.delete_type(req.context, self.volume_api.get_type(req.context, id))


class ExtraSpecsController(wsgi.Controller):
    """/types/{type_id}/extra_specs[/{key}], for admins."""

    def __init__(self, volume_api):
        self.volume_api = volume_api

    def _type(self, req, type_id):
        authorize(req, 'volume_extension:types_extra_specs')
        return self.volume_api.get_type(req.context, type_id)

    def index(self, req, type_id):
        return {'extra_specs': dict(self._type(req, type_id).extra_specs or {})}

    @validation.schema(schemas.extra_specs)
    def create(self, req, type_id, body):
        volume_type = self._type(req, type_id)
        specs = dict(volume_type.extra_specs or {}, **body['extra_specs'])
        self.volume_api.update_type(req.context, volume_type, extra_specs=specs)
        return {'extra_specs': body['extra_specs']}

    def show(self, req, type_id, id):
        specs = self._type(req, type_id).extra_specs or {}
        if id not in specs:
            raise exception.NotFound(message=_('Volume Type %s has no extra specs with key %s.')
                                     % (type_id, id))
        return {id: specs[id]}

    def update(self, req, type_id, id, body):
        volume_type = self._type(req, type_id)
        if not isinstance(body, dict) or list(body) != [id] or not isinstance(body[id], str):
            raise exception.InvalidInput(reason=_('Request body and URI mismatch'))
        specs = dict(volume_type.extra_specs or {}, **body)
        self.volume_api.update_type(req.context, volume_type, extra_specs=specs)
        return body

    @wsgi.response(202)
    def delete(self, req, type_id, id):
        volume_type = self._type(req, type_id)
        specs = dict(volume_type.extra_specs or {})
        if specs.pop(id, None) is None:
            raise exception.NotFound(message=_('Volume Type %s has no extra specs with key %s.')
                                     % (type_id, id))
        self.volume_api.update_type(req.context, volume_type, extra_specs=specs)
