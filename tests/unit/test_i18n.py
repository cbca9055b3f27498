"""Translations: the shipped catalog is complete and safe, faults and nova-manage speak
the caller's language, and nothing about a fault but its message changes."""
import ast
import io
import json
import os
import pathlib
import re

import pytest
import webob
from babel.messages import pofile

from nova import exception
from nova import i18n
from nova.api.ec2 import faults as ec2_faults
from nova.api.openstack import faults
from nova.i18n import _
from nova.manage import Category, command, dispatch

LOCALE = os.path.join(os.path.dirname(i18n.__file__), 'locale')
PLACEHOLDER = re.compile(r'%(?:\([a-z_]+\))?[sdr]')


def _catalog(path):
    with open(path, 'rb') as f:
        return pofile.read_po(f)


def _languages():
    return sorted(name for name in os.listdir(LOCALE)
                  if os.path.isdir(os.path.join(LOCALE, name)))


def test_german_is_complete_and_keeps_every_placeholder():
    """Every message of the template has a reviewed (not fuzzy) translation with the
    same placeholders, so that formatting it can never fail or drop a value."""
    template = {m.id for m in _catalog(os.path.join(LOCALE, 'nova.pot')) if m.id}
    assert len(template) > 200
    german = {m.id: m for m in _catalog(os.path.join(LOCALE, 'de', 'LC_MESSAGES', 'nova.po'))
              if m.id}
    assert sorted(template - set(german)) == []
    catalog = _catalog(os.path.join(LOCALE, 'de', 'LC_MESSAGES', 'nova.po'))
    assert [(m.id, errors) for m, errors in catalog.check() if errors] == []  # babel's checks
    for msgid in template:
        message = german[msgid]
        assert message.string and 'fuzzy' not in message.flags, msgid
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
            PLACEHOLDER.findall(msgid)), msgid
        if '%(' not in msgid:  # positional ones are filled in order: keep the order
            assert PLACEHOLDER.findall(message.string) == PLACEHOLDER.findall(msgid), msgid


@pytest.mark.parametrize('language', _languages())
def test_every_catalog_is_compiled_by_the_build(language):
    assert os.path.exists(os.path.join(LOCALE, language, 'LC_MESSAGES', 'nova.mo')), (
        'run make venv: the build compiles nova.po')
    assert i18n.available_languages()[language.lower()] == language


@pytest.mark.parametrize('header, expected', [
    ('de', 'de'), ('de-DE', 'de'), ('de-at;q=0.8, fr', 'de'), ('fr, de;q=0.5', 'de'),
    ('en, de', None), ('en-US;q=0.5, de', 'de'), ('de;q=0', None), ('*', None),
    ('', None), ('fr', None), (';;,q=x,,de;q=oops', None), ('xx-;q=1', None),
])
def test_accept_language_picks_the_best_catalog(header, expected):
    request = webob.Request.blank('/', headers={'Accept-Language': header})
    assert i18n.request_language(request) == expected


@pytest.mark.parametrize('environ, expected', [
    ({'LANG': 'de_DE.UTF-8'}, 'de'), ({'LANGUAGE': 'fr:de', 'LANG': 'C'}, 'de'),
    ({'LC_ALL': 'C.UTF-8', 'LANG': 'de_DE.UTF-8'}, None), ({'LANG': 'en_GB'}, None),
    ({}, None), ({'LC_MESSAGES': 'de_CH'}, 'de'),
])
def test_user_language_is_read_as_gettext_reads_it(environ, expected):
    assert i18n.user_language(environ) == expected


def _fault(error, accept_language=None):
    headers = {'Accept-Language': accept_language} if accept_language else {}
    response = faults.exception_response(error, webob.Request.blank('/', headers=headers))
    return response.status_int, response.json


