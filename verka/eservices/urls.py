from django.urls import path

from . import views

app_name = "eservices"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("kvitto/<str:case_number>/", views.receipt, name="receipt"),
    path("kvitto/<str:case_number>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/ansok/", views.apply, name="apply"),
    path("<slug:slug>/ansok/spara/", views.autosave, name="autosave"),
    path("<slug:slug>/ansok/bilaga/", views.upload, name="upload"),
    path("<slug:slug>/ansok/granska/", views.review, name="review"),
]
