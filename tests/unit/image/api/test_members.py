"""Sharing: members of a shared image, as its owner and its members see them."""
import pytest


@pytest.fixture
def shared(api):
    return api.create(visibility='shared')


def _members(api, image, user='alice'):
    return api('GET', '/v2/images/%s/members' % image['id'], user=user)


def test_share_accept_and_unshare(api, shared):
    dave = api.project_id('dave')
    path = '/v2/images/%s/members' % shared['id']
    assert api('GET', '/v2/images?member_status=pending', user='dave').json['images'] == []
    response = api('POST', path, {'member': dave})
    assert response.status_int == 200
    member = response.json
    assert (member['member_id'], member['image_id'], member['status']) == (
        dave, shared['id'], 'pending')
    assert member['schema'] == '/v2/schemas/member' and member['created_at'].endswith('Z')
    assert api('POST', path, {'member': dave}).status_int == 409

    # pending: the member sees the image, but not in its default list
    assert api('GET', '/v2/images/%s' % shared['id'], user='dave').status_int == 200
    assert api('GET', '/v2/images', user='dave').json['images'] == []
    listed = api('GET', '/v2/images?member_status=pending', user='dave').json['images']
    assert [image['id'] for image in listed] == [shared['id']]

    response = api('PUT', path + '/' + dave, {'status': 'accepted'}, user='dave')
    assert response.status_int == 200 and response.json['status'] == 'accepted'
    assert [i['id'] for i in api('GET', '/v2/images', user='dave').json['images']] == [
        shared['id']]
    assert api('GET', path + '/' + dave, user='dave').json['status'] == 'accepted'

    body = _members(api, shared).json
    assert body['schema'] == '/v2/schemas/members'
    assert [m['member_id'] for m in body['members']] == [dave]
    assert [m['member_id'] for m in _members(api, shared, 'dave').json['members']] == [dave]

    assert api('DELETE', path + '/' + dave).status_int == 204
    assert api('GET', '/v2/images/%s' % shared['id'], user='dave').status_int == 404
    assert api('GET', path + '/' + dave).status_int == 404


def test_only_the_member_accepts_and_only_the_owner_shares(api, shared):
    dave = api.project_id('dave')
    path = '/v2/images/%s/members' % shared['id']
    api('POST', path, {'member': dave})
    assert api('PUT', path + '/' + dave, {'status': 'accepted'}).status_int == 403
    assert api('POST', path, {'member': 'another'}, user='dave').status_int == 403
    assert api('DELETE', path + '/' + dave, user='dave').status_int == 403


@pytest.mark.parametrize('visibility', ['private', 'public', 'community'])
def test_only_shared_images_have_members(api, visibility):
    image = api.create(user='root', visibility=visibility)
    path = '/v2/images/%s/members' % image['id']
    assert api('GET', path, user='root').status_int == 403
    assert api('POST', path, {'member': 'x'}, user='root').status_int == 403


@pytest.mark.parametrize('body', [{}, {'member': ''}, {'member': 5}])
def test_bad_member_bodies(api, shared, body):
    assert api('POST', '/v2/images/%s/members' % shared['id'], body).status_int == 400


@pytest.mark.parametrize('body', [{}, {'status': 'maybe'}])
def test_bad_member_status(api, shared, body):
    dave = api.project_id('dave')
    path = '/v2/images/%s/members' % shared['id']
    api('POST', path, {'member': dave})
    assert api('PUT', path + '/' + dave, body, user='dave').status_int == 400


def test_members_of_an_invisible_image_are_404(api, shared):
    assert _members(api, shared, 'dave').status_int == 404
