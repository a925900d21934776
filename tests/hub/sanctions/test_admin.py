"""Admin screens: read-only register with history, and the list upload form."""

import pytest
from django.contrib.auth import get_user_model

from hub.models.sanctions import SanctionedEntity, SanctionsList

SDN = (
    b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    b'306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."\r\n\x1a'
)


@pytest.fixture
def superuser_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_upload_form_imports_a_list_and_the_entity_page_shows_its_history(superuser_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = superuser_client.get("/admin/hub/sanctionslist/import/")
    assert page.status_code == 200
    response = superuser_client.post(
        "/admin/hub/sanctionslist/import/",
        {
            "format": "ofac",
            "authority": "US-OFAC",
            "country": "US",
            "list_name": "OFAC-SDN",
            "effective": "2024-05-03",
            "sdn": SimpleUploadedFile("sdn.csv", SDN),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert b"added=2 modified=0 removed=0 unchanged=0" in response.content
    assert SanctionsList.objects.get(name="OFAC-SDN").authority.kind == "sanctions_authority"
    entry = SanctionedEntity.objects.get(entity_id="ofac-306")
    detail = superuser_client.get(f"/admin/hub/sanctionedentity/{entry.pk}/change/")
    assert detail.status_code == 200
    assert b"BNC" in detail.content
    assert b"ADD" in detail.content
    assert superuser_client.get("/admin/hub/sanctionedentity/?q=banco").status_code == 200
    assert superuser_client.get("/admin/hub/sanctionsupdate/").status_code == 200


@pytest.mark.django_db
def test_staff_without_superuser_cannot_import(client, db):
    user = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(user)
    response = client.get("/admin/hub/sanctionslist/import/")
    assert response.status_code == 403
    assert not SanctionsList.objects.exists()
