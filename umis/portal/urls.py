from django.urls import path

from umis.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/<slug:code>/", views.service_detail, name="service"),
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>", views.verify, name="verify"),
]
