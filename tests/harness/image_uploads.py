"""Test helpers for the image service's abandoned-upload sweep."""
from nova.image import service as image_service


def cut_staleness_between(monkeypatch, svc, context, older_id, newer_id):
    """Make the sweep's cutoff fall between two uploads' last beats.

    Fixed sleeps against a short staleness window fail on a loaded machine; a
    cutoff placed between the two recorded beats does not depend on timing.
    """
    older = svc.show(context, older_id)['updated_at']
    newer = svc.show(context, newer_id)['updated_at']
    assert older < newer
    between = older + (newer - older) / 2
    monkeypatch.setattr(image_service, 'stale_after',
                        lambda: (image_service.utils.utcnow() - between).total_seconds())
