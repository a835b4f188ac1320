from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.my_cases, name="list"),
    path("arende/<str:case_number>/", views.case_detail, name="detail"),
    path("arende/<str:case_number>/meddelande/", views.post_message, name="message"),
    path(
        "arende/<str:case_number>/bilaga/<uuid:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("uppgift/<int:task_key>/", views.task, name="task"),
    path("uppgift/<int:task_key>/bilaga/", views.task_upload, name="task_upload"),
    path("dokument/<uuid:document_id>/", views.document, name="document"),
    path("utkast/", views.drafts, name="drafts"),
    path("utkast/<int:draft_id>/ta-bort/", views.delete_draft, name="delete_draft"),
]
