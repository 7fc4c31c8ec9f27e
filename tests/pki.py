"""A throw-away certificate authority and signer keys, made at test time (no key is ever
checked into the repository)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = "correct horse battery staple"


@dataclass
class Pki:
    folder: Path
    ca_pem: bytes
    ca_key: ec.EllipticCurvePrivateKey

    def issue(self, name: str, *, days: tuple[int, int] = (-1, 365),
              passphrase: str = PASSPHRASE, file: str | None = None) -> Path:
        """A .p12 holding a new key and a certificate for ``name`` signed by the CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(tz=dt.UTC)
        ca = x509.load_pem_x509_certificate(self.ca_pem)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                                         x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                                            "Acme Analytics")]))
                .issuer_name(ca.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now + dt.timedelta(days=days[0]))
                .not_valid_after(now + dt.timedelta(days=days[1]))
                .add_extension(x509.KeyUsage(
                    digital_signature=True, content_commitment=True, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=False,
                    crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .sign(self.ca_key, hashes.SHA256()))
        data = pkcs12.serialize_key_and_certificates(
            name.encode(), key, cert, [ca],
            serialization.BestAvailableEncryption(passphrase.encode()))
        path = self.folder / (file or name.lower().replace(" ", "-") + ".p12")
        path.write_bytes(data)
        return path


def make_pki(folder: Path) -> Pki:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Throw-away Test CA")])
    now = dt.datetime.now(tz=dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=2))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    return Pki(folder=folder, ca_pem=cert.public_bytes(serialization.Encoding.PEM),
               ca_key=key)
