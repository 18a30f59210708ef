"""portal.validators against shared security.md §5 and §9 rows 14–15. Pure: no database."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from portal.validators import (
    USCC_ALPHABET,
    id_check_char,
    normalise_doc_number,
    org_code_check_char,
    org_code_problem,
    resident_id_problem,
    uscc_check_char,
    uscc_problem,
    validate_org_code,
    validate_resident_id,
    validate_site_code,
    validate_uscc,
)

TODAY = date(2026, 11, 25)
VALID_IDS = ["11010519491231002X", "440524188001010014"]
VALID_USCC = ["91110000600037341L", "Y1110000MA0000001Y", "91110000600037342P"]


# --- 居民身份证号码 (GB 11643-1999) ----------------------------------------------------


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_resident_ids(number):
    assert resident_id_problem(number, TODAY) is None
    assert validate_resident_id(number, TODAY) == number


def test_lowercase_x_full_width_digits_and_spaces_are_normalised():
    assert validate_resident_id("11010519491231002x", TODAY) == "11010519491231002X"
    assert (
        validate_resident_id("１１０１０５１９４９１２３１００２Ｘ", TODAY)
        == "11010519491231002X"
    )
    assert validate_resident_id(" 110105 19491231 002X ", TODAY) == "11010519491231002X"


def test_wrong_check_character_is_rejected():
    assert (
        resident_id_problem("110105194912310021", TODAY)
        == "身份证号码校验位不正确，请核对是否有输错的数字"
    )
    with pytest.raises(ValidationError) as info:
        validate_resident_id("110105194912310021", TODAY)
    assert info.value.code == "invalid_id"


@pytest.mark.parametrize("number", VALID_IDS)
def test_every_single_character_mutation_fails(number):
    for position in range(18):
        alphabet = "0123456789X" if position == 17 else "0123456789"
        for replacement in alphabet:
            if replacement == number[position]:
                continue
            mutated = number[:position] + replacement + number[position + 1 :]
            assert resident_id_problem(mutated, TODAY) is not None, mutated


def test_impossible_birth_date_with_right_checksum_is_rejected():
    number = "110105199902300015"  # 1999-02-30
    assert id_check_char(number[:17]) == number[17]
    assert resident_id_problem(number, TODAY) == "身份证号码中的出生日期不是有效日期"


def _with_check(body17: str) -> str:
    return body17 + id_check_char(body17)


def test_future_birth_date_is_rejected_and_today_is_accepted():
    assert (
        resident_id_problem(_with_check("11010520261126001"), TODAY)
        == "身份证号码中的出生日期不正确"
    )
    assert (
        resident_id_problem(_with_check("11010520261125001"), TODAY) is None
    )  # born today: guardians apply
    assert (
        resident_id_problem(_with_check("11010518791231001"), TODAY)
        == "身份证号码中的出生日期不正确"
    )


def test_first_generation_15_digit_numbers_are_rejected():
    assert "15 位的第一代身份证号码已于 2013 年停止使用" in resident_id_problem(
        "110105491231002", TODAY
    )


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "11010519491231002",
        "1101051949123100201",
        "11010519491231002Y",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
    ],
)
def test_malformed_ids_are_rejected(raw):
    assert (
        resident_id_problem(raw, TODAY)
        == "身份证号码应为 18 位：17 位数字加 1 位数字或 X"
    )


def test_foreign_permanent_resident_card_uses_the_same_check():
    assert resident_id_problem(_with_check("93010519800101001"), TODAY) is None


def test_random_bodies_accept_only_their_own_check_character():
    rng = random.Random(11643)
    for _ in range(300):
        born = date(1900, 1, 1).toordinal() + rng.randrange(
            (TODAY - date(1900, 1, 1)).days
        )
        body = f"{rng.randrange(110000, 660000)}{date.fromordinal(born):%Y%m%d}{rng.randrange(1000):03d}"
        check = id_check_char(body)
        assert resident_id_problem(body + check, TODAY) is None
        for other in "0123456789X".replace(check, ""):
            assert resident_id_problem(body + other, TODAY) is not None


# --- 统一社会信用代码 (GB 32100-2015) ------------------------------------------------------


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_uscc(code):
    assert uscc_problem(code) is None
    assert validate_uscc(code) == code


def test_uscc_wrong_check_character():
    assert uscc_check_char("91110000600037342") == "P"
    assert uscc_problem("91110000600037342L") == "统一社会信用代码校验位不正确，请核对"


@pytest.mark.parametrize("code", VALID_USCC)
def test_uscc_every_single_substitution_fails(code):
    for position in range(18):
        alphabet = "0123456789" if 2 <= position <= 7 else USCC_ALPHABET
        for replacement in alphabet:
            if replacement == code[position]:
                continue
            mutated = code[:position] + replacement + code[position + 1 :]
            assert uscc_problem(mutated) is not None, mutated


@pytest.mark.parametrize("letter", "IOSVZ")
@pytest.mark.parametrize("position", [0, 1, 9, 16, 17])
def test_uscc_letters_i_o_s_v_z_are_never_allowed(letter, position):
    code = VALID_USCC[0]
    mutated = code[:position] + letter + code[position + 1 :]
    assert (
        uscc_problem(mutated)
        == "统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z）"
    )


def test_uscc_lowercase_and_full_width_are_accepted_after_normalisation():
    assert validate_uscc("91110000600037341l") == "91110000600037341L"
    assert validate_uscc(" y1110000ma0000001y ") == "Y1110000MA0000001Y"
    assert validate_uscc("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


@pytest.mark.parametrize("raw", ["", "91110000600037341", "91110000600037341LL"])
def test_uscc_wrong_length(raw):
    assert uscc_problem(raw) == "统一社会信用代码应为 18 位"


def test_uscc_letters_in_the_region_code_are_rejected():
    assert uscc_problem("91A10000600037341L") is not None


# --- 组织机构代码 (GB 11714) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["00001434-9", "000014349", "014416330", "01441633-0", "91110000600037341L"]
)
def test_valid_org_codes(code):
    assert org_code_problem(code) is None
    validate_org_code(code)


def test_org_code_check_character_x_and_lowercase():
    body = next(
        f"{n:08d}"
        for n in range(10_000, 99_999)
        if org_code_check_char(f"{n:08d}") == "X"
    )
    assert org_code_problem(body + "X") is None
    assert org_code_problem(body + "x") is None
    assert org_code_problem(body + "0") == "组织机构代码校验位不正确，请核对"


def test_org_code_every_digit_substitution_fails():
    code = "000014349"
    for position in range(9):
        for replacement in "0123456789":
            if replacement != code[position]:
                mutated = code[:position] + replacement + code[position + 1 :]
                assert org_code_problem(mutated) is not None, mutated


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("00001434-8", "组织机构代码校验位不正确"),
        ("0000143", "机构代码应为 9 位组织机构代码"),
        ("00001434-99", "机构代码应为 9 位组织机构代码"),
        ("91110000600037342L", "统一社会信用代码校验位不正确"),
    ],
)
def test_invalid_org_codes(raw, message):
    with pytest.raises(ValidationError, match=message):
        validate_org_code(raw)


# --- 网站标识码 --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["4302110001", "bm12345678", "0000000000"])
def test_valid_site_codes(code):
    validate_site_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "430211000",
        "43021100011",
        "BM12345678",
        "bm1234567",
        "bm123456789",
        " 4302110001",
        "4302110001\n",
        "bm1234567a",
    ],
)
def test_invalid_site_codes(code):
    with pytest.raises(ValidationError, match="网站标识码应为 10 位数字"):
        validate_site_code(code)


def test_site_code_rejects_non_ascii_digits():
    with pytest.raises(ValidationError):
        validate_site_code("４３０２１１０００１")


# --- 发文字号 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("株天政发〔2013〕1号", "株天政发〔2013〕1号"),
        ("株天政发[2013]1号", "株天政发〔2013〕1号"),
        ("株天政发［2013］1号", "株天政发〔2013〕1号"),
        ("株天政发（2013）1号", "株天政发〔2013〕1号"),
        ("株天政发(2013)1号", "株天政发〔2013〕1号"),
        ("株天政发【2013】1号", "株天政发〔2013〕1号"),
        ("株天政发〔2013〕01号", "株天政发〔2013〕1号"),
        ("株天政发〔2013〕007号", "株天政发〔2013〕7号"),
        ("株天政发〔2013〕第1号", "株天政发〔2013〕1号"),
        ("株天政发 〔２０１３〕 12 号", "株天政发〔2013〕12号"),
        ("国办发明电〔2025〕7号", "国办发明电〔2025〕7号"),
        ("国务院令第711号", "国务院令第711号"),
        ("国务院令 第711号", "国务院令第711号"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_doc_number_normalisation(raw, expected):
    assert normalise_doc_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "株天政发〔13〕1号",
        "株天政发〔2013〕0号",
        "株天政发〔2013〕号",
        "〔2013〕1号",
        "株天政发2013年1号",
        "株天政发〔2013〕1",
    ],
)
def test_bad_doc_numbers_are_rejected(raw):
    with pytest.raises(ValidationError, match="发文字号格式不正确"):
        normalise_doc_number(raw)
