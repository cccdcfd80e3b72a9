"""The web UI's models, settings and admin pages in a real browser against the embedded stack: a model imported by
upload with its progress, seen by no other user; an admin gives a user a quota that the user then hits on the
Generate page; a plain user sees no admin page and the API refuses them; the platform admin's pools page.
A screenshot per page goes to tests/browser/artifacts/ (fixtures: conftest.py)."""

from __future__ import annotations

import json
import struct
import uuid

from browser_helpers import ARTIFACTS, PASSWORD, designer, open_signed_in

ADMIN_PAGES = ["Users", "Roles", "Audit log", "Usage", "Tenant models", "GPU pools"]


def safetensors(floats: int) -> bytes:
    """A valid safetensors file of one float32 tensor (`floats` long): big enough for upload progress to show."""
    header = json.dumps({"w": {"dtype": "F32", "shape": [floats], "data_offsets": [0, 4 * floats]}}).encode()
    return struct.pack("<Q", len(header)) + header + bytes(4 * floats)


async def fetch_status(page, path: str) -> int:
    """The status the API answers this browser's session (its cookies) for GET `path`."""
    return await page.evaluate("async (p) => (await fetch(p, {credentials: 'same-origin'})).status", path)


async def test_a_model_imported_by_upload_shows_progress_and_no_other_user_sees_it(browser, stack, api,
                                                                                 admin_headers):
    role = f"modeler-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", json={"name": role, "permissions": ["models:read", "models:write"]},
                       headers=admin_headers)
    assert r.status_code == 201, r.text
    owner = await designer(api, admin_headers, roles=["user", role])
    other = await designer(api, admin_headers, roles=["user", role])
    name = f"my-lora-{uuid.uuid4().hex[:6]}"
    content = safetensors(1 << 18)  # 1 MiB
    context, page = await open_signed_in(browser, stack, owner)
    try:
        await page.get_by_role("link", name="Models").click()
        await page.get_by_label("Source").select_option("upload")
        await page.get_by_label("Name", exact=True).fill(name)
        await page.get_by_label("Kind", exact=True).first.select_option("lora")
        await page.get_by_label("File", exact=True).set_input_files(
            {"name": "my-lora.safetensors", "mimeType": "application/octet-stream", "buffer": content})
        await page.get_by_role("button", name="Import").click()
        await page.get_by_test_id("upload-percent").filter(has_text="100%").wait_for()
        bar = page.locator("#upload-bar")
        assert await bar.get_attribute("max") == str(len(content))
        assert await bar.get_attribute("value") == str(len(content))
        row = page.get_by_test_id("model-row").filter(has_text=name)
        await row.get_by_test_id("model-status").filter(has_text="ready").wait_for()
        assert "lora" in await row.text_content() and "1.0 MB" in await row.text_content()
        await page.screenshot(path=ARTIFACTS / "models.png")
        model = next(m for m in (await api.get("/v1/models", headers=owner["headers"])).json()["items"]
                     if m["name"] == name)
        assert model["size"] == len(content) and model["visibility"] == "private"
    finally:
        await context.close()

    context, page = await open_signed_in(browser, stack, other)
    try:
        await page.get_by_role("link", name="Models").click()
        await page.get_by_test_id("model-row").first.wait_for()  # the built-ins are listed
        assert name not in await page.content()
        assert await fetch_status(page, f"/v1/models/{model['id']}") == 404
        # and the built-ins carry no Delete button: only one's own models do
        assert await page.get_by_role("button", name="Delete").count() == 0
    finally:
        await context.close()

    # the tenant's admin sees it, with its owner, on Tenant models and shares it with everyone: now `other` may
    admin = await designer(api, admin_headers, roles=["admin"])
    context, page = await open_signed_in(browser, stack, admin)
    try:
        await page.get_by_role("link", name="Tenant models").click()
        row = page.get_by_test_id("tenant-model-row").filter(has_text=name)
        await row.wait_for()
        assert owner["username"] in await row.text_content() and "private" in await row.text_content()
        await row.get_by_role("button", name=f"Share {name}").click()
        await page.get_by_label("Visible to").select_option("public")
        await page.get_by_role("button", name="Save").click()
        await row.filter(has_text="public").wait_for()
        await page.screenshot(path=ARTIFACTS / "admin-models.png")
    finally:
        await context.close()
    assert model["id"] in {m["id"] for m in (await api.get("/v1/models", headers=other["headers"])).json()["items"]}
    # the tenant is shared with other tests' users, who must not find a public LoRA of this one's in their lists
    assert (await api.delete(f"/v1/models/{model['id']}", headers=owner["headers"])).status_code in (200, 204)


