import pytest
from django.core.exceptions import ValidationError

from contest.demo.loader import fictional_credit_code
from contest.models import Organization
from contest.validators import credit_code_check_char, is_valid_credit_code, validate_credit_code

pytestmark = [pytest.mark.unit]

# Well-formed codes (check characters computed by GB 32100-2015), incl. one ending in a letter.
VALID = ["91310000MA1FL0001R", "11310000MB0000001C", "913100001322068800"]


def test_known_check_characters():
    assert credit_code_check_char("91310000MA1FL0001") == "R"
    assert credit_code_check_char("11310000MB0000001") == "C"
    assert credit_code_check_char("91310000132206880") == "0"


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert is_valid_credit_code(code)
    validate_credit_code(code)


@pytest.mark.parametrize("index", range(1, 40))
def test_generated_demo_codes_are_valid(index):
    assert is_valid_credit_code(fictional_credit_code(index, government=index % 2 == 0))


def test_a_code_with_a_letter_check_character_passes():
    first17 = next(
        f"91310000MA1FL{i:04d}" for i in range(10000) if credit_code_check_char(f"91310000MA1FL{i:04d}").isalpha()
    )
    assert is_valid_credit_code(first17 + credit_code_check_char(first17))


@pytest.mark.parametrize("code", VALID)
def test_every_wrong_check_character_fails(code):
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if wrong != code[-1]:
            assert not is_valid_credit_code(code[:-1] + wrong)


@pytest.mark.parametrize(
    "code",
    [
        "91310000MA1FL0001I",  # I is not in the alphabet
        "91310000MA1FLO001R",  # O
        "91310000MA1FL0001S",  # S
        "91310000MA1FL000VR",  # V
        "91310000ZA1FL0001R",  # Z
        "91310000ma1fl0001r",  # lower case
        "91310000MA1FL 001R",  # space
        "９1310000MA1FL0001R",  # full-width digit
    ],
)
def test_characters_outside_the_alphabet_fail(code):
    assert not is_valid_credit_code(code)
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "invalid_credit_code"


@pytest.mark.parametrize("code", ["", "9131000", "91310000MA1FL0001", "91310000MA1FL000111"])
def test_wrong_lengths_fail(code):
    assert not is_valid_credit_code(code)


@pytest.mark.django_db
def test_the_model_field_validates_and_blank_is_allowed():
    Organization(name="无代码单位", credit_code="").full_clean()
    Organization(name="有代码单位", credit_code=VALID[0]).full_clean()
    with pytest.raises(ValidationError):
        Organization(name="错误代码单位", credit_code="91310000MA1FL00012").full_clean()
