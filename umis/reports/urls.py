from django.urls import path

from umis.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("<slug:code>.csv", views.statistics_csv, name="statistics_csv"),
    path("<slug:code>.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
]
