"""The desk's form pieces: how staff are offered for choosing, and the reply box."""

from django import forms
from django.contrib.auth import get_user_model

from tickets.formats import user_display_name
from tickets.models import COMMENT_MAX_LENGTH, Comment


def staff_label(user) -> str:
    """How a staff user is offered for choosing (assignee filter and select): the name with the
    username, `Dana Reyes (dana)`, always, so two people of one name are never one choice and a
    person's label does not change when a namesake joins. A user without a full name is named by
    the username alone."""
    name, username = user_display_name(user), user.get_username()
    return username if name == username else f"{name} ({username})"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return staff_label(obj)


def active_staff():
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


class ReplyForm(forms.ModelForm):
    text = forms.CharField(
        label="Message",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )

    class Meta:
        model = Comment
        fields = ("text", "is_internal")
        labels = {"is_internal": "Internal note"}
        help_texts = {"is_internal": "Visible to staff only; never shown to the customer."}
