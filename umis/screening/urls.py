from django.urls import path

from umis.screening import views

app_name = "screening"
urlpatterns = [
    path("office/screening/hits/", views.hits, name="hits"),
    path("office/screening/hits/<int:hit_id>/", views.hit_detail, name="hit"),
    path("office/screening/hits/<int:hit_id>/decide/", views.hit_decide, name="hit_decide"),
    path("office/screening/watchlist/", views.entries, name="entries"),
    path("office/screening/watchlist/<int:entry_id>/", views.entry_detail, name="entry"),
    path("office/screening/watchlist/import/", views.import_upload, name="import"),
    path(
        "office/screening/watchlist/imports/<int:import_id>/",
        views.import_status,
        name="import_status",
    ),
    path("entry-ban-check/", views.entry_ban_check, name="entry_ban_check"),
]
