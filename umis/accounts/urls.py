from django.urls import path

from umis.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(next_page="portal:home"), name="logout"),
]
