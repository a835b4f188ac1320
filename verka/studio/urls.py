"""URLs of the Studio, mounted at /studio/ (and /en/studio/)."""

from django.urls import path

from . import views

app_name = "studio"
urlpatterns = [
    path("", views.projects, name="projects"),
    path("nytt/", views.create, name="create"),
    path("importera/", views.import_project, name="import"),
    path("<slug:slug>/", views.project_page, name="project"),
    path("<slug:slug>/installningar/", views.update_settings, name="settings"),
    path("<slug:slug>/filer/ny/", views.new_file, name="file_new"),
    path("<slug:slug>/filer/ladda-upp/", views.upload_file, name="file_upload"),
    path("<slug:slug>/filer/<str:name>/", views.edit, name="edit"),
    path("<slug:slug>/filer/<str:name>/kalla/", views.source, name="source"),
    path("<slug:slug>/filer/<str:name>/spara/", views.save, name="save"),
    path("<slug:slug>/filer/<str:name>/ladda-ner/", views.download_file, name="download"),
    path("<slug:slug>/filer/<str:name>/byt-namn/", views.rename_file, name="rename"),
    path("<slug:slug>/filer/<str:name>/ta-bort/", views.delete_file, name="delete"),
    path("<slug:slug>/kontroll/", views.check, name="check"),
    path("<slug:slug>/versioner/", views.save_version, name="version_save"),
    path("<slug:slug>/versioner/jamfor/", views.diff, name="diff"),
    path("<slug:slug>/arkiv/", views.export, name="export"),
    path("<slug:slug>/arkiv/importera/", views.import_working_copy, name="import_working"),
    path("<slug:slug>/publicera/", views.publish, name="publish"),
    path("<slug:slug>/ga-tillbaka/", views.rollback, name="rollback"),
    path("<slug:slug>/testa/", views.run_tests, name="tests"),
    path("<slug:slug>/testinstans/", views.start_test_instance, name="test_instance"),
]