def test_openstack_fault_in_the_requested_language():
    error = exception.InstanceNotFound(instance_id='i-1')
    assert _fault(error, 'de-DE, en;q=0.5') == (404, {'itemNotFound': {
        'code': 404, 'message': 'Instanz i-1 konnte nicht gefunden werden.'}})
    assert _fault(error) == (404, {'itemNotFound': {
        'code': 404, 'message': 'Instance i-1 could not be found.'}})
    assert str(error) == 'Instance i-1 could not be found.'  # logs and RPC stay English


def test_unexpected_errors_are_translated_without_details():
    status, body = _fault(RuntimeError('secret detail'), 'de')
    assert status == 500
    assert body['computeFault']['message'].startswith('Unerwarteter API-Fehler.')
    assert 'secret detail' not in body['computeFault']['message']


def test_router_404_is_translated():
    from nova.api.openstack import router
    app = router.APIRouter([('/servers', {'GET': lambda req, kwargs, body: None})])
    response = webob.Request.blank('/nothing', headers={'Accept-Language': 'de'}).get_response(
        app)
    assert response.status_int == 404
    assert response.json['itemNotFound']['message'] == (
        'Die Ressource konnte nicht gefunden werden.')


def test_ec2_error_in_the_requested_language_keeps_its_code():
    error = ec2_faults.to_ec2_error(exception.ImageNotFound(image_id='ami-1'))
    body = ec2_faults.error_response(error, 'req-1', 'de').text
    assert '<Code>InvalidAMIID.NotFound</Code>' in body
    assert '<Message>Abbild ami-1 konnte nicht gefunden werden.</Message>' in body
    assert 'Image ami-1 could not be found.' in ec2_faults.error_response(error, 'r').text


class _Refusing(Category):
    name = 'refuse'

    @command('Always refused')
    def now(self):
        raise exception.ProjectNotFound(project_id='demo')


def test_nova_manage_errors_in_the_users_locale(monkeypatch):
    monkeypatch.setenv('LANGUAGE', 'de')
    err = io.StringIO()
    assert dispatch([_Refusing], ['refuse', 'now'], out=io.StringIO(), err=err) == 1
    assert err.getvalue() == 'nova-manage: Projekt nicht gefunden: demo.\n'
    monkeypatch.setenv('LANGUAGE', 'en')
    err = io.StringIO()
    dispatch([_Refusing], ['refuse', 'now'], out=io.StringIO(), err=err)
    assert err.getvalue() == 'nova-manage: Could not find project: demo.\n'


def test_an_error_from_another_host_is_translated_too():
    """RPC carries the class and arguments: the caller rebuilds the lazy message."""
    from nova.rpc import errors
    failure = errors.serialize_failure(exception.InstanceNotFound(instance_id='i-2'), 'h1')
    rebuilt = errors.deserialize_failure(failure)
    assert isinstance(rebuilt, exception.InstanceNotFound)
    assert i18n.translate(rebuilt.format_message(), 'de') == (
        'Instanz i-2 konnte nicht gefunden werden.')
    custom = errors.deserialize_failure(errors.serialize_failure(
        exception.InstanceNotFound(message='gone for good', instance_id='i-2'), 'h1'))
    assert custom.format_message() == 'gone for good'


def test_nova_manage_usage_errors_and_output_in_the_users_locale(monkeypatch, capsys):
    from nova.manage import say
    monkeypatch.setenv('LANGUAGE', 'de')
    err = io.StringIO()
    assert dispatch([_Refusing], ['refuse', 'nosuch'], out=io.StringIO(), err=err) == 2
    assert err.getvalue().startswith("nova-manage: unbekannter Befehl 'nosuch'; zur Auswahl: now\n")
    say(_('User %s modified.') % 'alice')
    assert capsys.readouterr().out == 'Benutzer alice geändert.\n'


def test_ec2_parameter_errors_translate_their_reason():
    error = ec2_faults.invalid_value('MaxCount', '0', _('It must be at least MinCount.'))
    body = ec2_faults.error_response(error, 'req-1', 'de').text
    assert '<Code>InvalidParameterValue</Code>' in body
    assert ('<Message>Der Wert (0) für den Parameter MaxCount ist ungültig. '
            'Er muss mindestens MinCount betragen.</Message>') in body


