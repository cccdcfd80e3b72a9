"""TLS to NATS: with a CA file every process verifies the server, and a client that does not speak TLS is out."""

from __future__ import annotations

import datetime as dt
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from easel_common.nats_access import Credentials, server_config
from easel_common.natsio import Identity, close, connect, tls_context
from easel_common.settings import CommonSettings
from easel_proto import Names
from easel_stack.natsd import NatsServer


def _certificate(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=1)).not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pki(folder):
    """A CA and a server certificate for localhost, as PEM files."""
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "easel test CA")])
    ca = _certificate("easel test CA", ca_key, ca_name, ca_key, ca=True)
    server = _certificate("localhost", server_key, ca_name, ca_key, ca=False)
    paths = {name: folder / f"{name}.pem" for name in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    return paths


@pytest.fixture
async def tls_nats(tmp_path):
    pki, names, credentials = _pki(tmp_path), Names("tlstest"), Credentials(tmp_path / "credentials")
    server = NatsServer(tmp_path / "nats", configure=lambda port, monitor, folder: server_config(
        names, credentials, ["default"], port=port, monitor_port=monitor, store_dir=folder,
        tls={"cert_file": str(pki["cert"]), "key_file": str(pki["key"])}))
    await server.start()
    yield server, pki, credentials
    await server.stop()


async def test_a_service_with_the_ca_connects_over_tls(tls_nats):
    server, pki, credentials = tls_nats
    settings = CommonSettings(nats_url=f"tls://localhost:{server.port}", nats_tls_ca_file=pki["ca"],
                              nats_seed_file=credentials.ensure("registry"))
    nc = await connect(settings.nats_url, "tls-test", settings.nats_identity("registry"))
    try:
        assert nc.is_connected
        await nc.flush()
    finally:
        await close(nc)


async def test_a_client_that_does_not_trust_the_server_or_skips_tls_is_refused(tls_nats):
    server, _pki, credentials = tls_nats
    seed = credentials.ensure("registry")
    stranger = ssl.create_default_context()  # the system's CAs: not the one that signed this server
    for url, context in ((f"tls://localhost:{server.port}", stranger), (f"nats://localhost:{server.port}", None)):
        with pytest.raises(Exception):  # noqa: B017 - a handshake or a TLS-required refusal, by platform
            await connect_once(url, Identity("registry", seed, context))


async def connect_once(url: str, identity: Identity):
    import nats

    options = {"nkeys_seed": str(identity.seed_file), "allow_reconnect": False, "connect_timeout": 2}
    if identity.tls is not None:
        options["tls"] = identity.tls
    nc = await nats.connect(url, **options)
    await nc.close()


def test_the_tls_context_verifies_the_server_name():
    context = tls_context(None)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
