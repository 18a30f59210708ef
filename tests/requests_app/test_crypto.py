"""Field encryption, lookup HMAC, masks and the 查询码 (security.md §3–§4)."""

from __future__ import annotations

import math

import pytest

from requests_app import crypto
from requests_app.crypto import DecryptionError


def test_encryption_round_trip_and_randomised():
    a = crypto.encrypt("11010519491231002X", field="id_number")
    b = crypto.encrypt("11010519491231002X", field="id_number")
    assert a != b
    assert a.startswith("v1:")
    assert "11010519491231002X" not in a
    assert crypto.decrypt(a, field="id_number") == "11010519491231002X"
    assert crypto.encrypt("", field="phone") == ""
    assert crypto.decrypt("", field="phone") == ""


def test_ciphertext_is_bound_to_its_column():
    token = crypto.encrypt("13812341234", field="phone")
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, field="address")


def test_wrong_key_or_tampering_fails(settings):
    token = crypto.encrypt("湖南省株洲市", field="address")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionError):
        crypto.decrypt(tampered, field="address")
    settings.FIELD_ENCRYPTION_KEY = "another-key-" + "y" * 40
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, field="address")


def test_file_encryption_round_trip():
    blob = crypto.encrypt_file(b"%PDF-1.4 id")
    assert blob.startswith(crypto.FILE_MAGIC)
    assert b"%PDF-1.4 id" not in blob  # the plaintext is not stored
    # magic, 12-byte nonce, ciphertext as long as the plaintext, 16-byte GCM tag
    assert len(blob) == len(crypto.FILE_MAGIC) + 12 + len(b"%PDF-1.4 id") + 16
    assert crypto.encrypt_file(b"%PDF-1.4 id") != blob  # a fresh nonce each time
    assert crypto.decrypt_file(blob) == b"%PDF-1.4 id"
    with pytest.raises(DecryptionError):
        crypto.decrypt_file(b"%PDF-1.4 plain")


def test_lookup_hmac_is_stable_and_normalised():
    assert crypto.lookup_hmac(
        "11010519491231002x", field="applicant_id"
    ) == crypto.lookup_hmac(
        "１１０１０５１９４９１２３１００２Ｘ", field="applicant_id"
    )
    assert crypto.lookup_hmac("11010519491231002X", field="a") != crypto.lookup_hmac(
        "11010519491231002X", field="b"
    )


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("110105194912310021", "110105********0021"),
        ("E12345678", "E1*****78"),
        ("", ""),
    ],
)
def test_mask_id_number(value, masked):
    assert crypto.mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("0731-28112345", "0731-****2345"),
        ("", ""),
    ],
)
def test_mask_phone(value, masked):
    assert crypto.mask_phone(value) == masked


def test_mask_address_keeps_only_the_region():
    assert crypto.mask_address("湖南省株洲市天元区天台路1号3栋") == "湖南省株洲市****"
    assert crypto.mask_address("北京") == "北****"


def test_query_code_shape_entropy_and_forgiving_input():
    codes = {crypto.new_query_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(
        len(c) == 16 and set(c) <= set(crypto.QUERY_CODE_ALPHABET) for c in codes
    )
    assert (
        crypto.QUERY_CODE_BITS == 16 * math.log2(len(crypto.QUERY_CODE_ALPHABET)) == 80
    )
    code = "0123456789ABCDEF"
    stored = crypto.query_code_hash(code)
    assert crypto.format_query_code(code) == "0123 4567 89AB CDEF"
    assert crypto.query_code_matches("o1z3 4567-89ab cdef".replace("z", "2"), stored)
    assert crypto.query_code_matches("OI23 4567 89AB CDEF", stored)  # O→0, I→1
    assert not crypto.query_code_matches("0123456789ABCDEG", stored)
    assert not crypto.query_code_matches(code, "")