async def test_an_admin_gives_a_quota_in_the_users_page_and_the_user_meets_it_on_generate(browser, stack, api,
                                                                                         admin_headers):
    admin = await designer(api, admin_headers, roles=["admin"])
    username = f"quota{uuid.uuid4().hex[:6]}"
    context, page = await open_signed_in(browser, stack, admin)
    try:
        await page.get_by_role("link", name="Users").click()
        await page.get_by_label("Username", exact=True).fill(username)
        await page.get_by_label("Initial password").fill(PASSWORD)
        await page.get_by_role("button", name="Create user").click()
        row = page.get_by_test_id("user-row").filter(has_text=username)
        await row.get_by_role("button", name=f"Edit {username}").click()
        edit = page.get_by_test_id("edit-user")
        await edit.get_by_label("Images per day (UTC)").fill("1")
        await edit.get_by_role("button", name="Save roles and quotas").click()
        await row.filter(has_text="images_per_day: 1").wait_for()
        await page.screenshot(path=ARTIFACTS / "admin-users.png")
        # a bad value's error shows beside its field
        await edit.get_by_label("Requests per second").fill("0")
        await edit.get_by_role("button", name="Save roles and quotas").click()
        rate_error = edit.locator(".field.invalid", has=page.get_by_label("Requests per second")).get_by_role("alert")
        await rate_error.wait_for()
        await edit.get_by_role("button", name="Issue a key").click()  # a key for them, its secret shown once
        secret = await edit.locator(".secret code").text_content()
        assert (await api.get("/v1/me", headers={"Authorization": f"Bearer {secret}"})).json()["username"] == username

        for title, shot in (("Roles", "admin-roles.png"), ("Audit log", "admin-audit.png")):
            await page.get_by_role("link", name=title).click()
            await page.locator("table.list tbody tr").first.wait_for()
            await page.screenshot(path=ARTIFACTS / shot)
        # the audit log has the admin's quota change, found by its filter
        await page.get_by_label("Action").fill("user.update")
        await page.get_by_role("button", name="Filter").click()
        await page.get_by_test_id("audit-row").filter(has_text=admin["username"]).first.wait_for()
        assert await page.get_by_role("link", name="GPU pools").count() == 0  # a tenant's admin: no pools
    finally:
        await context.close()

    user = next(u for u in (await api.get("/v1/users", headers=admin["headers"])).json() if u["username"] == username)
    assert user["quotas"]["images_per_day"] == 1
    context, page = await open_signed_in(browser, stack, {"username": username})
    try:
        for field, value in (("Steps", "1"), ("Width", "64"), ("Height", "64")):
            await page.get_by_label(field).fill(value)
        await page.get_by_label("Prompt", exact=True).fill("one is all")
        await page.get_by_role("button", name="Generate").click()
        await page.get_by_test_id("job").first.wait_for()
        await page.get_by_role("button", name="Generate").click()  # the second image of the day
        refusal = page.locator(".form-error")
        await refusal.wait_for()
        text = await refusal.text_content()
        assert "images_per_day" in text and "Try again in" in text, text
        await page.screenshot(path=ARTIFACTS / "generate-quota.png")
    finally:
        await context.close()

    # the admin's usage page counts the user's job and the refusal
    context, page = await open_signed_in(browser, stack, admin)
    try:
        await page.get_by_role("link", name="Usage").click()
        row = page.get_by_role("region", name="Per user").get_by_test_id("usage-row").filter(has_text=username)
        await row.wait_for()
        cells = await row.locator("td").all_text_contents()
        assert cells[1] == "1" and cells[-1] == "1", cells  # one job, one quota rejection
        assert await page.get_by_test_id("usage-chart").locator("rect").count() in (7, 8)  # a column a day
        await page.screenshot(path=ARTIFACTS / "admin-usage.png")
    finally:
        await context.close()


