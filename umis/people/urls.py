from django.urls import path

from umis.people import views

app_name = "people"
urlpatterns = [
    path("", views.matches, name="matches"),
    path("<int:match_id>/", views.match_detail, name="match"),
    path("<int:match_id>/decide/", views.match_decide, name="match_decide"),
    path("merges/<int:merge_id>/unmerge/", views.unmerge, name="unmerge"),
]
