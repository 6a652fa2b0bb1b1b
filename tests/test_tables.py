"""Tables print as aligned text and display as well-formed, escaped HTML."""

import xml.etree.ElementTree as ET

import pytest

from cnnguide.tables import Table


def test_text_is_aligned_with_a_totals_row_and_notes():
    table = Table(("name", "count"), (("a", "1"), ("bb", "1,000")), align="lr", total=("all", "1,001"),
                  notes=("counted twice",))
    assert table.text().splitlines() == [
        "name  count",
        "-----------",
        "a         1",
        "bb    1,000",
        "-----------",
        "all   1,001",
        "counted twice",
    ]
    assert str(Table(("x", "y"), (("1", "2"),))) == "x  y\n----\n1  2"  # no rule below without totals or notes


def test_html_is_well_formed_escaped_and_aligned():
    table = Table(("<name>", "n"), (("a & b", "3"), ('"q"', "10")), align="lr", total=("Σ", "13"),
                  notes=("x < y",), caption="Counts & more")
    markup = table._repr_html_()
    wrap = ET.fromstring(markup)
    assert wrap.tag == "div" and wrap.get("class") == "cnnguide-table-wrap"
    root, notes = wrap
    assert root.find("caption").text == "Counts & more"
    assert [th.text for th in root.find("thead").iter("th")] == ["<name>", "n"]
    assert [[td.text for td in tr] for tr in root.find("tbody")] == [["a & b", "3"], ['"q"', "10"]]
    total, = root.find("tfoot").findall("tr")
    assert [th.text for th in total] == ["Σ", "13"]
    # The notes sit under the table, not in a row spanning it: a long note must not widen the table.
    assert notes.tag == "p" and notes.get("class") == "cnnguide-table-notes" and notes.text == "x < y"
    assert "colspan" not in markup
    assert all("right" in tr[1].get("style") and "left" in tr[0].get("style") for tr in root.find("tbody"))
    assert "<name>" not in markup and "&lt;name&gt;" in markup


def test_bad_tables_rejected():
    with pytest.raises(ValueError, match="row 1 has 1 cells, but the header has 2"):
        Table(("a", "b"), (("1", "2"), ("3",)))
    with pytest.raises(ValueError, match="the total row has 3 cells"):
        Table(("a", "b"), (), total=("1", "2", "3"))
    with pytest.raises(ValueError, match="align must have one 'l' or 'r' per column"):
        Table(("a", "b"), (), align="lc")
