from django.urls import path

from umis.payments import views

app_name = "payments"
urlpatterns = [
    path("callback", views.callback, name="callback"),
    path("return/<str:number>", views.payment_return, name="return"),
]
