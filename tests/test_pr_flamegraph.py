"""The flamegraph renderer (profilers/flamegraph.py) and the stacks it is fed
(agent/pr/stacks.py): valid SVG, widths proportional to samples, names escaped, harness samples
dropped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from agent.pr.stacks import collapse, short_file
from profilers.flamegraph import PAD, WIDTH, parse_folded, render_svg, to_folded
from sandbox.workspace import SCRATCH_DIR

SVG = "{http://www.w3.org/2000/svg}"


def frames(svg: str) -> dict[str, tuple[float, float]]:
    """Frame name -> (x, width), read back from the SVG by its tooltip."""
    found = {}
    for group in ET.fromstring(svg.split("\n", 1)[1]).iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        rect = group.find(f"{SVG}rect")
        assert title is not None and title.text and rect is not None
        name = title.text.rsplit(" (", 1)[0]
        found[name] = (float(rect.attrib["x"]), float(rect.attrib["width"]))
    return found


def test_frame_widths_are_proportional_to_samples_and_names_are_escaped() -> None:
    stacks = Counter({("main (app.py)", "<lambda> (app.py)"): 30,
                      ("main (app.py)", "load & save (io.py)"): 10,
                      ("gc",): 10})  # fmt: skip
    svg = render_svg(stacks, "before: <base> & co", subtitle="50 samples")
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')
    assert "&lt;lambda&gt; (app.py)" in svg and "load &amp; save" in svg
    assert "before: &lt;base&gt; &amp; co" in svg
    found = frames(svg)
    assert set(found) == {"all", "main (app.py)", "<lambda> (app.py)", "load & save (io.py)", "gc"}
    full = WIDTH - 2 * PAD
    assert found["all"] == (PAD, full)
    assert found["main (app.py)"][1] == pytest.approx(full * 40 / 50, abs=0.01)
    assert found["<lambda> (app.py)"][1] == pytest.approx(full * 30 / 50, abs=0.01)
    assert found["load & save (io.py)"][1] == pytest.approx(full * 10 / 50, abs=0.01)
    # Children in name order, side by side, inside their parent.
    lam_x, lam_w = found["<lambda> (app.py)"]
    assert found["main (app.py)"][0] == lam_x
    assert found["load & save (io.py)"][0] == pytest.approx(lam_x + lam_w, abs=0.01)
    tips = [t.text for t in ET.fromstring(svg.split("\n", 1)[1]).iter(f"{SVG}title")]
    assert "<lambda> (app.py) (30 samples, 60.00%)" in tips


def test_frames_narrower_than_a_pixel_are_left_out_and_no_samples_is_said() -> None:
    svg = render_svg(Counter({("hot",): 100_000, ("rare",): 1}), "t")
    assert set(frames(svg)) == {"all", "hot"}
    empty = render_svg(Counter(), "nothing")
    assert frames(empty) == {} and "no samples" in empty


def test_collapsed_text_round_trips_and_a_bad_line_is_named() -> None:
    stacks = Counter({("a", "b"): 3, ("a",): 2, ("c d (x.py)", "e"): 1})
    text = to_folded(stacks)
    assert text == "a 2\na;b 3\nc d (x.py);e 1\n"
    assert parse_folded(text) == stacks
    with pytest.raises(ValueError, match=r"line 2 is not `frame;frame;\.\.\. COUNT`: 'a;b x'"):
        parse_folded("a 1\na;b x\n")


def test_speedscope_samples_become_function_frames_without_the_harness(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "core.py").write_text("def unique(items):\n    return items\n")
    (tmp_path / "bench.py").write_text("import shop.core\n")
    launcher = str(tmp_path / SCRATCH_DIR / "flame-1" / "launch.py")
    lib = "/usr/lib/python3.11/json/decoder.py"
    launcher_process = f'process 4:"python -I -S {launcher} python bench.py status"'
    doc = {
        "shared": {"frames": [
            {"name": "<module>", "file": str(tmp_path / "bench.py"), "line": 1},
            {"name": "unique", "file": "shop/core.py", "line": 2},  # relative: to the workspace
            {"name": "unique", "file": "shop/core.py", "line": 1},
            {"name": "decode", "file": lib, "line": 9},
            {"name": "<module>", "file": launcher, "line": 5},
            {"name": launcher_process, "file": "", "line": 0},
            {"name": 'process 9:"/bin/sh -c python bench.py"', "file": ""},
            {"name": 'process 10:"python bench.py"', "file": ""},
        ]},
        "profiles": [{"type": "sampled", "weights": [0.005, 0.005, 0.01, 0.5, 0.015],
                      "samples": [[5, 6, 7, 0, 1], [5, 6, 7, 0, 2], [5, 6, 7, 0, 1, 3], [5, 4],
                                  [5, 6, 7]]}],
    }  # fmt: skip
    stacks = collapse(doc, tmp_path)
    root = "process: python bench.py"  # the workload's process, without its pid
    assert stacks == {
        (root, "<module> (bench.py)", "unique (shop/core.py)"): 2,  # two lines, one frame
        (root, "<module> (bench.py)", "unique (shop/core.py)", "decode (json/decoder.py)"): 2,
        (root,): 3,  # the interpreter starting, before any Python frame
    }


def test_library_files_are_named_by_their_import_path() -> None:
    assert short_file("/x/.venv/lib/python3.11/site-packages/numpy/core.py") == "numpy/core.py"
    assert short_file("/usr/lib/python3.12/re/_parser.py") == "re/_parser.py"
    assert short_file("<frozen importlib._bootstrap>") == "<frozen importlib._bootstrap>"
