"""Behaviour that must not change: encoding, decoding and the CONTEXTJ rules for joiners."""

import idna
import pytest


def test_round_trip():
    assert idna.encode("ドメイン.テスト") == b"xn--eckwd4c7c.xn--zckzah"
    assert idna.decode(b"xn--eckwd4c7c.xn--zckzah") == "ドメイン.テスト"


def test_uts46_mapping():
    assert idna.encode("Königsgäßchen", uts46=True) == b"xn--knigsgchen-b4a3dun"


def test_zwnj_after_virama_is_allowed():
    # U+094D DEVANAGARI SIGN VIRAMA makes a following ZWNJ valid.
    assert idna.encode("\u0915\u094d\u200c\u0937").startswith(b"xn--")


def test_zwnj_between_joining_letters_is_allowed():
    # BEH (dual-joining) ZWNJ BEH: L/D before, R/D after.
    assert idna.encode("\u0628\u200c\u0628").startswith(b"xn--")


@pytest.mark.parametrize("label", ["a\u200cb", "\u200c\u0628", "\u0628\u200c"])
def test_zwnj_without_context_is_rejected(label):
    with pytest.raises(idna.IDNAError):
        idna.encode(label)


def test_long_label_is_rejected():
    with pytest.raises(idna.IDNAError):
        idna.encode("a" * 64)
