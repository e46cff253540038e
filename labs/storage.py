"""Where uploaded evidence lives: ``settings.STORAGES["private"]``, a FileSystemStorage rooted at
``PRIVATE_MEDIA_ROOT``, outside the static and media paths. Nothing there has a public URL; files
are read back only by views that check the role (``labs.views.pregnancy_test_photo``)."""

from django.core.files.storage import storages


def private_storage():
    # A callable (not the storage itself) so migrations reference it by name.
    return storages["private"]
