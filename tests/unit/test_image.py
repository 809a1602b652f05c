"""Base image recipe identity."""

from stackha.lab import image


def test_mirror_from_deb822_sources() -> None:
    sources = (
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n"
    )
    assert image.mirror_from_sources(sources) == "http://mirror.example/debian"
    assert image.mirror_from_sources("") == image.DEFAULT_MIRROR


def test_recipe_digest_follows_the_recipe() -> None:
    a = image.image_tag("URIs: http://a/debian\n")
    b = image.image_tag("URIs: http://b/debian\n")
    assert a != b
    assert a == image.image_tag("URIs: http://a/debian\n")
    assert a.startswith("stackha-base:")
