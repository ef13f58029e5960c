from django.urls import path

from umis.visas import views

app_name = "visas"
urlpatterns = [
    path("evisa/apply/", views.apply, name="apply"),
    path("evisa/status/", views.status_lookup, name="status_lookup"),
    path("evisa/status/<str:reference>", views.status, name="status"),
    path("evisa/status/<str:reference>/pay", views.pay, name="pay"),
    path(
        "evisa/status/<str:reference>/<str:case_reference>/evisa.pdf",
        views.evisa_pdf,
        name="evisa_pdf",
    ),
    path(
        "evisa/status/<str:reference>/<str:case_reference>/refusal.pdf",
        views.refusal_pdf,
        name="refusal_pdf",
    ),
    path("office/evisa/", views.office_queue, name="office_queue"),
    path("office/evisa/dashboard/", views.office_dashboard, name="office_dashboard"),
    path("office/evisa/<str:reference>/", views.office_case, name="office_case"),
    path("office/evisa/<str:reference>/decide/", views.office_decide, name="office_decide"),
    path("office/evisa/<str:reference>/assignment/", views.office_assign, name="office_assign"),
    path("office/evisa/<str:reference>/annul/", views.office_annul, name="office_annul"),
    path("office/evisa/<str:reference>/photo.jpg", views.office_photo, name="office_photo"),
]
