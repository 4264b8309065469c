"""Hardware-like WebAuthn registrations with attestation, for the Swift attestation tests.

Input (stdin JSON):
  {"rp_id", "origin", "seed": text, "registrations": [{"challenge": hex, "fmt": "packed"|"fido-u2f"|"none"}, ...]}
Output (stdout JSON):
  {"roots": {"trusted": DER hex, "other": DER hex},
   "registrations": [{"credential_id", "attestation_object", "client_data", "private_key" (raw P-256 scalar),
                      "aaguid", "fido2": true|false|null, "py_webauthn": true|false|null}, ...]}
A test CA made with `cryptography`: a root, an intermediate and per registration an attestation
certificate (packed: leaf and intermediate in x5c; fido-u2f: one certificate the root signed),
and a second root that signed nothing; the CA's keys come from "seed", so calls with one seed
attest under the same roots. Each statement is also checked with python-fido2's own
verifiers (statement and chain to the trusted root) and with py_webauthn's registration
verification against the trusted root: `true` when they accept it, `null` for "none".
Byte strings travel as hex.
"""
import datetime
import hashlib
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fido2.attestation import FidoU2FAttestation, PackedAttestation, verify_x509_chain
from fido2.cose import ES256
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData
import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.structs import AttestationFormat

# "YubiKey 5 Series" as the authenticator claims it.
PACKED_AAGUID = bytes.fromhex("cb69481e8ff7403993ec0a2729a154a8")
AAGUID_OID = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")
NOW = datetime.datetime.now(datetime.timezone.utc)


def name(cn, ou=None):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CH"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Custos Test Vendor")]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def certificate(subject, key, issuer, issuer_key, ca, extensions=()):
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(NOW - datetime.timedelta(days=1))
               .not_valid_after(NOW + datetime.timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    for ext in extensions:
        builder = builder.add_extension(ext, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def seeded_key(seed, label):
    scalar = int.from_bytes(hashlib.sha256((seed + "/" + label).encode()).digest(), "big")
    return ec.derive_private_key(scalar % (2 ** 255) + 1, ec.SECP256R1())


def main():
    req = json.load(sys.stdin)
    seed = req["seed"]
    root_key = seeded_key(seed, "root")
    root = certificate(name("Custos Test Root"), root_key, name("Custos Test Root"), root_key, True)
    other_key = seeded_key(seed, "other")
    other = certificate(name("Another Vendor Root"), other_key, name("Another Vendor Root"), other_key, True)
    mid_key = seeded_key(seed, "intermediate")
    mid = certificate(name("Custos Test Intermediate"), mid_key, root.subject, root_key, True)
    rp_hash = hashlib.sha256(req["rp_id"].encode()).digest()
    F = AuthenticatorData.FLAG
    out = {"roots": {"trusted": der(root).hex(), "other": der(other).hex()}, "registrations": []}
    for i, r in enumerate(req["registrations"]):
        fmt = r["fmt"]
        key = ec.generate_private_key(ec.SECP256R1())
        cose = ES256.from_cryptography_key(key.public_key())
        cred_id = hashlib.sha256(b"attested-credential-%d" % i + rp_hash + bytes.fromhex(r["challenge"])).digest()
        aaguid = PACKED_AAGUID if fmt == "packed" else bytes(16)
        auth = AuthenticatorData.create(rp_hash, F.UP | F.UV | F.AT, 0, AttestedCredentialData.create(aaguid, cred_id, cose))
        cdata = CollectedClientData.create("webauthn.create", bytes.fromhex(r["challenge"]), req["origin"])
        cdh = hashlib.sha256(bytes(cdata)).digest()
        att_key = ec.generate_private_key(ec.SECP256R1())
        if fmt == "packed":
            leaf = certificate(name("Custos Test Key %d" % i, "Authenticator Attestation"), att_key, mid.subject, mid_key, False,
                               [x509.UnrecognizedExtension(AAGUID_OID, b"\x04\x10" + aaguid)])
            stmt = {"alg": -7, "sig": att_key.sign(bytes(auth) + cdh, ec.ECDSA(hashes.SHA256())), "x5c": [der(leaf), der(mid)]}
        elif fmt == "fido-u2f":
            leaf = certificate(name("Custos Test U2F Key %d" % i), att_key, root.subject, root_key, False)
            point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            data = b"\x00" + rp_hash + cdh + cred_id + point
            stmt = {"sig": att_key.sign(data, ec.ECDSA(hashes.SHA256())), "x5c": [der(leaf)]}
        else:
            stmt = {}
        obj = AttestationObject.create(fmt, auth, stmt)
        item = {"credential_id": cred_id.hex(), "attestation_object": bytes(obj).hex(), "client_data": bytes(cdata).hex(),
                "private_key": key.private_numbers().private_value.to_bytes(32, "big").hex(), "aaguid": aaguid.hex(),
                "fido2": None, "py_webauthn": None}
        if fmt != "none":
            verifier = PackedAttestation() if fmt == "packed" else FidoU2FAttestation()
            try:
                result = verifier.verify(stmt, auth, cdh)
                verify_x509_chain(result.trust_path + [der(root)])
                item["fido2"] = True
            except Exception:
                item["fido2"] = False
            credential = {"id": bytes_to_base64url(cred_id), "rawId": bytes_to_base64url(cred_id), "type": "public-key",
                          "response": {"clientDataJSON": bytes_to_base64url(bytes(cdata)),
                                       "attestationObject": bytes_to_base64url(bytes(obj))}}
            pem = root.public_bytes(serialization.Encoding.PEM)
            fmt_key = AttestationFormat.PACKED if fmt == "packed" else AttestationFormat.FIDO_U2F
            try:
                webauthn.verify_registration_response(
                    credential=credential, expected_challenge=bytes.fromhex(r["challenge"]), expected_rp_id=req["rp_id"],
                    expected_origin=req["origin"], require_user_verification=True, pem_root_certs_bytes_by_fmt={fmt_key: [pem]})
                item["py_webauthn"] = True
            except Exception as e:
                item["py_webauthn"] = False
                item["py_webauthn_error"] = str(e)
        out["registrations"].append(item)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