def test_a_reason_built_in_place_is_translated_inside_its_template():
    error = exception.InvalidInput(reason=_('min_count must be >= 1'))
    assert _fault(error, 'de') == (400, {'badRequest': {
        'code': 400, 'message': 'Ungültige Eingabe empfangen: min_count muss >= 1 sein'}})


def test_identity_errors_in_the_requested_language_keep_code_and_title():
    from nova.api.identity import faults as identity_faults
    request = webob.Request.blank('/v3/users', headers={'Accept-Language': 'de'})
    response = identity_faults.from_exception(request, exception.NotAuthenticated())
    assert response.status_int == 401 and response.json == {'error': {
        'code': 401, 'title': 'Unauthorized',
        'message': 'Ihre Anfrage erfordert eine Authentifizierung.'}}


def test_image_api_errors_in_the_requested_language():
    """Glance's shape (webob renders the explanation by Accept), the message in German."""
    from nova.image.api import wsgi as image_wsgi
    request = webob.Request.blank('/v2/images/x', headers={
        'Accept-Language': 'de', 'Accept': 'application/json'})
    response = request.get_response(image_wsgi.from_exception(
        request, exception.ImageNotFound(image_id='x')))
    assert response.status_int == 404
    assert 'Abbild x konnte nicht gefunden werden.' in response.json['message']


def test_webobs_default_texts_are_translated_in_faults():
    """An HTTP error raised without a message of its own says WebOb's English default;
    the compute API's fault says it in the request's language."""
    assert _fault(webob.exc.HTTPMethodNotAllowed(), 'de') == (405, {'badMethod': {
        'code': 405, 'message': 'Der Server konnte der Anfrage nicht nachkommen, da sie '
                                'fehlerhaft oder anderweitig falsch ist.'}})
    assert _fault(webob.exc.HTTPConflict(), 'de')[1]['conflictingRequest']['message'] == (
        'Beim Ausführen Ihrer Anfrage ist ein Konflikt aufgetreten.')
    assert _fault(webob.exc.HTTPConflict())[1]['conflictingRequest']['message'] == (
        'There was a conflict when trying to complete your request.')


def test_webob_texts_cover_every_default_of_the_webob_in_use():
    from nova.api import webob_texts
    for code in webob_texts.CODES:
        cls = webob.exc.status_map[code]
        for text in (cls.explanation, cls.title):
            assert webob_texts.marked(text) is not text, (code, text)  # marked
            assert webob_texts.marked(text) == text  # and the same English


def test_schema_validation_errors_translate_nova_wording_and_keep_the_detail():
    from nova.api.openstack import validation
    schema = {'type': 'object', 'properties': {
        'name': {'type': 'string', 'format': 'name'}, 'count': {'type': 'integer'}}}
    with pytest.raises(validation.ValidationError) as raised:
        validation.validate(schema, {'count': 'x'})
    assert _fault(raised.value, 'de') == (400, {'badRequest': {'code': 400, 'message': (
        "Ungültige Eingabe für das Feld/Attribut count. Wert: x. "
        "'x' is not of type 'integer'")}})  # the field path and jsonschema's detail kept
    assert _fault(raised.value)[1]['badRequest']['message'] == (
        "Invalid input for field/attribute count. Value: x. 'x' is not of type 'integer'")
    with pytest.raises(validation.ValidationError) as raised:
        validation.validate(schema, {'name': ' padded'})
    assert _fault(raised.value, 'de')[1]['badRequest']['message'].startswith(
        "Es wurde ein ungültiger Wert für 'name' angegeben.")
    with pytest.raises(validation.ValidationError) as raised:
        validation.validate(schema, {'count': ['1', 'x']}, is_body=False)
    assert _fault(raised.value, 'de')[1]['badRequest']['message'].startswith(
        'Ungültige Eingabe für die Abfrageparameter count. Wert: ')


