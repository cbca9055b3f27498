"""GET /v2/images/{id}/tasks: uploads are synchronous, so no image has a task."""


def test_tasks_of_a_visible_image_is_an_empty_list(api):
    image = api.create()
    response = api('GET', '/v2/images/%s/tasks' % image['id'])
    assert response.status_int == 200 and response.json == {'tasks': []}


def test_tasks_of_an_unknown_image_is_404(api):
    response = api('GET', '/v2/images/00000000-0000-0000-0000-000000000000/tasks')
    assert response.status_int == 404


def test_tasks_of_another_projects_private_image_is_404(api):
    image = api.create(visibility='private')
    assert api('GET', '/v2/images/%s/tasks' % image['id'], user='dave').status_int == 404
