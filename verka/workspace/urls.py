"""URLs of the staff workspace, mounted at /handlaggning/ (and /en/handlaggning/)."""

from django.urls import path

from .views import case, inbox, operations, task

app_name = "workspace"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("uppgifter/<int:key>/", task.task_page, name="task"),
    path("uppgifter/<int:key>/ta/", inbox.claim, name="claim"),
    path("uppgifter/<int:key>/slapp/", inbox.unclaim, name="unclaim"),
    path("uppgifter/<int:key>/tilldela/", inbox.assign, name="assign"),
    path("uppgifter/<int:key>/komplettering/", task.request_completion, name="completion"),
    path("arenden/<int:key>/", case.case_page, name="case"),
    path("arenden/<int:key>/meddelanden/", case.send_message, name="message"),
    path("arenden/<int:key>/bilagor/<uuid:file_id>/", case.attachment, name="attachment"),
    path("arenden/<int:key>/dokument/<uuid:file_id>/", case.document, name="document"),
    path("drift/", operations.overview, name="ops"),
    path("drift/instanser/", operations.instance_list, name="ops_instances"),
    path("drift/incidenter/", operations.incident_list, name="ops_incidents"),
    path("drift/incidenter/<int:key>/los/", operations.resolve_incident, name="ops_resolve"),
    path("drift/vantande/", operations.waiting, name="ops_waiting"),
    path("drift/instanser/<int:key>/avbryt/", operations.cancel_instance, name="ops_cancel"),
    path("drift/instanser/<int:key>/variabel/", operations.edit_variable, name="ops_variable"),
]
