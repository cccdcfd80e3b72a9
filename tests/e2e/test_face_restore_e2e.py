"""Face restoration through the embedded stack: the web UI's extras with gfpgan_visibility on imported GFPGAN and
face detector models, the face-restorers list, and the 422 for a caller who may use no such model."""

from __future__ import annotations

import base64
import io
import uuid

import httpx
import numpy as np
import pytest
from face_models import detector_file, gfpgan_file, red_face_image
from PIL import Image

from helpers import new_user, wait_for


async def _upload(api: httpx.AsyncClient, headers: dict, name: str, kind: str, content: bytes) -> dict:
    upload = (await api.post("/v1/models/uploads", headers=headers)).json()
    assert (await api.put(upload["url"], content=content, headers=headers)).status_code == 204
    r = await api.post("/v1/models", json={"name": name, "kind": kind, "base": "sd15", "visibility": "public",
                                           "source": {"type": "upload", "uri": upload["upload_id"]}}, headers=headers)
    assert r.status_code == 201, r.text

    async def ready():
        model = (await api.get(f"/v1/models/{r.json()['id']}", headers=headers)).json()
        assert model["status"] != "failed", model
        return model if model["status"] == "ready" else None

    return await wait_for(ready, timeout=120)


def _b64(image: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


@pytest.mark.slow
async def test_extras_gfpgan_restores_the_face_for_its_tenant_only(api, admin_headers, tmp_path):
    owner = await new_user(api, admin_headers, tenant_id=f"faces-{uuid.uuid4().hex[:6]}", roles=["admin"])
    stranger = await new_user(api, admin_headers, tenant_id=f"faces-{uuid.uuid4().hex[:6]}", roles=["admin"])
    auth = httpx.BasicAuth(owner["username"], owner["key"])
    image = red_face_image()
    body = {"image": _b64(image), "upscaler_1": "None", "upscaling_resize": 1, "gfpgan_visibility": 0.5}

    r = await api.post("/sdapi/v1/extra-single-image", auth=auth, json=body)
    assert r.status_code == 422, r.text[:300]
    assert r.json()["detail"].startswith("gfpgan_visibility: no face restorer model 'GFPGAN'")

    await _upload(api, owner["headers"], "GFPGAN", "face_restorer",
                  gfpgan_file(tmp_path / "gfpgan.safetensors").read_bytes())
    r = await api.post("/sdapi/v1/extra-single-image", auth=auth, json=body)
    assert r.status_code == 422 and r.json()["detail"].startswith("gfpgan_visibility: no face detector model 'YuNet'")
    await _upload(api, owner["headers"], "YuNet", "face_detector",
                  detector_file(tmp_path / "yunet.safetensors").read_bytes())

    listed = (await api.get("/sdapi/v1/face-restorers", auth=auth)).json()
    assert listed == [{"name": "GFPGAN", "cmd_dir": None}]
    assert (await api.get("/sdapi/v1/face-restorers", headers=stranger["headers"])).json() == []

    r = await api.post("/sdapi/v1/extra-single-image", auth=auth, json=body, timeout=300)
    assert r.status_code == 200, r.text[:300]
    assert "GFPGAN visibility: 0.5" in r.json()["html_info"]
    assert "GFPGAN visibility: 0.5" in Image.open(io.BytesIO(base64.b64decode(r.json()["image"]))).info["parameters"]
    out = np.asarray(Image.open(io.BytesIO(base64.b64decode(r.json()["image"]))).convert("RGB"), dtype=np.int16)
    changed = np.abs(out - image.astype(np.int16)).max(axis=2) > 0
    assert changed[110:210, 110:210].mean() > 0.9  # the face (128 px around (160, 160))
    outside = np.ones_like(changed)
    outside[80:240, 80:240] = False
    assert not changed[outside].any()

    # another tenant's caller cannot use the models
    r = await api.post("/sdapi/v1/extra-single-image", headers=stranger["headers"], json=body)
    assert r.status_code == 422 and "no face restorer model 'GFPGAN'" in r.json()["detail"]
