"""Image links with the local store: a job's images for whoever holds the link, until it expires; the link names
one image only, and a forged or altered one fetches nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt

from easel_gateway.links import ALGORITHM, AUDIENCE
from easel_proto.naming import image_key
from easel_proto.wire import now
from helpers import new_user, submit, until_status


async def test_a_link_fetches_its_image_without_a_key_until_it_expires(api, admin_headers, stack):
    owner = await new_user(api, admin_headers)
    job = await submit(api, owner["headers"], batch_size=2)
    await until_status(api, job["id"], owner["headers"], "succeeded")
    plain = (await api.get(f"/v1/jobs/{job['id']}", headers=owner["headers"])).json()
    assert all(image["link"] is None for image in plain["images"])  # only when asked for

    record = (await api.get(f"/v1/jobs/{job['id']}", params={"links": "true"}, headers=owner["headers"])).json()
    link = record["images"][1]["link"]
    assert link.startswith("/v1/links/") and record["images"][1]["link_expires_at"]
    listed = (await api.get("/v1/jobs", params={"links": "true"}, headers=owner["headers"])).json()["items"]
    assert listed[0]["images"][0]["link"].startswith("/v1/links/")
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as anyone:  # no credential at all
        fetched = await anyone.get(link)
        assert fetched.status_code == 200 and fetched.content.startswith(b"\x89PNG")
        own = await api.get(f"/v1/jobs/{job['id']}/images/1", headers=owner["headers"])
        assert fetched.content == own.content

        token = link.rsplit("/", 1)[1]
        header, payload, signature = token.split(".")
        altered = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
        assert (await anyone.get(f"/v1/links/{altered}")).status_code == 404
        assert (await anyone.get("/v1/links/not-a-link")).status_code == 404
        # signed with another secret, or pointing elsewhere under a made-up key: nothing
        claims = {"k": image_key(owner["tenant_id"], owner["id"], job["id"], 0), "aud": AUDIENCE,
                  "exp": now() + timedelta(hours=1)}
        forged = jwt.encode(claims, "another-gateways-secret-of-32-bytes!", algorithm=ALGORITHM)
        assert (await anyone.get(f"/v1/links/{forged}")).status_code == 404
        # the gateway's own signature, but past its time
        links = stack._server.config.app.state.links
        expired = jwt.encode({"k": image_key(owner["tenant_id"], owner["id"], job["id"], 0), "aud": AUDIENCE,
                              "exp": now() - timedelta(seconds=5)}, links._key, algorithm=ALGORITHM)
        r = await anyone.get(f"/v1/links/{expired}")
        assert r.status_code == 410 and r.json()["code"] == "gone", r.text
