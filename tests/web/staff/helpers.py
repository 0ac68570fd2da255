"""Constants and helpers of the judge and organizer page tests."""

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Every string that names the team or the people and organizations behind it.
IDENTIFYING = [
    "破晓先锋队",  # team
    "李峰队长",  # captain
    "captain_lifeng",
    "王雨成员",  # member
    "member_wangyu",
    "海岳智联科技",  # lead unit
    "星河算力研究院",  # member's organization
    "uploader_zhao",  # uploader
    "赵上传",
    "破晓先锋队方案书",  # original file name
]


def score_data(world, values=("8", "7.5", "15"), action="submit", comment="") -> dict:
    data = {f"score_{c.pk}": v for c, v in zip(world.criteria, values, strict=True)}
    data.update({"action": action, "comment": comment})
    return data


def speak_english(client) -> None:
    """Later requests of this client ask for English (the language cookie beats the profile)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
