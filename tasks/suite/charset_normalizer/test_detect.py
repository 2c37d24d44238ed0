"""Behaviour that must not change: detected encodings and decoded text on plain inputs."""

from charset_normalizer import from_bytes


def test_ascii():
    best = from_bytes(b"hello world, plain text").best()
    assert best.encoding == "ascii"
    assert str(best) == "hello world, plain text"


def test_utf8():
    text = "The café on the corner serves crème brûlée and naïve piña coladas to everyone. " * 10
    best = from_bytes(text.encode("utf_8")).best()
    assert best.encoding == "utf_8"
    assert str(best) == text


def test_utf8_with_bom():
    best = from_bytes("\ufeffcafé".encode("utf_8")).best()
    assert best.encoding == "utf_8"
    assert best.bom


def test_cyrillic_single_byte():
    text = "Привет, как дела? Всё хорошо, спасибо. " * 30
    best = from_bytes(text.encode("cp1251")).best()
    assert str(best) == text


def test_empty():
    best = from_bytes(b"").best()
    assert best is not None and str(best) == ""
