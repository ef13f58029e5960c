from django.urls import path

from umis.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/annul/", views.case_annul, name="case_annul"),
    path("cases/<str:reference>/confirm/", views.case_confirm, name="case_confirm"),
    path("cases/<str:reference>/note/", views.case_note, name="case_note"),
    path("cases/<str:reference>/assignment/", views.case_assignment, name="case_assign"),
    path("people/", views.people, name="people"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
]
