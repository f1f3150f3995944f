"""FastSelect renders exactly what Django's Select renders, only faster."""

from __future__ import annotations

from django import forms
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.core.widgets import FastSelect

TEXT = st.text(alphabet=st.sampled_from(list('ab<>&"\' 公开　x1')), max_size=6)
VALUE = st.one_of(TEXT, st.integers(min_value=-5, max_value=50), st.none())
OPTION = st.tuples(VALUE, TEXT)
CHOICE = st.one_of(OPTION, st.tuples(TEXT, st.lists(OPTION, max_size=4)))


def both(choices, value, attrs=None, widget_attrs=None):
    fast = FastSelect(attrs=widget_attrs, choices=choices).render("org", value, attrs=attrs)
    slow = forms.Select(attrs=widget_attrs, choices=choices).render("org", value, attrs=attrs)
    return str(fast), str(slow)


@settings(max_examples=300, deadline=None)
@given(
    choices=st.lists(CHOICE, max_size=6),
    value=st.one_of(VALUE, st.lists(TEXT, max_size=2)),
    attrs=st.dictionaries(st.sampled_from(["id", "class", "required", "aria-describedby", "data-x"]),
                          st.one_of(TEXT, st.booleans()), max_size=3),
)
def test_renders_what_django_renders(choices, value, attrs):
    fast, slow = both(choices, value, attrs=attrs)
    assert fast == slow


def test_escapes_labels_values_and_groups_but_keeps_safe_labels():
    choices = [("<g>", [("1\"", "<script>alert(1)</script>"), ("2", mark_safe("<b>safe</b>"))])]
    fast, slow = both(choices, "1\"", widget_attrs={"title": "a\"b"})
    assert fast == slow
    assert "<script>" not in fast
    assert "&lt;script&gt;" in fast and "<b>safe</b>" in fast
    assert 'label="&lt;g&gt;"' in fast and 'value="1&quot;" selected' in fast


def test_only_the_first_matching_option_is_selected():
    fast, slow = both([("1", "a"), ("1", "b")], "1")
    assert fast == slow and fast.count("selected") == 1


def test_a_bound_form_field_renders_with_the_fast_widget():
    class Form(forms.Form):
        org = forms.ChoiceField(choices=[("", "—"), ("7", "攸县")], widget=FastSelect)

    html = str(Form({"org": "7"})["org"])
    assert html.startswith('<select name="org" required id="id_org">')
    assert '<option value="7" selected>攸县</option>' in html