async def test_a_plain_user_sees_no_admin_page_and_the_api_refuses_them(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user)
    try:
        nav = page.get_by_role("navigation", name="Pages")
        for title in ADMIN_PAGES:
            assert await nav.get_by_role("link", name=title).count() == 0, title
        await page.goto("/#/admin/users")  # typed in: the app shows its home page instead
        await page.get_by_role("button", name="Generate").wait_for()
        assert await page.get_by_role("button", name="Create user").count() == 0
        for path in ("/v1/users", "/v1/roles", "/v1/audit", "/v1/pools", "/v1/usage", "/v1/models?all_users=true"):
            assert await fetch_status(page, path) == 403, path

        # their own settings: a key is shown once, then only its prefix
        await nav.get_by_role("link", name="Settings").click()
        await page.get_by_label("Key name").fill("laptop")
        await page.get_by_role("button", name="Create key").click()
        secret = await page.get_by_test_id("key-secret").text_content()
        assert secret and secret.startswith((await api.get("/v1/me/keys", headers={
            "Authorization": f"Bearer {secret}"})).json()[-1]["prefix"])
        await page.screenshot(path=ARTIFACTS / "settings.png")
        await page.get_by_role("button", name="Done").click()
        assert secret not in await page.content()
    finally:
        await context.close()


async def test_the_platform_admin_sees_each_pool_with_its_status(browser, stack, api, admin_headers):
    platform = await designer(api, admin_headers, roles=["platform-admin"])
    name = f"ui-{uuid.uuid4().hex[:6]}"
    context, page = await open_signed_in(browser, stack, platform)
    try:
        await page.get_by_role("link", name="GPU pools").click()
        row = page.get_by_test_id("pool-row").filter(has_text="default")
        await row.get_by_test_id("pool-status").wait_for()
        assert "jobs/min" in await row.text_content()
        await page.screenshot(path=ARTIFACTS / "admin-pools.png")

        # create a pool (no workers: max 0), then grant a role its use by editing it
        await page.get_by_label("Pool name").fill(name)
        await page.get_by_label("GPU type").fill("NVIDIA-A10G")
        await page.get_by_label("Max workers").fill("0")
        await page.get_by_role("button", name="Create pool").click()
        await page.get_by_role("button", name=f"Edit pool {name}").click()
        await page.get_by_label("Roles that may use it (comma-separated)").fill("user")
        await page.get_by_role("button", name="Save pool").click()
        await page.get_by_test_id("pool-row").filter(has_text=name).filter(has_text="user").wait_for()
        made = (await api.get(f"/v1/pools/{name}", headers=platform["headers"])).json()
        assert made["gpu_type"] == "NVIDIA-A10G" and made["max_workers"] == 0 and made["roles"] == ["user"], made
    finally:
        await context.close()
        await api.delete(f"/v1/pools/{name}", headers=platform["headers"])  # 404 when never made


async def test_the_platform_admin_shares_a_model_of_another_tenant(browser, stack, api, admin_headers):
    tenant_id = f"ui-{uuid.uuid4().hex[:6]}"
    boss = await designer(api, admin_headers, roles=["admin"], tenant_id=tenant_id)  # the tenant is made first
    role = f"artists-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", json={"name": role, "permissions": ["models:read"]}, headers=boss["headers"])
    assert r.status_code == 201, r.text
    upload = (await api.post("/v1/models/uploads", headers=boss["headers"])).json()
    assert (await api.put(upload["url"], content=safetensors(16), headers=boss["headers"])).status_code == 204
    name = f"their-lora-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/models", json={"name": name, "kind": "lora", "base": "sd15",
                                           "source": {"type": "upload", "uri": upload["upload_id"]}},
                       headers=boss["headers"])
    assert r.status_code == 201, r.text
    model_id = r.json()["id"]
    platform = await designer(api, admin_headers, roles=["platform-admin"])
    context, page = await open_signed_in(browser, stack, platform)
    try:
        await page.get_by_role("link", name="Tenant models").click()
        await page.get_by_label("Tenant", exact=True).select_option(tenant_id)
        row = page.get_by_test_id("tenant-model-row").filter(has_text=name)
        await row.wait_for()
        assert boss["username"] in await row.text_content() and "private" in await row.text_content()
        await row.get_by_role("button", name=f"Share {name}").click()
        await page.get_by_label("Visible to").select_option("roles")
        # the roles offered are the model's tenant's
        await page.locator(f'#my-roles option[value="{role}"]').wait_for(state="attached")
        await page.get_by_label("Roles (comma-separated)").fill(role)
        await page.get_by_role("button", name="Save").click()
        await row.filter(has_text=role).wait_for()
        await page.screenshot(path=ARTIFACTS / "admin-models-other-tenant.png")
    finally:
        await context.close()
    model = (await api.get(f"/v1/models/{model_id}", headers=boss["headers"])).json()
    assert model["visibility"] == "roles" and model["shared_roles"] == [role], model
