from django.urls import path

from umis.stays import views

app_name = "stays"
urlpatterns = [
    path("", views.guests, name="guests"),
    path("register/", views.register, name="register"),
    path("registrations/<str:reference>/", views.detail, name="detail"),
    path("registrations/<str:reference>/certificate.pdf", views.certificate, name="certificate"),
    path("registrations/<str:reference>/end/", views.end, name="end"),
]
