"""The compute, image and identity APIs over plain HTTP with a Keystone token, for tests
that send many requests (threads welcome) and must see every status, 5xx included."""
import json
import urllib.error
import urllib.request


class Api:
    """One user's session: ``call(method, url, body)`` -> (status, JSON body or text)."""

    def __init__(self, identity_url, user, password, project, timeout=120):
        self.identity_url, self.timeout = identity_url.rstrip('/'), timeout
        self.user, self.password, self.project = user, password, project
        self.token = None
        self.login()

    def login(self):
        body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'name': self.user, 'domain': {'id': 'default'}, 'password': self.password}}},
            'scope': {'project': {'name': self.project, 'domain': {'id': 'default'}}}}}
        request = urllib.request.Request(self.identity_url + '/auth/tokens', method='POST',
                                         data=json.dumps(body).encode(),
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            self.token = response.headers['X-Subject-Token']
            self.project_id = json.load(response)['token']['project']['id']

    def call(self, method, url, body=None, headers=None, data=None):
        headers = dict(headers or {}, **{'X-Auth-Token': self.token})
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault('Content-Type', 'application/json')
        request = urllib.request.Request(url, method=method, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _decode(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _decode(error.read())
        except OSError as error:  # the server went away mid-request
            return None, str(error)


def _decode(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode('utf-8', 'replace')
