"""URLs of the goals dashboard, mounted at /mal/."""

from django.urls import path

from . import views

app_name = "goals"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mal/<int:pk>/", views.goal_detail, name="goal"),
    path("indikatorer/", views.indicator_list, name="indicators"),
    path("indikatorer/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indikatorer/<int:pk>/arenden/", views.indicator_cases, name="cases"),
    path("initiativ/", views.initiative_list, name="initiatives"),
    path("initiativ/<int:pk>/", views.initiative_detail, name="initiative"),
    path("system/", views.system_list, name="systems"),
]