def test_image_api_request_checks_in_the_requested_language():
    from nova.image.api import wsgi as image_wsgi
    request = webob.Request.blank('/v2/images', method='POST', body=b'[]', headers={
        'Accept-Language': 'de', 'Accept': 'application/json',
        'Content-Type': 'application/json'})
    with pytest.raises(webob.exc.HTTPBadRequest) as raised:
        image_wsgi.read_json(request)
    response = request.get_response(image_wsgi.from_exception(request, raised.value))
    assert response.status_int == 400
    assert response.json['message'].startswith('Der Anfragetext muss ein Objekt sein.')
    assert response.json['title'] == 'Bad Request'  # what glanceclient branches on stays


def test_network_api_errors_in_the_requested_language_keep_their_type():
    from nova.api.openstack.network import faults as network_faults
    request = webob.Request.blank('/v2.0/ports/p1', headers={'Accept-Language': 'de'})
    response = network_faults.error_response(network_faults.not_found('Port', 'p1'), request)
    assert response.status_int == 404 and response.json == {'NeutronError': {
        'type': 'PortNotFound', 'message': 'Port p1 konnte nicht gefunden werden.',
        'detail': ''}}
    quota = exception.OverQuota(overs=['ports'])
    assert network_faults.error_response(quota, request).json['NeutronError'] == {
        'type': 'OverQuota', 'detail': '',
        'message': "Kontingent für Ressourcen überschritten: ['port']."}
    english = network_faults.error_response(network_faults.not_found('Port', 'p1'))
    assert english.json['NeutronError']['message'] == 'Port p1 could not be found.'


def test_s3_errors_in_the_requested_language_keep_code_and_fields():
    from nova.objectstore.errors import S3Error
    request = webob.Request.blank('/b', headers={'Accept-Language': 'de'})
    error = S3Error('NoSuchBucket', BucketName='b')
    body = error.response('/b', 'req-1', request).text
    assert '<Code>NoSuchBucket</Code>' in body and '<BucketName>b</BucketName>' in body
    assert '<Message>Der angegebene Bucket existiert nicht</Message>' in body
    # S3's own English without Accept-Language (what boto3 and the AWS CLI send)
    assert '<Message>The specified bucket does not exist</Message>' in error.response(
        '/b', 'req-1', webob.Request.blank('/b')).text


def _shadowing(tree):
    """Lines where a function of a module that imports nova.i18n's _ assigns a local
    _ (an unpacked throwaway): every _('...') in that function then fails."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp,
              ast.DictComp, ast.GeneratorExp, ast.ClassDef)
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, scopes):
                visit(child, isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))
                continue
            if in_function and isinstance(child, ast.Name) and child.id == '_' and \
                    isinstance(child.ctx, ast.Store):
                found.append(child.lineno)
            visit(child, in_function)
    visit(tree, False)
    return found


def test_no_function_hides_the_translation_function():
    root = pathlib.Path(i18n.__file__).parent
    offenders = []
    for path in sorted(root.rglob('*.py')):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.ImportFrom) and node.module == 'nova.i18n'
               and any(alias.name == '_' for alias in node.names) for node in tree.body):
            offenders += ['%s:%d' % (path.relative_to(root.parent), line)
                          for line in _shadowing(tree)]
    assert offenders == [], 'name the throwaway _sep or _value, not _ (doc/i18n.md)'


def test_cloudwatch_errors_in_the_requested_language_keep_code_and_shape():
    from nova.api.cloudwatch import protocols
    error = protocols.missing('MetricName')
    body = protocols.error_response(protocols.QUERY, error, 'req-1', 'de').text
    assert '<Code>MissingParameter</Code>' in body
    assert '<Message>Der Parameter MetricName ist erforderlich.</Message>' in body
    answer = protocols.error_response(protocols.JSON, error, 'req-1', 'de')
    assert json.loads(answer.body) == {
        '__type': 'com.amazonaws.cloudwatch#MissingRequiredParameterException',
        'message': 'Der Parameter MetricName ist erforderlich.'}
    assert 'The parameter MetricName is required.' in protocols.error_response(
        protocols.QUERY, error, 'req-1').text
