"""Field encryption, lookup HMACs, masking and the 查询码 for applicants' data.

* Encryption: AES-256-GCM with a random 96-bit nonce per value. The key is derived
  from ``settings.FIELD_ENCRYPTION_KEY`` with HKDF-SHA256 (``info`` names the purpose,
  so the encryption key, the lookup-HMAC key and the 查询码 key are independent).
  The field name is bound as associated data, so a ciphertext copied into another
  column does not decrypt. Stored form: ``v1:`` + urlsafe base64(nonce ‖ ciphertext).
  The version prefix leaves room for key rotation or SM4-GCM (密评) later.
* HMAC-SHA256 over the normalised value gives a stable column for duplicate lookup
  without storing the value.
* Masks are what lists, exports, e-mails and logs show (security.md §4).
* 查询码: 16 symbols of Crockford base32 (80 bits), shown in groups of four; only
  its HMAC is stored; comparison is constant-time. See docs/requests.md for why
  80 bits with a tracking number and throttling, rather than a 128-bit token.

Keys live in the environment (``FIELD_ENCRYPTION_KEY`` / ``FIELD_ENCRYPTION_KEY_FILE``),
never in the database or its backups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v1"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """The stored value cannot be decrypted with the configured key."""


@lru_cache(maxsize=16)
def _derive(master: str, purpose: bytes) -> bytes:
    if not master:
        raise RuntimeError("FIELD_ENCRYPTION_KEY is not configured")
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"xxgk-portal/requests_app",
        info=purpose,
    ).derive(master.encode("utf-8"))


def _key(purpose: bytes) -> bytes:
    return _derive(settings.FIELD_ENCRYPTION_KEY, purpose)


# --- encryption -------------------------------------------------------------------------


def encrypt(value: str, *, field: str) -> str:
    """Encrypt ``value`` for column ``field``; "" stays "" (nothing to protect)."""
    if not value:
        return ""
    return VERSION + ":" + encrypt_bytes(value.encode("utf-8"), field=field)


def decrypt(token: str, *, field: str) -> str:
    if not token:
        return ""
    version, _, body = token.partition(":")
    if version != VERSION:
        raise DecryptionError(f"unknown ciphertext version {version!r}")
    return decrypt_bytes(body, field=field).decode("utf-8")


def encrypt_bytes(data: bytes, *, field: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key(b"field-encryption-v1")).encrypt(
        nonce, data, field.encode("ascii")
    )
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_bytes(body: str | bytes, *, field: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(body)
        return AESGCM(_key(b"field-encryption-v1")).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], field.encode("ascii")
        )
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError(
            "cannot decrypt (wrong key, wrong field or damaged value)"
        ) from exc


FILE_MAGIC = b"XXGKENC1"


def encrypt_file(data: bytes) -> bytes:
    """File bodies (ID proofs) at rest: magic ‖ nonce ‖ AES-GCM ciphertext."""
    nonce = os.urandom(_NONCE_BYTES)
    return (
        FILE_MAGIC
        + nonce
        + AESGCM(_key(b"file-encryption-v1")).encrypt(nonce, data, FILE_MAGIC)
    )


def decrypt_file(blob: bytes) -> bytes:
    if not blob.startswith(FILE_MAGIC):
        raise DecryptionError("not an encrypted file")
    body = blob[len(FILE_MAGIC) :]
    try:
        return AESGCM(_key(b"file-encryption-v1")).decrypt(
            body[:_NONCE_BYTES], body[_NONCE_BYTES:], FILE_MAGIC
        )
    except InvalidTag as exc:
        raise DecryptionError("cannot decrypt file") from exc


# --- lookup HMAC ---------------------------------------------------------------------------


def normalise_id(value: str) -> str:
    """NFKC, no spaces, upper-case: the form an ID number is hashed and stored in."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


def lookup_hmac(value: str, *, field: str) -> str:
    """Stable HMAC-SHA256 (hex) of a normalised value, for equality lookups."""
    if not value:
        return ""
    msg = field.encode("ascii") + b"\x00" + normalise_id(value).encode("utf-8")
    return hmac.new(_key(b"lookup-hmac-v1"), msg, hashlib.sha256).hexdigest()


# --- masking -----------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """``110105194912310021`` → ``110105********0021``: first 6 and last 4 kept."""
    s = normalise_id(value)
    if not s:
        return ""
    if len(s) <= 6:
        return "*" * len(s)
    if len(s) <= 10:
        return s[:2] + "*" * (len(s) - 4) + s[-2:]
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_phone(value: str) -> str:
    """``13812341234`` → ``138****1234``; landlines keep the area code and last 4."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))
    if not s:
        return ""
    digits = re.sub(r"\D", "", s)
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(s) <= 4:
        return "*" * len(s)
    head, _, tail = s.partition("-")
    if tail and len(tail) > 4:
        return f"{head}-" + "*" * (len(tail) - 4) + tail[-4:]
    return "*" * (len(s) - 4) + s[-4:]


def mask_address(value: str, keep: int = 6) -> str:
    """Keep the first ``keep`` characters (province/city), hide the rest."""
    s = (value or "").strip()
    if not s:
        return ""
    if len(s) <= keep:
        return s[: max(1, len(s) // 2)] + "****"
    return s[:keep] + "****"


# --- 查询码 ---------------------------------------------------------------------------------

# Crockford base32: no I, L, O, U. Input is forgiving: lower case, I/L → 1, O → 0,
# spaces and hyphens ignored, so an elderly applicant reading it out cannot get it wrong.
QUERY_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
QUERY_CODE_LENGTH = 16  # 16 × 5 bits = 80 bits of entropy
QUERY_CODE_BITS = QUERY_CODE_LENGTH * 5
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_query_code() -> str:
    """A fresh random 查询码 (unformatted, 16 characters)."""
    return "".join(
        secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH)
    )


def format_query_code(code: str) -> str:
    """``ABCD EFGH JKMN PQRS``: groups of four for reading aloud and copying."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_query_code(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw or "").upper().translate(_CONFUSABLE)
    return re.sub(r"[\s\-_]", "", s)


def query_code_hash(code: str) -> str:
    """HMAC-SHA256 (hex) of the normalised code: the only form stored."""
    return hmac.new(
        _key(b"query-code-v1"),
        normalise_query_code(code).encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()


def query_code_matches(raw: str, stored_hash: str) -> bool:
    """Constant-time comparison of an entered code with the stored HMAC."""
    candidate = query_code_hash(raw)
    return hmac.compare_digest(candidate, stored_hash or "0" * 64) and bool(stored_hash)
