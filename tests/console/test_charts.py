"""The dashboard's SVG charts: valid XML, accessible, escaped, and calm with no data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from markupsafe import Markup

from console.charts import bar_chart, horizontal_bar_chart, proportion_bar

SVG = "{http://www.w3.org/2000/svg}"
Chart = Callable[..., Markup]
DAYS = [(f"{d:02d}/11", float(d % 4)) for d in range(1, 29)]


def parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))


def rects(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}rect")


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_a_bar_chart_is_an_image_with_a_title_a_summary_and_one_bar_per_day() -> None:
    svg = bar_chart(DAYS, title="Demandes par jour", unit="demandes")
    root = parse(svg)

    assert isinstance(svg, Markup)
    assert root.get("role") == "img" and root.get("viewBox") == "0 0 640 220"
    assert root.get("width") is None  # scales with its container
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Demandes par jour"
    assert desc is not None and desc.text is not None and "02/11: 2 demandes" in desc.text
    labelled_by = (root.get("aria-labelledby") or "").split()
    assert labelled_by == [title.get("id"), desc.get("id")]
    bars = rects(root)
    assert len(bars) == len(DAYS)
    assert [b.findtext(f"{SVG}title") for b in bars[:2]] == [
        "01/11: 1 demandes",
        "02/11: 2 demandes",
    ]


def test_taller_values_get_taller_bars() -> None:
    bars = rects(parse(bar_chart([("a", 1), ("b", 4), ("c", 2)], title="t")))

    heights = [float(b.get("height") or 0) for b in bars]
    assert heights[1] > heights[2] > heights[0] > 0
    assert heights[1] == pytest.approx(2 * heights[2])


def test_day_labels_are_thinned_when_there_are_many() -> None:
    few = texts(parse(bar_chart(DAYS[:7], title="t")))
    many = texts(parse(bar_chart(DAYS, title="t")))

    assert all(label in few for label, _ in DAYS[:7])
    shown = [label for label, _ in DAYS if label in many]
    assert 3 <= len(shown) < len(DAYS) and shown[0] == "01/11"


@pytest.mark.parametrize("chart", [bar_chart, horizontal_bar_chart, proportion_bar])
def test_every_label_and_title_is_escaped(chart: Chart) -> None:
    svg = chart([("<b>Bricolage & co</b>", 3), ("Courses", 1)], title="A <script> & B")
    root = parse(svg)

    assert "<b>" not in str(svg) and "<script>" not in str(svg)
    assert root.findtext(f"{SVG}title") == "A <script> & B"
    assert any("<b>Bricolage & co</b>" in t for t in texts(root)) or any(
        "<b>Bricolage & co</b>" in (r.findtext(f"{SVG}title") or "") for r in rects(root)
    )


@pytest.mark.parametrize("chart", [bar_chart, horizontal_bar_chart, proportion_bar])
def test_no_data_says_so_instead_of_drawing(chart: Chart) -> None:
    root = parse(chart([], title="Par service", empty_text="Aucune donnée"))

    assert root.get("role") == "img"
    assert rects(root) == [] and texts(root) == ["Aucune donnée"]
    assert root.findtext(f"{SVG}desc") == "Aucune donnée"


@pytest.mark.parametrize("chart", [bar_chart, horizontal_bar_chart])
def test_all_zero_values_draw_flat_bars_without_failing(chart: Chart) -> None:
    root = parse(chart([("lun.", 0), ("mar.", 0)], title="t"))

    assert [
        float(b.get("height" if chart is bar_chart else "width") or 1) for b in rects(root)
    ] == [
        0.0,
        0.0,
    ]


def test_a_proportion_with_nothing_closed_is_no_data() -> None:
    root = parse(proportion_bar([("Faites", 0), ("Annulées", 0)], title="t", empty_text="—"))

    assert texts(root) == ["—"]


def test_a_horizontal_bar_chart_puts_labels_left_and_values_after_the_bars() -> None:
    points = [("Courses", 6.0), ("Bricolage", 1.0), ("inconnu", 0.0)]
    root = parse(horizontal_bar_chart(points, title="Par service", unit="min"))

    bars = rects(root)
    assert len(bars) == 3
    labels = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert [t.text for t in labels] == ["Courses", "Bricolage", "inconnu"]
    assert all(float(t.get("x") or 0) < float(bars[0].get("x") or 0) for t in labels)
    assert {"6 min", "1 min", "0 min"} <= set(texts(root))
    assert root.get("viewBox") == f"0 0 640 {16 + 24 * 3}"


def test_a_proportion_bar_splits_the_whole_and_gives_each_share_in_words() -> None:
    parts = [("Faites", 2.0), ("Annulées", 1.0), ("Expirées", 1.0)]
    root = parse(proportion_bar(parts, title="Part accomplie"))

    widths = [float(b.get("width") or 0) for b in rects(root)]
    assert widths[0] == pytest.approx(widths[1] + widths[2])
    assert sum(widths) == pytest.approx(640 - 16)
    assert root.findtext(f"{SVG}desc") == "Faites: 2 (50 %); Annulées: 1 (25 %); Expirées: 1 (25 %)"


def test_numbers_can_be_written_the_callers_way() -> None:
    french = bar_chart([("S46", 12.5)], title="t", number=lambda v: f"{v:.1f}".replace(".", ","))

    assert "S46: 12,5" in str(french)


def test_the_text_is_dark_enough_on_white() -> None:
    root = parse(bar_chart(DAYS, title="t"))

    assert root.get("fill") == "#1a1a1a"
    assert {b.get("fill") for b in rects(root)} == {"#1f4e79"}


@pytest.mark.parametrize("chart", [bar_chart, horizontal_bar_chart])
def test_a_missing_value_is_a_flat_bar_said_as_missing_not_zero(chart: Chart) -> None:
    root = parse(chart([("S45", 12.0), ("S46", None)], title="Médiane", unit="min"))

    bars = rects(root)
    assert len(bars) == 2
    assert [b.findtext(f"{SVG}title") for b in bars] == ["S45: 12 min", "S46: —"]
    assert root.findtext(f"{SVG}desc") == "S45: 12 min; S46: —"
