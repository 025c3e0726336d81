"""The dashboard's SVG bar charts (desk/charts.py)."""

import xml.etree.ElementTree as ElementTree

from desk.charts import Series, bar_chart, nice_ceiling


def chart(**overrides) -> ElementTree.Element:
    arguments = {
        "chart_id": "c",
        "title": "Title",
        "summary": "Summary",
        "labels": ["Mon", "Tue"],
        "series": [Series("A", [1, 3], "#111111"), Series("B", [2, None], "#222222")],
    }
    return ElementTree.fromstring(str(bar_chart(**(arguments | overrides))))


def bars(svg: ElementTree.Element) -> list[ElementTree.Element]:
    return [rect for rect in svg.iter("rect") if rect.find("title") is not None]


def test_every_label_and_name_is_escaped():
    svg = chart(
        title="<b>&", labels=['<script>alert("x")</script>'], series=[Series("=HYPERLINK(<i>)", [1], "#000")]
    )
    texts = [element.text for element in svg.iter() if element.text]
    assert "<b>&" in texts
    assert '<script>alert("x")</script>' in texts
    assert svg.find("script") is None


def test_each_value_is_a_bar_with_a_tooltip_and_none_is_no_bar():
    assert [bar.find("title").text for bar in bars(chart())] == ["Mon: A 1", "Mon: B 2", "Tue: A 3"]


def test_stacked_bars_sit_on_each_other():
    series = [Series("A", [1], "#111111"), Series("B", [1], "#222222")]
    first, second = bars(chart(stacked=True, labels=["Mon"], series=series))
    assert float(first.get("y")) == float(second.get("y")) + float(second.get("height"))


def test_the_chart_names_itself_for_assistive_technology():
    svg = chart()
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c-title c-desc"


def test_the_axis_ends_on_a_round_number():
    assert [nice_ceiling(v) for v in (0, 0.3, 1, 7, 13, 22, 240)] == [1, 0.5, 1, 10, 20, 25, 250]
