"""组织机构代码 (GB 11714) and 统一社会信用代码 (GB 32100) validation."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError

from gongkai.orgs.codes import (
    USCC_ALPHABET,
    make_org_code,
    make_uscc,
    normalise_code,
    org_code_check_char,
    uscc_check_char,
    validate_org_code,
)

REAL_ORG_CODE = "000014349"  # 索引号 front part in the seed report: 000014349/2017-00110
REAL_USCC = "11341702486344515H"  # 11341702486344515H/2021-00013


def error_code(value: str) -> str:
    with pytest.raises(ValidationError) as info:
        validate_org_code(value)
    return info.value.code


@pytest.mark.parametrize("code", [REAL_ORG_CODE, REAL_USCC, "91350100M000100Y43", "486344515"])
def test_it_accepts_real_organisation_and_credit_codes(code):
    validate_org_code(code)  # does not raise


def test_the_real_examples_have_the_expected_check_characters():
    assert org_code_check_char(REAL_ORG_CODE[:8]) == "9"
    assert uscc_check_char(REAL_USCC[:17]) == "H"


def test_the_credit_code_embeds_a_valid_organisation_code():
    validate_org_code(REAL_USCC[8:17])


@pytest.mark.parametrize("code", ["000014348", "00001434X", "000014340"])
def test_it_rejects_an_organisation_code_with_a_wrong_check_character(code):
    assert error_code(code) == "org_code_check"


@pytest.mark.parametrize("code", ["11341702486344515A", "113417024863445150", "11341702486344515J"])
def test_it_rejects_a_credit_code_with_a_wrong_check_character(code):
    assert error_code(code) == "uscc_check"


def test_the_wrong_check_character_message_names_the_expected_one():
    with pytest.raises(ValidationError) as info:
        validate_org_code("000014348")
    assert "9" in " ".join(info.value.messages)
    assert "000014348" in " ".join(info.value.messages)


@pytest.mark.parametrize(
    "code", ["", "0", "00001434", "0000143490", "1134170248634451", "11341702486344515HH"]
)
def test_it_rejects_codes_that_are_neither_9_nor_18_characters(code):
    assert error_code(code) == "org_code_length"


def test_the_length_message_states_how_many_characters_were_given():
    with pytest.raises(ValidationError) as info:
        validate_org_code("1234567890")
    assert "10" in " ".join(info.value.messages)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_it_rejects_credit_codes_containing_a_forbidden_letter(letter):
    body = REAL_USCC[:5] + letter + REAL_USCC[6:17]
    # Even with a check character computed as if the letter were allowed, the code is refused.
    assert error_code(body + "0") == "uscc_chars"
    assert letter not in USCC_ALPHABET


@pytest.mark.parametrize(
    "code", ["0000-1434", "00001434!", "0000 143_9", "٠٠٠٠١٤٣٤9", "0000143é9", "0000143😀9"]
)
def test_it_rejects_organisation_codes_with_characters_other_than_digits_and_capitals(code):
    with pytest.raises(ValidationError):
        validate_org_code(code)


def test_full_width_input_from_a_chinese_input_method_is_read_as_ascii():
    assert normalise_code("０００Ｏ１４３４９") == "000O14349"
    assert normalise_code("００００１４３４－９") == "000014349"
    validate_org_code("０００01434９")
    validate_org_code("１１３４１７０２４８６３４４５１５ｈ")


def test_a_wrong_code_in_full_width_is_still_rejected():
    assert error_code("０００01434８") == "org_code_check"


@pytest.mark.parametrize(
    "raw, normalised",
    [
        ("00001434-9", "000014349"),
        (" 00001434-9 ", "000014349"),
        ("11341702486344515h", "11341702486344515H"),
        ("113417024 86344515H", "11341702486344515H"),
        ("1134170248-6344515-H", "11341702486344515H"),
    ],
)
def test_hyphens_spaces_and_lower_case_are_normalised_before_checking(raw, normalised):
    assert normalise_code(raw) == normalised
    validate_org_code(raw)  # accepted as typed


def test_check_characters_ten_and_eleven_map_to_x_and_zero():
    found = {}
    for digits in itertools.product("0123456789", repeat=3):
        body = "10000" + "".join(digits)
        ch = org_code_check_char(body)
        if ch in ("X", "0"):
            found.setdefault(ch, body)
        if len(found) == 2:
            break
    assert set(found) == {"X", "0"}
    for ch, body in found.items():
        assert make_org_code(body) == body + ch
        validate_org_code(body + ch)


def test_made_codes_always_validate():
    for n in range(200):
        validate_org_code(make_org_code(f"{n * 7919:08d}"))
        validate_org_code(make_uscc(f"9135010{n:010d}"))


def test_a_credit_code_with_check_value_zero_uses_the_digit_zero():
    for n in range(10_000):
        body = f"91{n:015d}"
        if uscc_check_char(body) == "0":
            validate_org_code(body + "0")
            return
    pytest.fail("no body with check value 0 found")


@pytest.mark.parametrize(
    "code", ["0000143²9", "٣٣٣٣٣٣٣٣٣", "1134170248634451²H", "𝟎𝟎𝟎𝟎𝟏𝟒𝟑𝟒𝟗", "\x00" * 9, "Ⅻ" * 9, "ß" * 9]
)
def test_odd_unicode_gives_a_validation_error_or_passes_but_never_crashes(code):
    try:
        validate_org_code(code)
    except ValidationError:
        pass
    normalised = normalise_code(code)
    assert normalised == normalise_code(normalised)  # normalising twice changes nothing


def test_superscript_and_mathematical_digits_are_read_as_plain_digits():
    assert normalise_code("0000143²9") == "000014329"
    assert normalise_code("𝟎𝟎𝟎𝟎𝟏𝟒𝟑𝟒𝟗") == "000014349"
    validate_org_code("𝟎𝟎𝟎𝟎𝟏𝟒𝟑𝟒𝟗")
