"""The review screen marks the words that changed, not whole fields."""

from compounds.review.word_diff import marked

DELETED = '<del><span class="visually-hidden">deleted: </span>{}</del>'
INSERTED = '<ins><span class="visually-hidden">inserted: </span>{}</ins>'


def test_one_changed_word_is_marked_alone():
    before, after = marked(
        "Two small open-label trials in adults.", "Two small randomized trials in adults."
    )
    assert before == "Two small " + DELETED.format("open-label") + " trials in adults."
    assert after == "Two small " + INSERTED.format("randomized") + " trials in adults."


def test_a_replaced_sentence_is_marked_as_one_run():
    before, after = marked("Generally tolerated.", "Unapproved safety text.")
    assert before == DELETED.format("Generally tolerated.")
    assert after == INSERTED.format("Unapproved safety text.")


def test_added_words_show_only_on_the_working_side():
    before, after = marked("Approved as an anesthetic", "Approved as an anesthetic since 1970")
    assert before == "Approved as an anesthetic"
    assert after == "Approved as an anesthetic " + INSERTED.format("since 1970")


def test_text_is_escaped_and_line_breaks_kept():
    before, after = marked("a <b>\nline", "a <i>\nline")
    assert before == "a " + DELETED.format("&lt;b&gt;") + "<br>line"
    assert after == "a " + INSERTED.format("&lt;i&gt;") + "<br>line"


def test_empty_sides():
    assert marked("", "New text") == ("", INSERTED.format("New text"))
    assert marked("Old text", "") == (DELETED.format("Old text"), "")
