"""统一社会信用代码: the check character of GB 32100-2015, on codes published by real companies."""

from __future__ import annotations

import pytest

from market.accounts.credit_code import check_character, normalise_credit_code

PUBLISHED = [
    "91350100M000100Y43",  # the worked example of GB 32100-2015
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass_their_check(code: str) -> None:
    assert check_character(code[:17]) == code[17]
    assert normalise_credit_code(code) == code


def test_spaces_and_small_letters_are_forgiven() -> None:
    assert normalise_credit_code(" 9144 0300 7152 6726xg ") == "9144030071526726XG"


@pytest.mark.parametrize("code", PUBLISHED)
def test_any_other_check_character_is_refused(code: str) -> None:
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY".replace(code[17], ""):
        with pytest.raises(ValueError, match="does not add up"):
            normalise_credit_code(code[:17] + wrong)


def test_two_swapped_characters_are_caught() -> None:
    code = "914403001922038216"
    with pytest.raises(ValueError, match="does not add up"):
        normalise_credit_code(code[:9] + code[10] + code[9] + code[11:])


@pytest.mark.parametrize(
    "code",
    ["9144030071526726X", "9144030071526726XGG", "9144030071526726XO", "91A4030071526726XG", ""],
)
def test_a_wrong_shape_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="18 characters"):
        normalise_credit_code(code)
