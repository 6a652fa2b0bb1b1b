"""The Chinese chapters stay in step with the English ones: same code cells, translations tied to their source.

``scripts/translations.py`` keeps ``docs/zh/chapters/`` beside ``docs/chapters/``;
these tests check its bookkeeping on a made-up chapter, and that every real
Chinese chapter has the English chapter's code cells, byte for byte.
"""

import pytest

from _commands import load_script

translations = load_script("translations")

ENGLISH = '''# %% [markdown]
# # 1. A chapter
#
# Some prose.

# %%
x = 1 + 1

# %% [markdown]
# More prose.

# %%
print(x)
'''


@pytest.fixture
def chapter(tmp_path):
    english, translated = tmp_path / "en" / "01-a.py", tmp_path / "zh" / "01-a.py"
    english.parent.mkdir()
    english.write_text(ENGLISH)
    return english, translated


def kinds(english, translated):
    return [f.kind for f in translations.check_one(english, translated)]


def translate(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new).replace(' todo="translate"', "", 1))


def test_a_new_chapter_is_made_with_its_cells_untranslated(chapter):
    english, translated = chapter
    assert kinds(english, translated) == ["missing chapter"]
    translations.sync_one(english, translated)
    assert kinds(english, translated) == ["untranslated", "untranslated"]
    assert 'en="' in translated.read_text() and "x = 1 + 1" in translated.read_text()


def test_a_changed_english_cell_makes_its_translation_stale_and_sync_keeps_it(chapter):
    english, translated = chapter
    translations.sync_one(english, translated)
    translate(translated, "# # 1. A chapter", "# # 1. 一章")
    translate(translated, "# More prose.", "# 更多的文字。")
    assert kinds(english, translated) == []
    english.write_text(ENGLISH.replace("More prose.", "More prose, changed."))
    assert kinds(english, translated) == ["stale"]
    translations.sync_one(english, translated)
    text = translated.read_text()
    assert "更多的文字。" in text and "一章" in text  # kept, still marked with the old digest
    assert kinds(english, translated) == ["stale"]


def test_a_new_english_cell_arrives_untranslated_and_code_always_follows_english(chapter):
    english, translated = chapter
    translations.sync_one(english, translated)
    translate(translated, "# Some prose.", "# 一些文字。")
    english.write_text(ENGLISH.replace("x = 1 + 1", "x = 2 + 2") + "\n# %% [markdown]\n# The end.\n")
    assert "code differs" in kinds(english, translated)
    translations.sync_one(english, translated)
    assert "x = 2 + 2" in translated.read_text() and "一些文字。" in translated.read_text()
    assert kinds(english, translated) == ["untranslated", "untranslated"]  # "More prose." and "The end."


def test_every_chinese_chapter_has_the_english_code_cells():
    findings = [f for english, translated in translations.pairs("zh")
                for f in translations.check_one(english, translated) if f.kind in ("missing chapter", "code differs")]
    assert findings == [], "\n".join(map(str, findings))


def test_the_search_word_list_holds_the_glossary_terms():
    """docs/zh/search-words.txt is what `translations.py words` makes from the glossary now."""
    words = translations.LANGUAGES["zh"] / translations.SEARCH_WORDS
    assert words.read_text(encoding="utf-8") == translations.search_words("zh"), (
        "the glossary changed: run `python scripts/translations.py words`")
    assert {"互相关", "感受野", "批量归一化", "模式崩溃", "精确率", "召回率"} <= set(words.read_text().split())
