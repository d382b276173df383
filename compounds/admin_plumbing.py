"""The admin's plumbing: what every ModelAdmin of the project shares, whatever its content.

- Hand-crafted input is answered, never a server error: an id that is not one, a
  choice posted by hand, a line break in a one-line field (CraftedInputAdmin, and the
  Usable* fields and widgets its form fields are made with).
- Lists of a million rows: counts that stop at a cap (CappedPaginator, AtLeast), and
  filters that name one related object rather than listing them all
  (related_object_filter, filtered_list_link).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import IntegerField, QuerySet
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from compounds import posted
from compounds.one_line import hold_form_to_one_line, hold_to_one_line


class _UsableSelection:
    """An autocomplete widget that shows only the selected ids that could be ids.

    The widget looks the selected objects up to label them; an id such as "abc",
    posted by hand, made that lookup raise, where the field already says "Select a
    valid choice" for it.
    """

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        return super().optgroups(name, [v for v in value if _usable_key(target, v)], attr)


def _usable_key(target, value):
    if isinstance(target, IntegerField):
        return posted.is_id(str(value))
    try:
        target.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    return "\x00" not in str(value)


def _key_field(formfield):
    model = formfield.queryset.model
    return (
        model._meta.get_field(formfield.to_field_name)
        if formfield.to_field_name
        else model._meta.pk
    )


class _UsableChoice:
    """A model choice field that refuses a value that cannot be a key before looking it up.

    Django's lookup catches a ValueError but not the OverflowError of an id too long
    for the database's integers (SQLite), which was a server error.
    """

    def _refuse_unusable(self, values):
        target = _key_field(self)
        for value in values:
            if value not in self.empty_values and not _usable_key(target, value):
                code = "invalid_pk_value" if "invalid_pk_value" in self.error_messages else None
                if code:
                    raise ValidationError(
                        self.error_messages[code], code=code, params={"pk": str(value)[:40]}
                    )
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def to_python(self, value):
        if not isinstance(value, list | tuple):
            self._refuse_unusable([value])
        return super().to_python(value)


class UsableModelChoiceField(_UsableChoice, forms.ModelChoiceField):
    pass


class UsableModelMultipleChoiceField(_UsableChoice, forms.ModelMultipleChoiceField):
    def clean(self, value):
        # Before the field looks the selected ids up, in one query for all of them.
        if isinstance(value, list | tuple):
            self._refuse_unusable(value)
        return super().clean(value)


class UsableAutocompleteSelect(_UsableSelection, AutocompleteSelect):
    pass


class UsableAutocompleteSelectMultiple(_UsableSelection, AutocompleteSelectMultiple):
    pass


class CraftedInputAdmin(admin.ModelAdmin):
    """What every ModelAdmin of the project does with hand-crafted input: answer it."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return hold_to_one_line(super().formfield_for_dbfield(db_field, request, **kwargs))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = UsableAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", UsableModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = UsableAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", UsableModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        # Django reads an id as int() does, so "١", "１", "+1" and "01" each found object 1:
        # an id written otherwise than the admin writes it is no object's (not found).
        key = self.opts.get_field(from_field) if from_field else self.opts.pk
        if isinstance(key, IntegerField) and not posted.is_canonical_id(object_id):
            return None
        return super().get_object(request, object_id, from_field)

    def get_formsets_with_inlines(self, request, obj=None):
        # Each inline makes its fields with its own formfield_for_dbfield: they are held to
        # one line here, so that no inline, of this admin or a later one, is left out.
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            hold_form_to_one_line(formset.form)
            yield formset, inline

    def response_action(self, request, queryset, **kwargs):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(posted.is_id(pk) for pk in selected):
            self.message_user(request, "The selection was not a list of items.", messages.ERROR)
            return None
        return super().response_action(request, queryset, **kwargs)


class ReadOnlyAdmin(CraftedInputAdmin):
    """An admin that lists and shows rows nobody adds, changes or deletes by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AtLeast(int):
    """A row count that stopped counting: compares as its number, reads "1,000+".

    The admin's templates print the count in several places (the pagination line,
    the search result count, "Select all N"); each reads right with "1,000+".
    `__html__` keeps the template engine's number formatting from printing the bare
    number instead.
    """

    def __str__(self):
        return f"{int(self):,}+"

    def __html__(self):
        return str(self)


def capped_count(rows, cap):
    """The number of rows, or AtLeast(cap) when there are more: counts at most cap + 1."""
    # Ordering a count only slows it down: the order of the rows counted is moot.
    counted = rows.order_by()[: cap + 1].count() if isinstance(rows, QuerySet) else len(rows)
    return AtLeast(cap) if counted > cap else counted


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so that no list page counts a million of them.

    COUNT(*) over a large table reads all of it, on every page of the list. This
    counts the rows of `LIMIT cap + 1` instead, which stops early; past the cap the
    count reads "1,000+" and the pages end at the cap, ten pages of a hundred.
    Narrowing the list with a filter or a search reaches the rest. The cap bounds
    the worst case: two filters together that no one index serves make the count
    read about cap / (the share of rows that match) rows.
    """

    cap = 1_000

    @cached_property
    def count(self):
        return capped_count(self.object_list, self.cap)

    @property
    def capped(self):
        return isinstance(self.count, AtLeast)


class RelatedObjectFilter(admin.SimpleListFilter):
    """Narrows a list to the rows of one related object, named in the address: ?compound=12.

    A relation's own list filter lists every related object, 2,000 compounds in the
    sidebar. This one offers only the object selected, with "All"; lists and change
    forms of the related objects link here. An id that is not a number is ignored;
    an unknown one lists nothing, and says so.
    """

    related_model = None

    def value(self):
        value = super().value()
        return value if value is not None and posted.is_id(value) else None

    def lookups(self, request, model_admin):
        pk = self.value()
        if pk is None:
            return []
        obj = self.related_model._default_manager.filter(pk=pk).first()
        verbose_name = self.related_model._meta.verbose_name
        return [(pk, str(obj) if obj is not None else f"Unknown {verbose_name} (id {pk})")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.parameter_name: self.value()})


class OpenByDefaultFilter(admin.SimpleListFilter):
    """A list of what awaits someone: shows the open rows unless another choice of
    `field` (a TextChoices of the model) is picked, or "All". Subclasses name the title,
    parameter, field, choices and the open value."""

    field = ""
    choices_class = None
    DEFAULT = ""

    def lookups(self, request, model_admin):
        return [*self.choices_class.choices, ("all", "All")]

    def chosen(self):
        value = self.value()
        return value if value in {*self.choices_class.values, "all"} else self.DEFAULT

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.chosen() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        chosen = self.chosen()
        return queryset if chosen == "all" else queryset.filter(**{self.field: chosen})


def related_object_filter(field_name, related_model):
    """A RelatedObjectFilter on `field_name`, whose address parameter is the field's name."""
    return type(
        f"{related_model.__name__}Filter",
        (RelatedObjectFilter,),
        {
            "title": related_model._meta.verbose_name,
            "parameter_name": field_name,
            "related_model": related_model,
        },
    )


def filtered_list_link(model, field_name, obj, label):
    """A link to `model`'s list narrowed to the rows of `obj` by a RelatedObjectFilter."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return format_html('<a href="{}?{}={}">{}</a>', url, field_name, obj.pk, label)
