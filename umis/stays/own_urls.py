"""The foreigner's own registration at the place of stay: public pages, no account."""

from django.urls import path

from umis.stays import views

app_name = "stays_own"
urlpatterns = [
    path("stay/register/", views.own_register, name="register"),
    path("stay/status/", views.own_status_lookup, name="lookup"),
    path("stay/status/<str:reference>/", views.own_status, name="status"),
    path("stay/status/<str:reference>/end/", views.own_end, name="end"),
    path("stay/status/<str:reference>/certificate.pdf", views.own_certificate, name="certificate"),
]
