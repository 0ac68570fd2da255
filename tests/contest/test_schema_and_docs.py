"""The OpenAPI schema of the whole project generates without warnings; the docs page works
offline (bundled Swagger UI) under the strict content security policy."""

import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_openapi_schema_validates_without_warnings(tmp_path):
    # Raises SchemaGenerationError on any warning or error, for every app's endpoints.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    for path in ("/api/v1/scenarios/{id}/approve-withdrawal/", "/api/v1/auth/token/", "/api/v1/rounds/{id}/"):
        assert path in schema


def test_schema_endpoint_serves_json(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Jiebang API"


def test_docs_page_uses_only_same_origin_scripts(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.strip() == "'self'"
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, html
    for attrs, body in scripts:
        assert 'src="/' in attrs, f"external or inline script: {attrs!r}"
        assert body.strip() == ""
    assert "cdn" not in html.lower()
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), url


def test_docs_assets_and_init_script_are_served_locally(client):
    html = client.get("/api/docs/").content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, url
        response.close()  # static files are streamed from open files
    init = client.get("/api/docs/?script=")
    assert init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in init.content
