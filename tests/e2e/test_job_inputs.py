"""GET /v1/jobs/{id}/inputs/{field}: a job's own stored input images (init image, mask, a ControlNet unit's image and
mask), as History needs them to send a job back; seen by whoever sees the job, by no one else (404)."""

from __future__ import annotations

import base64
import io
import uuid

import numpy as np
import pytest
from PIL import Image
from safetensors.numpy import save

from helpers import ensure_tenant, upload_model

pytestmark = pytest.mark.slow


def _png(width: int, height: int, color) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


async def _user(api, admin_headers, tenant: str, roles: list[str]) -> dict:
    r = await api.post("/v1/users", json={"username": f"in{uuid.uuid4().hex[:8]}", "tenant_id": tenant,
                                          "roles": roles}, headers=admin_headers)
    assert r.status_code == 201, r.text
    key = (await api.post(f"/v1/users/{r.json()['id']}/keys", json={"name": "t"}, headers=admin_headers)).json()
    return {**r.json(), "headers": {"Authorization": f"Bearer {key['secret']}"}}


@pytest.fixture(scope="module")
async def world(api, admin_headers) -> dict:
    """A tenant of its own with a ControlNet; alice's canceled inpaint job with a ControlNet unit and its mask."""
    tenant = f"inputs-{uuid.uuid4().hex[:6]}"
    await ensure_tenant(api, admin_headers, tenant)
    await ensure_tenant(api, admin_headers, "other")
    admin = await _user(api, admin_headers, tenant, ["admin"])
    weights = save({"w": np.zeros((1, 4), dtype=np.float32)})
    controlnet = await upload_model(api, admin["headers"], f"edges-{uuid.uuid4().hex[:6]}", "controlnet", weights)
    alice = await _user(api, admin_headers, tenant, ["user"])
    body = {"prompt": "a fox", "steps": 1, "width": 64, "height": 64,
            "init_images": [_png(64, 64, (200, 40, 40))], "mask": _png(64, 64, (255, 255, 255)),
            "controlnets": [{"model": controlnet["name"], "image": _png(48, 40, (30, 90, 200)),
                             "mask": _png(48, 40, (0, 0, 0))}]}
    r = await api.post("/v1/jobs", json=body, headers=alice["headers"])
    assert r.status_code == 201, r.text
    job = r.json()
    # only its stored inputs matter here, run or not
    await api.delete(f"/v1/jobs/{job['id']}", headers=alice["headers"])
    return {"job": job, "alice": alice, "admin": admin,
            "bob": await _user(api, admin_headers, tenant, ["user"]),
            "outsider": await _user(api, admin_headers, "other", ["admin"])}


def _image(response) -> Image.Image:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(response.content)).convert("RGB")


async def test_the_owner_reads_each_stored_input_back(api, world):
    url, headers = f"/v1/jobs/{world['job']['id']}/inputs", world["alice"]["headers"]
    init = _image(await api.get(f"{url}/init_images.0", headers=headers))
    assert init.size == (64, 64) and init.getpixel((5, 5)) == (200, 40, 40)
    assert _image(await api.get(f"{url}/mask", headers=headers)).getpixel((5, 5)) == (255, 255, 255)
    unit = _image(await api.get(f"{url}/controlnets.0.image", headers=headers))
    assert unit.size == (48, 40) and unit.getpixel((5, 5)) == (30, 90, 200)
    assert _image(await api.get(f"{url}/controlnets.0.mask", headers=headers)).getpixel((5, 5)) == (0, 0, 0)

    for missing in ("init_images.1", "controlnets.1.image"):
        r = await api.get(f"{url}/{missing}", headers=headers)
        assert r.status_code == 404 and missing in r.json()["message"], r.text
    r = await api.get(f"{url}/prompt", headers=headers)
    assert r.status_code == 422 and r.json()["details"]["field"] == "field", r.text


async def test_another_user_and_another_tenants_admin_get_404_the_tenant_admin_200(api, world):
    url = f"/v1/jobs/{world['job']['id']}/inputs/controlnets.0.image"
    for who in ("bob", "outsider"):
        r = await api.get(url, headers=world[who]["headers"])
        assert r.status_code == 404, (who, r.text)
        assert "inputs/" not in r.text  # no hint of where the owner's inputs live
    assert (await api.get(url, headers=world["admin"]["headers"])).status_code == 200
