"""Collapsed stacks and their flamegraph, as a self-contained SVG.

Collapsed stacks are the interchange format of flamegraph tools (flamegraph.pl, inferno,
speedscope import): one line per distinct stack, frames outermost first joined by `;`, then a
space and the sample count, e.g. `<module> (bench.py);unique (shop/core.py) 41`.

The renderer is pure: stacks in, SVG text out. The root ("all") spans the full width and every
frame is as wide as its share of the samples; children sit above their parent in name order
(not time order), so two graphs of the same code line up. Frames narrower than a pixel are left
out. Each frame carries a `<title>` (name, samples, percent) shown on hover when the SVG is
opened on its own.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

Stacks = Counter[tuple[str, ...]]  # frames outermost first -> samples

WIDTH = 1200.0
FRAME_HEIGHT = 16
FONT_SIZE = 11
CHAR_WIDTH = FONT_SIZE * 0.6  # monospace advance; labels are cut to fit their frame
MIN_WIDTH = 1.0  # pixels: narrower frames are not drawn
PAD = 10
HEADER = 44  # title and subtitle above the graph


def parse_folded(text: str) -> Stacks:
    """Collapsed-stack text -> stacks; a bad line raises ValueError naming it."""
    stacks: Stacks = Counter()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        frames, _, count = line.rstrip().rpartition(" ")
        if not frames or not count.isdigit():
            raise ValueError(f"line {number} is not `frame;frame;... COUNT`: {line[:80]!r}")
        stacks[tuple(frames.split(";"))] += int(count)
    return stacks


def to_folded(stacks: Mapping[tuple[str, ...], int]) -> str:
    """Stacks -> collapsed-stack text (sorted, so equal stacks give equal files)."""
    lines = [f"{';'.join(frames)} {count}" for frames, count in sorted(stacks.items()) if count]
    return "".join(line + "\n" for line in lines)


def frame_label(name: str) -> str:
    """A frame name safe in collapsed text: `;` separates frames, newlines separate stacks."""
    return " ".join(name.replace(";", ",").split())


@dataclass
class Node:
    name: str
    samples: int = 0
    children: dict[str, Node] = field(default_factory=dict)


def build_tree(stacks: Mapping[tuple[str, ...], int]) -> Node:
    root = Node("all")
    for frames, count in stacks.items():
        root.samples += count
        node = root
        for name in frames:
            node = node.children.setdefault(name, Node(name))
            node.samples += count
    return root


def render_svg(
    stacks: Mapping[tuple[str, ...], int], title: str, subtitle: str = "", width: float = WIDTH
) -> str:
    """The flamegraph of `stacks` as SVG text (root at the bottom)."""
    root = build_tree(stacks)
    boxes: list[tuple[Node, int, float, float]] = []  # node, depth, x, width
    _layout(root, 0, PAD, width - 2 * PAD, boxes)
    depth = max((d for _, d, _, _ in boxes), default=0) + 1
    height = HEADER + depth * FRAME_HEIGHT + PAD
    svg = ET.Element("svg", xmlns="http://www.w3.org/2000/svg", width=_num(width),
                     height=str(height), viewBox=f"0 0 {_num(width)} {height}",
                     style="font-family:monospace")  # fmt: skip
    ET.SubElement(svg, "rect", x="0", y="0", width="100%", height="100%", fill="#ffffff")
    _text(svg, title, width / 2, 18, size=15, anchor="middle")
    if subtitle:
        _text(svg, subtitle, width / 2, 34, size=FONT_SIZE, anchor="middle", fill="#555555")
    if root.samples == 0:
        _text(svg, "no samples", width / 2, HEADER + FRAME_HEIGHT, anchor="middle")
    for node, level, x, w in boxes:
        y = height - PAD - (level + 1) * FRAME_HEIGHT
        group = ET.SubElement(svg, "g", {"class": "frame"})
        share = 100.0 * node.samples / root.samples
        ET.SubElement(group, "title").text = f"{node.name} ({node.samples} samples, {share:.2f}%)"
        ET.SubElement(group, "rect", x=_num(x), y=str(y), width=_num(w),
                      height=str(FRAME_HEIGHT - 1), rx="2", fill=_color(node.name))  # fmt: skip
        fits = int((w - 6) // CHAR_WIDTH)
        if fits >= 3:
            label = node.name if len(node.name) <= fits else node.name[: fits - 2] + ".."
            _text(group, label, x + 3, y + FRAME_HEIGHT - 4)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(svg, encoding="unicode")


def _layout(
    node: Node, level: int, x: float, w: float, out: list[tuple[Node, int, float, float]]
) -> None:
    if node.samples == 0 or w < MIN_WIDTH:
        return
    out.append((node, level, x, w))
    for name in sorted(node.children):
        child = node.children[name]
        child_w = w * child.samples / node.samples
        _layout(child, level + 1, x, child_w, out)
        x += child_w


def _text(parent: ET.Element, text: str, x: float, y: float, size: int = FONT_SIZE,
          anchor: str = "start", fill: str = "#000000") -> None:  # fmt: skip
    element = ET.SubElement(parent, "text", x=_num(x), y=_num(y), fill=fill)
    element.set("font-size", str(size))
    element.set("text-anchor", anchor)
    element.text = text  # ElementTree escapes <, > and & on output


def _color(name: str) -> str:
    """A warm color that depends only on the name, so a function keeps its color across graphs."""
    digest = hashlib.blake2s(name.encode(), digest_size=3).digest()
    return f"#{205 + digest[0] % 50:02x}{80 + digest[1] % 150:02x}{digest[2] % 60:02x}"


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
