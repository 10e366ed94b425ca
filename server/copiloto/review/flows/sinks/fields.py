"""Model fields (CWE-915): request data spread into a Django model's fields, `Item.objects.create(**request.POST)`
or `queryset.update(**request.data)`: the client then sets any field it names (is_staff, owner, price), not only
the ones the form shows. Name the fields (`create(name=form.cleaned_data["name"])`) or use a form/serializer."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits

WRITERS = frozenset({"create", "get_or_create", "update_or_create"})  # no dict has these


def sinks(call: Call) -> Hits:
    # `update` is a dict's too (`context.update(**request.GET)` is harmless): only a manager's chain counts
    queryset_update = call.last == "update" and ".objects." in call.name
    if not call.method or (call.last not in WRITERS and not queryset_update):
        return []
    return [(arg, Sink("fields", call.name)) for arg in call.args if arg.type == "dictionary_splat"]
